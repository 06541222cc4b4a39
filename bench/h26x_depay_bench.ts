/**
 * H.264 (RFC 6184) and H.265 (RFC 7798) RTP depacketizer throughput, warm, from memory,
 * next to GStreamer's rtph264depay/rtph265depay on the same packets. Run by hand:
 *
 *   deno run --allow-all bench/h26x_depay_bench.ts [passes]
 *
 * Inputs: the four ffmpeg/GStreamer captures of tests/fixtures/rtp. In process, each capture
 * is replayed `passes` times (default 200) through one depacketizer after a warm-up pass,
 * best of 3. GStreamer: the capture repeated `passes` times (sequence numbers and
 * timestamps continued) is written as a pcap to $BENCH_TMP and run through
 * `filesrc ! pcapparse ! <rtp caps> ! rtph26Xdepay ! fakesink`; the time of a one-pass
 * file is subtracted to remove start-up, so the figure is pcapparse + depay per packet.
 * Prints packets/s and payload MB/s (10^6 bytes) for both and the ratio sluice/gst.
 */
import { H264Depacketizer } from "../lib/codecs/h264/depacketizer.ts";
import { H265Depacketizer } from "../lib/codecs/h265/depacketizer.ts";
import type { DepacketizerOptions, RtpDepacketizer, RtpPacket } from "../lib/core/types.ts";
import { benchTmp, emit } from "./_bench.ts";
import { capturePackets } from "../tests/support/rtp.ts";
import { readCapture } from "../tests/support/replay.ts";
import { type Timed, toPcap } from "./_pcap.ts";

interface Input {
  capture: string;
  make: (o: DepacketizerOptions) => RtpDepacketizer;
  caps: string;
  depay: string;
}

const H264_CAPS = "application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=96";
const H265_CAPS = "application/x-rtp,media=video,clock-rate=90000,encoding-name=H265,payload=97";
const INPUTS: Input[] = [
  {
    capture: "rtp_h264_ffmpeg.bin",
    make: (o) => new H264Depacketizer(o),
    caps: H264_CAPS,
    depay: "rtph264depay",
  },
  {
    capture: "rtp_h264_gst.bin",
    make: (o) => new H264Depacketizer(o),
    caps: H264_CAPS,
    depay: "rtph264depay",
  },
  {
    capture: "rtp_h265_ffmpeg.bin",
    make: (o) => new H265Depacketizer(o),
    caps: H265_CAPS,
    depay: "rtph265depay",
  },
  {
    capture: "rtp_h265_gst.bin",
    make: (o) => new H265Depacketizer(o),
    caps: H265_CAPS,
    depay: "rtph265depay",
  },
];

/** In-process rate: `passes` replays, best of 3, after a warm-up pass. */
function ours(
  inp: Input,
  pkts: RtpPacket[],
  passes: number,
): { pps: number; mbps: number; units: number } {
  const bytes = pkts.reduce((n, p) => n + p.payload.length, 0);
  let units = 0;
  const d = inp.make({ onUnit: () => units++, count: () => {} });
  for (const p of pkts) d.push(p, false);
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    for (let k = 0; k < passes; k++) for (const p of pkts) d.push(p, false);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  d.flush();
  return { pps: (pkts.length * passes) / best, mbps: (bytes * passes) / best / 1e6, units };
}

/**
 * A pcap (bench/_pcap.ts) of the capture repeated `passes` times, RTP sequence numbers and
 * timestamps continued, one datagram a millisecond.
 */
export function capturePcap(capture: string, passes: number): Uint8Array {
  const dgrams = readCapture(`rtp/${capture}`).map((c) => c.data);
  const pkts: Timed[] = [];
  for (let k = 0; k < passes; k++) {
    for (const d of dgrams) {
      const data = d.slice();
      const dv = new DataView(data.buffer);
      dv.setUint16(2, pkts.length & 0xffff); // continue RTP sequence numbers and timestamps
      dv.setUint32(4, (dv.getUint32(4) + k * 90000 * 2) >>> 0);
      pkts.push({ data, arrivalUs: pkts.length * 1000 });
    }
  }
  return toPcap(pkts);
}

async function gstSeconds(inp: Input, path: string): Promise<number> {
  const t0 = performance.now();
  const r = await new Deno.Command("gst-launch-1.0", {
    args: [
      "-q",
      "filesrc",
      `location=${path}`,
      "!",
      "pcapparse",
      "!",
      inp.caps,
      "!",
      inp.depay,
      "!",
      "fakesink",
      "sync=false",
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!r.success) throw new Error(new TextDecoder().decode(r.stderr));
  return (performance.now() - t0) / 1000;
}

/** GStreamer's rate over `passes` repetitions, start-up removed; undefined when gst is missing. */
async function gst(inp: Input, pkts: RtpPacket[], passes: number, dir: string) {
  const small = `${dir}/h26x_bench_1_${inp.capture}.pcap`;
  const big = `${dir}/h26x_bench_${passes}_${inp.capture}.pcap`;
  try {
    await Deno.writeFile(small, capturePcap(inp.capture, 1));
    await Deno.writeFile(big, capturePcap(inp.capture, passes + 1));
    await gstSeconds(inp, small); // warm the page cache and plugin registry
    const t1 = Math.min(await gstSeconds(inp, small), await gstSeconds(inp, small));
    const tn = Math.min(await gstSeconds(inp, big), await gstSeconds(inp, big));
    const bytes = pkts.reduce((n, p) => n + p.payload.length, 0);
    const s = Math.max(tn - t1, 1e-6);
    return { pps: (pkts.length * passes) / s, mbps: (bytes * passes) / s / 1e6 };
  } catch (e) {
    console.warn(`gst: ${e instanceof Error ? e.message.split("\n")[0] : e}`);
    return undefined;
  } finally {
    for (const f of [small, big]) await Deno.remove(f).catch(() => {});
  }
}

if (import.meta.main) {
  const passes = Number(Deno.args.find((a) => !a.startsWith("--")) ?? 200);
  const tmp = await benchTmp();
  const fmt = (n: number) => n.toFixed(0).padStart(10);
  console.log(`h26x depay, ${passes} passes per capture (packets/s, MB/s payload)`);
  console.log("capture                  sluice pkt/s  MB/s  |  gst pkt/s  MB/s  |  ratio");
  for (const inp of INPUTS) {
    const pkts = capturePackets(inp.capture);
    const a = ours(inp, pkts, passes);
    const b = await gst(inp, pkts, passes, tmp.dir);
    emit({
      name: `depay ${inp.capture.replace(".bin", "")}`,
      unit: "packets/s",
      sluice: a.pps,
      gstreamer: b?.pps,
      note: "from memory; gst: pcapparse ! depay, steady",
    });
    const gstCols = b ? `${fmt(b.pps)} ${b.mbps.toFixed(1).padStart(5)}` : "       n/a   n/a";
    const ratio = b ? (a.pps / b.pps).toFixed(1) + "x" : "n/a";
    console.log(
      `${inp.capture.padEnd(22)} ${fmt(a.pps)} ${
        a.mbps.toFixed(1).padStart(5)
      }  | ${gstCols}  |  ${ratio}`,
    );
  }
  await tmp.cleanup();
}
