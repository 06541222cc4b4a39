/**
 * Inputs of the scale ladder, made once per bench temp dir: the generated 1080p30 8 Mb/s
 * H.264 + AAC TS (bench/_bench.ts generatedTs) for the SRT callers, and an RTP capture of
 * its video for the RTP sources: ffmpeg's own RTP packetizer (`-f rtp`, RFC 6184) sending
 * the TS's video at 8x real time, recorded by the recvmmsg receiver in the capture format
 * of tests/fixtures/rtp (`u32 len | u64 ns | payload`). scripts/loadgen.ts replays it at
 * the media's own rate (its loops are timed by the RTP clock).
 */
import { generatedTs } from "../_bench.ts";
import { openUdpReceiver } from "../../lib/transport/udp/receiver.ts";
import { freeUdpPort } from "./procs.ts";

/** Records ffmpeg's RTP packetization of `ts`'s video into `<ts>.rtp.bin` (made once). */
export async function rtpCapture(ts: string): Promise<string> {
  const path = `${ts}.rtp.bin`;
  try {
    await Deno.stat(path);
    return path;
  } catch { /* record */ }
  console.log(`# recording ${path} ...`);
  const port = freeUdpPort(true);
  const rx = await openUdpReceiver({
    hostname: "127.0.0.1",
    port,
    kind: "recvmmsg",
    socketBufferBytes: 64 << 20,
  });
  const parts: Uint8Array[] = [];
  let seqPrev = -1, gaps = 0;
  rx.start((d) => {
    const head = new Uint8Array(12 + d.length);
    const dv = new DataView(head.buffer);
    dv.setUint32(0, d.length);
    dv.setBigUint64(4, BigInt(Math.round(performance.now() * 1e6)));
    head.set(d, 12);
    parts.push(head);
    const seq = (d[2] << 8) | d[3];
    if (seqPrev >= 0 && seq !== ((seqPrev + 1) & 0xffff)) gaps++;
    seqPrev = seq;
  });
  const r = await new Deno.Command("ffmpeg", {
    args: ["-v", "error", "-readrate", "8", "-i", ts, "-map", "0:v", "-c", "copy"]
      .concat(["-f", "rtp", "-payload_type", "96", `rtp://127.0.0.1:${port}?pkt_size=1400`]),
    stdout: "null",
    stderr: "inherit",
  }).output();
  await new Promise((res) => setTimeout(res, 200));
  await rx.close();
  const drops = rx.stats().kernelDrops ?? 0;
  if (!r.success || parts.length === 0 || gaps > 0 || drops > 0) {
    throw new Error(`recording ${path}: ffmpeg ${r.code}, ${parts.length} packets, ${gaps} gaps`);
  }
  const f = await Deno.open(`${path}.part`, { write: true, create: true, truncate: true });
  for (const p of parts) await f.write(p);
  f.close();
  await Deno.rename(`${path}.part`, path);
  return path;
}

/** The ladder's inputs: the TS (SRT) and its RTP capture, `seconds` long. */
export async function scaleInputs(dir: string, seconds: number) {
  const ts = await generatedTs(dir, "h264", seconds);
  return { ts, rtp: await rtpCapture(ts) };
}
