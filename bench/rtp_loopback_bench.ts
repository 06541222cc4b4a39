/**
 * RTP over loopback, side by side: scripts/loadgen.ts replays
 * tests/fixtures/rtp/rtp_h264_gst.bin (RFC 6184 over RFC 3550; sequence numbers and
 * timestamps continued) at a fixed packet rate for a bounded time into (1) a sluice
 * running in this process (tests/e2e/_server.ts: recvmmsg receiver, RtpSession, H.264
 * depacketizer, Stream, FrameStore) and (2) GStreamer
 * `udpsrc buffer-size=8388608 caps=<H264> ! rtpjitterbuffer latency=50 ! rtph264depay ! fakesink`.
 *
 *   deno run --unstable-net --allow-all bench/rtp_loopback_bench.ts [--rates 50000,100000]
 *     [--seconds 3] [--streams 1,10] [--quick]
 *
 * Per receiver and rate: packets sent, loss (the socket's kernel drop counter in
 * /proc/net/udp, the same method for both; for sluice also the packets its stream counted),
 * and the receiver's CPU over the send window plus a drain (getrusage of this process /
 * /proc/<pid>/stat of gst-launch) as % of one core and µs per packet. The sender's CPU is
 * in neither. The whole sluice (API, SRT listener, timers) is in its CPU figure.
 * With `--streams N` the rate is split over N loadgen processes (N sources, N streams).
 * For sluice also the frame latency p50/p99 of the run, from the same
 * `sluice_frame_latency_seconds` histogram /metrics exports (lib/core/metrics/families.ts).
 */
import { startTestServer } from "../tests/e2e/_server.ts";
import { Histogram } from "../lib/core/metrics/histogram.ts";
import { METRICS } from "../lib/core/metrics/registry.ts";
import { arg, cpuOfPid, cpuSelf, emit, fmt, isQuick } from "./_bench.ts";
import { freePort } from "../tests/_helpers.ts";

const LOADGEN = new URL("../scripts/loadgen.ts", import.meta.url).pathname;
const CAPTURE = new URL("../tests/fixtures/rtp/rtp_h264_gst.bin", import.meta.url).pathname;
/** Cap on one run's send time, seconds. */
const MAX_SECONDS = 20;
/** Time for the receiver to drain after the sender exits, ms (jitter window included). */
const DRAIN_MS = 500;

/** Kernel drop counter of the UDP socket bound to `port` (proc(5) /proc/net/udp). */
function socketDrops(port: number): number | undefined {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  for (const line of Deno.readTextFileSync("/proc/net/udp").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 12 && f[1].endsWith(`:${hex}`)) return Number(f[f.length - 1]);
  }
  return undefined;
}

/** Every RTP frame latency observed so far, all codecs merged. */
function rtpLatency(): Histogram {
  return METRICS.histogram("sluice_frame_latency_seconds").merged((v) => v[0] === "rtp");
}

/** The observations of `after` that `before` did not have. */
function since(before: Histogram, after: Histogram): Histogram {
  const h = new Histogram(after.bounds);
  for (let i = 0; i < h.counts.length; i++) h.counts[i] = after.counts[i] - before.counts[i];
  h.count = after.count - before.count;
  h.sum = after.sum - before.sum;
  return h;
}

/** `n` loadgen processes at rate/n each, at once; packets sent in total. */
async function loadgens(port: number, rate: number, seconds: number, n: number): Promise<number> {
  const each = Math.max(1, Math.round(rate / n));
  const sent = await Promise.all(Array.from({ length: n }, () => loadgen(port, each, seconds)));
  return sent.reduce((a, b) => a + b, 0);
}

async function loadgen(port: number, rate: number, seconds: number): Promise<number> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", LOADGEN, "--port", `${port}`, "--rate", `${rate}`]
      .concat(["--seconds", `${seconds}`, "--capture", CAPTURE]),
    stdout: "piped",
  }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).sent as number;
}

interface Row {
  /** Frame latency of the run (sluice only). */
  latency?: Histogram;
  sent: number;
  lossPct: number;
  cpuPct: number;
  usPerPacket: number;
  extra: string;
}

function row(sent: number, drops: number, cpu: number, wall: number, extra: string): Row {
  return {
    sent,
    lossPct: (100 * drops) / sent,
    cpuPct: (100 * cpu) / wall,
    usPerPacket: (1e6 * cpu) / Math.max(1, sent - drops),
    extra,
  };
}

async function ours(rate: number, seconds: number, streams: number): Promise<Row> {
  const ts = await startTestServer("log:\n  level: error\n");
  try {
    await new Promise((r) => setTimeout(r, 300));
    const d0 = socketDrops(ts.rtpPort) ?? 0;
    const c0 = cpuSelf(), t0 = performance.now(), h0 = rtpLatency();
    const sent = await loadgens(ts.rtpPort, rate, seconds, streams);
    await new Promise((r) => setTimeout(r, DRAIN_MS));
    const cpu = cpuSelf() - c0, wall = (performance.now() - t0) / 1000;
    const drops = (socketDrops(ts.rtpPort) ?? NaN) - d0;
    const lat = since(h0, rtpLatency());
    const list = (await ts.get("/api/v1/streams")).streams as Record<string, unknown>[];
    const rtp = list.filter((x) => x.protocol === "rtp");
    let packets = 0, frames = 0;
    for (const s of rtp) {
      packets += s.packets as number;
      for (const t of (s.tracks ?? []) as { frames: number }[]) frames += t.frames;
    }
    const extra = `${rtp.length} stream(s), packets ${packets}, frames ${frames}`;
    return { ...row(sent, drops, cpu, wall, extra), latency: lat };
  } finally {
    await ts.stop();
  }
}

async function gst(rate: number, seconds: number): Promise<Row | undefined> {
  const port = freePort("udp");
  const caps = "application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=96";
  const child = new Deno.Command("gst-launch-1.0", {
    args: ["-q", "udpsrc", "address=127.0.0.1", `port=${port}`, "buffer-size=8388608"]
      .concat([`caps=${caps}`, "!", "rtpjitterbuffer", "latency=50", "!", "rtph264depay"])
      .concat(["!", "fakesink"]),
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    for (let i = 0; i < 50 && socketDrops(port) === undefined; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const d0 = socketDrops(port);
    if (d0 === undefined) throw new Error("gst-launch did not bind");
    const c0 = cpuOfPid(child.pid), t0 = performance.now();
    const sent = await loadgen(port, rate, seconds);
    await new Promise((r) => setTimeout(r, DRAIN_MS));
    const cpu = cpuOfPid(child.pid) - c0, wall = (performance.now() - t0) / 1000;
    const drops = (socketDrops(port) ?? NaN) - d0;
    return row(sent, drops, cpu, wall, "");
  } catch (e) {
    console.warn(`gstreamer: ${e instanceof Error ? e.message : e}`);
    return undefined;
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    await child.status;
  }
}

if (import.meta.main) {
  const quick = isQuick();
  const seconds = Math.min(MAX_SECONDS, Number(arg("seconds", quick ? "2" : "3")));
  const rates = arg("rates", quick ? "50000" : "20000,50000,100000").split(",").map(Number);
  const counts = arg("streams", quick ? "1" : "1,10").split(",").map(Number);
  console.log(`RTP H.264 over loopback, ${seconds} s per run (receiver CPU only)`);
  console.log("receiver  rate/s    sent   loss%   cpu%  us/pkt");
  for (const streams of counts) {
    for (const rate of rates) await oneRate(rate, seconds, streams);
  }
}

async function oneRate(rate: number, seconds: number, streams: number): Promise<void> {
  const a = await ours(rate, seconds, streams);
  const b = streams === 1 ? await gst(rate, seconds) : undefined;
  for (const [who, r] of [["sluice", a], ["gst", b]] as const) {
    if (!r) continue;
    console.log(
      `${who.padEnd(8)} ${String(rate).padStart(7)} ${String(r.sent).padStart(7)} ` +
        `${fmt(r.lossPct).padStart(7)} ${fmt(r.cpuPct).padStart(6)} ` +
        `${fmt(r.usPerPacket).padStart(7)}  ${r.extra}`,
    );
  }
  const note = `loadgen ${rate}/s x ${seconds} s of rtp_h264_gst.bin; ${a.extra}`;
  const tag = streams === 1 ? `${rate}/s` : `${rate}/s over ${streams} streams`;
  const lat = a.latency;
  if (lat && lat.count > 0) {
    const p50 = lat.quantile(0.5) * 1e6, p99 = lat.quantile(0.99) * 1e6;
    console.log(
      `sluice frame latency p50 ${fmt(p50)} us, p99 ${fmt(p99)} us (${lat.count} frames)`,
    );
    emit({ name: `rtp loopback ${tag} frame latency p50`, unit: "us", sluice: p50, note }); // deno-fmt-ignore
    emit({ name: `rtp loopback ${tag} frame latency p99`, unit: "us", sluice: p99, note }); // deno-fmt-ignore
  }
  if (streams !== 1) {
    emit({ name: `rtp loopback ${tag} loss`, unit: "loss %", sluice: a.lossPct, note }); // deno-fmt-ignore
    emit({ name: `rtp loopback ${tag} cpu`, unit: "us/packet", sluice: a.usPerPacket, note }); // deno-fmt-ignore
    return;
  }
  emit({
    name: `rtp loopback ${rate}/s loss`,
    unit: "loss %",
    sluice: a.lossPct,
    gstreamer: b?.lossPct,
    note,
  }); // deno-fmt-ignore
  emit({ name: `rtp loopback ${rate}/s cpu`, unit: "us/packet", sluice: a.usPerPacket, gstreamer: b?.usPerPacket, note }); // deno-fmt-ignore
}
