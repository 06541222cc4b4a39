/**
 * RTP receive path throughput from memory, warm, in-process: header parse (RFC 3550
 * 5.1) + sequencing (A.1) + jitter buffer, over every capture in tests/fixtures/rtp.
 * Run by hand (not part of the tests):
 *
 *   deno run --allow-all bench/rtp_bench.ts [passes] [--quick]
 *
 * The captures' datagrams are concatenated into one stream (one SSRC, sequence
 * numbers rewritten to run on, the payloads untouched) and replayed `passes` times
 * (default 200) after one warm-up pass; best of 3. Prints packets/s and payload MB/s
 * (10^6 bytes) for: parse only; parse + session (sequencer + jitter buffer, no-op
 * depacketizer); the demux path (RTCP check, parse, SSRC lookup, datagram copy, session).
 *
 * Then, side by side with GStreamer on the same packets: tests/fixtures/rtp/rtp_h264_gst.bin
 * repeated to ~100k packets (sequence numbers, timestamps and arrival times continued) through parse + RtpSession (sequencer, jitter buffer) + H264Depacketizer
 * (RFC 6184) from memory, warm, best of 3; and the same packets as a pcap through
 * `filesrc ! pcapparse ! <H264 caps> ! rtpjitterbuffer latency=50 ! rtph264depay ! fakesink`
 * (our default jitter latency), steady (the big file minus a one-pass file). Prints
 * packets/s wall and per CPU-second; the CPU figure is the steadier one for GStreamer,
 * whose wall time includes a jitterbuffer wait of up to ~0.2 s that varies run to run.
 */
import { parseRtp } from "../lib/transport/rtp/packet.ts";
import { RtpSession } from "../lib/transport/rtp/session.ts";
import { RtpDemux } from "../lib/transport/rtp/demux.ts";
import { H264Depacketizer } from "../lib/codecs/h264/depacketizer.ts";
import { benchTmp, bestPeer, cpuSelf, emit, fmt, isQuick } from "./_bench.ts";
import { readCapture } from "../tests/support/replay.ts";
import { type Timed, toPcap } from "./_pcap.ts";

const FILES = [...Deno.readDirSync(new URL("../tests/fixtures/rtp/", import.meta.url))]
  .map((e) => e.name)
  .filter((n) => n.endsWith(".bin") && n !== "av_rtp_15005.bin" && n !== "av_rtp_15009.bin")
  .sort();

/** Owned copies of every RTP datagram, rewritten to SSRC 0x5eed. */
function datagrams(): Uint8Array[] {
  return FILES.flatMap((f) =>
    readCapture(`rtp/${f}`).map((d) => {
      const c = d.data.slice();
      new DataView(c.buffer).setUint32(8, 0x5eed);
      return c;
    })
  );
}

type Step = (d: Uint8Array, now: number) => void;

function time(dgs: Uint8Array[], passes: number, make: () => Step): number {
  let best = Infinity;
  for (let round = 0; round < 4; round++) {
    const step = make();
    let seq = 0;
    let now = 0;
    const n = round === 0 ? 1 : passes; // round 0 warms up
    const t0 = performance.now();
    for (let p = 0; p < n; p++) {
      for (const d of dgs) {
        d[2] = (seq >> 8) & 0xff;
        d[3] = seq & 0xff;
        seq = (seq + 1) & 0xffff;
        now += 0.01;
        step(d, now);
      }
    }
    const dt = performance.now() - t0;
    if (round > 0) best = Math.min(best, dt);
  }
  return best;
}

const noop = { push: () => {}, flush: () => {} };

function main() {
  const passes = Number(Deno.args.find((a) => !a.startsWith("--")) ?? (isQuick() ? 50 : 200));
  const dgs = datagrams();
  const bytes = dgs.reduce((a, d) => a + d.length, 0);
  const variants: [string, () => Step][] = [
    ["parse", () => (d, now) => void parseRtp(d, now)],
    ["parse+sequencer+jitter", () => {
      const s = new RtpSession({ ssrc: 0x5eed, createDepacketizer: () => noop });
      return (d, now) => {
        const r = parseRtp(d, now);
        if (r.ok) s.pushRtp(r.value, now);
      };
    }],
    ["demux(copy)+session", () => {
      const remote = { hostname: "127.0.0.1", port: 5000 };
      const demux = new RtpDemux<RtpSession>({
        onNewSource: (k) => new RtpSession({ ssrc: k.ssrc, createDepacketizer: () => noop }),
      });
      return (d, now) => demux.onDatagram(d, remote, now);
    }],
  ];
  console.log(`rtp_bench: ${dgs.length} packets from ${FILES.length} captures x ${passes} passes`);
  for (const [name, make] of variants) {
    const ms = time(dgs, passes, make);
    const pps = (dgs.length * passes) / (ms / 1000);
    const mbps = (bytes * passes) / (ms / 1000) / 1e6;
    console.log(
      `${name.padEnd(24)} ${Math.round(pps).toLocaleString("en").padStart(12)} packets/s ${
        mbps.toFixed(0).padStart(6)
      } MB/s`,
    );
    emit({
      name: `rtp ${name}`,
      unit: "packets/s",
      sluice: pps,
      note: "all captures, from memory",
    });
  }
}

/**
 * `capture` repeated `passes` times as owned datagrams: sequence numbers run on, RTP
 * timestamps and arrival times continue by one loop's span per pass.
 */
export function repeatedCapture(capture: string, passes: number): Timed[] {
  const src = readCapture(`rtp/${capture}`);
  const ts = (d: Uint8Array) => new DataView(d.buffer, d.byteOffset).getUint32(4);
  const n = src.length;
  const tsSpan = (2 * ts(src[n - 1].data) - ts(src[n - 2].data) - ts(src[0].data)) >>> 0;
  const t0 = Number(src[0].arrivalNs / 1000n);
  const usSpan = Number(src[n - 1].arrivalNs / 1000n) - t0 + 1000;
  const out: Timed[] = [];
  for (let k = 0; k < passes; k++) {
    for (const p of src) {
      const data = p.data.slice();
      const dv = new DataView(data.buffer);
      dv.setUint16(2, out.length & 0xffff);
      dv.setUint32(4, (ts(p.data) + k * tsSpan) >>> 0);
      out.push({ data, arrivalUs: Number(p.arrivalNs / 1000n) - t0 + k * usSpan });
    }
  }
  return out;
}

/** parse + session + H.264 depacketizer over `pkts`; seconds and access units. */
function oursH264(pkts: Timed[]): { s: number; cpu: number; units: number; lost: number } {
  let units = 0;
  const session = new RtpSession({
    ssrc: new DataView(pkts[0].data.buffer).getUint32(8),
    createDepacketizer: () => new H264Depacketizer({ onUnit: () => units++, count: () => {} }),
  });
  const c0 = cpuSelf();
  const t0 = performance.now();
  for (let i = 0; i < pkts.length; i++) {
    const now = pkts[i].arrivalUs / 1000;
    const r = parseRtp(pkts[i].data, now);
    if (r.ok) session.pushRtp(r.value, now);
    if ((i & 63) === 0) session.poll(now);
  }
  session.flush();
  const s = (performance.now() - t0) / 1000;
  return { s, cpu: cpuSelf() - c0, units, lost: session.stats().lost };
}

const GST_H264 = (path: string) => [
  "gst-launch-1.0",
  "-q",
  "filesrc",
  `location=${path}`,
  "!",
  "pcapparse",
  "!",
  "application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=96",
  "!",
  "rtpjitterbuffer",
  "latency=50",
  "!",
  "rtph264depay",
  "!",
  "fakesink",
]; // deno-fmt-ignore

async function versusGst(): Promise<void> {
  const capture = "rtp_h264_gst.bin";
  const per = readCapture(`rtp/${capture}`).length;
  const passes = Math.ceil(100_000 / per);
  const pkts = repeatedCapture(capture, passes);
  oursH264(pkts.slice(0, per * 20)); // warm-up
  let best = oursH264(pkts);
  for (let i = 0; i < 2; i++) {
    const r = oursH264(pkts);
    if (r.s < best.s) best = r;
  }
  const ours = pkts.length / best.s;
  const oursCpu = pkts.length / best.cpu;
  const tmp = await benchTmp();
  let gst: number | undefined;
  let gstCpu: number | undefined;
  try {
    const small = `${tmp.dir}/rtp_bench_1.pcap`;
    const big = `${tmp.dir}/rtp_bench_${passes}.pcap`;
    await Deno.writeFile(small, toPcap(pkts.slice(0, per)));
    await Deno.writeFile(big, toPcap(pkts));
    await bestPeer(GST_H264(small), 1);
    const a = await bestPeer(GST_H264(small), 3);
    const b = await bestPeer(GST_H264(big), 3);
    gst = (pkts.length - per) / Math.max(b.wall - a.wall, 1e-3);
    gstCpu = (pkts.length - per) / Math.max(b.cpu - a.cpu, 1e-3);
  } catch (e) {
    console.warn(`gstreamer: ${e instanceof Error ? e.message : e}`);
  } finally {
    await tmp.cleanup();
  }
  console.log(
    `${capture} x${passes} = ${pkts.length} packets, ${best.units} units, lost ${best.lost}: ` +
      `sluice parse+session+depay ${fmt(ours)} packets/s (${fmt(oursCpu)} per CPU-s), ` +
      `gst ${fmt(gst)} packets/s (${fmt(gstCpu)} per CPU-s)`,
  );
  const note = `${pkts.length} packets of ${capture}; gst pcapparse ! rtpjitterbuffer ` +
    "latency=50 ! rtph264depay, steady; gst wall includes a jitterbuffer wait of up to 0.2 s";
  emit({ name: "rtp h264 parse+jitter+depay", unit: "packets/s", sluice: ours, gstreamer: gst, note }); // deno-fmt-ignore
  emit({ name: "rtp h264 parse+jitter+depay", unit: "packets/cpu-s", sluice: oursCpu, gstreamer: gstCpu, note }); // deno-fmt-ignore
}

if (import.meta.main) {
  main();
  await versusGst();
}
