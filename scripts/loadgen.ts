/**
 * Load generator for sluice: RTP sources, SRT callers, or both at once, paced, from one
 * process; prints what it sent (and its own CPU time) as one JSON line.
 *
 *   RTP (default mode):
 *   deno run --allow-all scripts/loadgen.ts --port P [--host 127.0.0.1]
 *     [--capture tests/fixtures/rtp/x.bin | --size 1200] [--ssrc-count N]
 *     [--rate PACKETS_PER_S | --speed 1] [--loops L | --seconds S]
 *     [--sockets one|per-source] [--stagger-ms MS] [--clock 90000]
 *
 *   SRT:   --mode srt --srt-port P --ts FILE.ts [--callers N] [--loops L | --seconds S]
 *          [--streamid-prefix loadgen] [--latency 120] [--stagger-ms MS]
 *          [--srt-port-count K]  (caller i to port + i % K: one peer receiver per port)
 *          [--hold-seconds S]    (stay connected S seconds; without --ts: idle callers)
 *   Mixed: --mode mixed with both sets of options (--port for RTP, --srt-port for SRT).
 *
 * RTP: each of the N sources (SSRC 0x51000000 + i) replays the capture in order with its
 * own continuous sequence numbers and timestamps (scripts/loadgen/rtp_sources.ts). With
 * --rate the sources share a total packet rate round-robin; otherwise each source keeps
 * the capture's recorded timing (x --speed), started --stagger-ms after the previous one.
 * A loop lasts the capture's RTP timestamp span at its clock (--clock, else the standard
 * rate nearest to the recorded timing). Without a capture, packets are synthetic (--size bytes, --rate needed). --sockets
 * per-source gives each source its own UDP socket (local port), as separate senders.
 *
 * SRT: N callers (scripts/loadgen/srt_callers.ts) each send the TS in 1316-byte messages
 * paced by its PCR (scripts/loadgen/ts_pacing.ts), stream id `<prefix>-<i>`.
 *
 * Runs are bounded: --loops whole passes (each source/caller), else --seconds (default 3,
 * at most MAX_SECONDS). Every ~1 ms whatever is due is sent.
 */
import process from "node:process";
import { readReplayCapture, type RtpPacing } from "./loadgen/rtp_sources.ts";
import { RtpSenders } from "./loadgen/rtp_senders.ts";
import { SrtCallers } from "./loadgen/srt_callers.ts";
import { scheduleTs } from "./loadgen/ts_pacing.ts";

/** Cap on datagram size, bytes (IPv4 UDP payload maximum). */
export const MAX_SIZE = 65507;
/** Cap on run time, seconds. */
export const MAX_SECONDS = 600;

function arg(name: string, def?: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : def;
}

function num(name: string, def: number, min: number, max: number): number {
  const v = Number(arg(name, String(def)));
  if (!Number.isFinite(v) || v < min || v > max) {
    throw new RangeError(`--${name} must be ${min}-${max}, got ${arg(name)}`);
  }
  return v;
}

function cpuSec(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Anything the run loop ticks. */
interface Ticked {
  tick(nowMs: number): boolean;
}

function rtpSenders(host: string, limit: { loops?: number; seconds?: number }): RtpSenders {
  const capPath = arg("capture");
  const clock = arg("clock") === undefined ? undefined : num("clock", 90000, 1000, 1e6);
  const capture = capPath ? readReplayCapture(Deno.readFileSync(capPath), clock) : undefined;
  const rate = arg("rate");
  if (!capture && !rate) throw new RangeError("--rate is needed without --capture");
  const pacing: RtpPacing = rate
    ? { kind: "rate", packetsPerSecond: num("rate", 50000, 1, 10_000_000) }
    : {
      kind: "capture",
      speed: num("speed", 1, 0.01, 1000),
      staggerMs: num("stagger-ms", 0, 0, 60_000),
    };
  const sockets = arg("sockets", "one");
  if (sockets !== "one" && sockets !== "per-source") {
    throw new RangeError(`--sockets must be one or per-source, got ${sockets}`);
  }
  return new RtpSenders({
    host,
    port: num("port", 0, 1, 65535),
    sources: num("ssrc-count", 1, 1, 65536),
    sockets,
    capture,
    size: num("size", 1200, 12, MAX_SIZE),
    pacing,
    ...limit,
  });
}

function srtCallers(host: string, loops: number | undefined, seconds: number): SrtCallers {
  const path = arg("ts");
  const hold = arg("hold-seconds") === undefined ? 0 : num("hold-seconds", 0, 0, MAX_SECONDS);
  if (!path && !hold) {
    throw new RangeError("--ts FILE (or --hold-seconds for idle callers) is needed for SRT");
  }
  // Idle callers (no file): connected for --hold-seconds, sending nothing.
  const sched = path
    ? scheduleTs(Deno.readFileSync(path))
    : { messages: [], dueMs: new Float64Array(0), loopMs: 1 };
  return SrtCallers.open({
    host,
    port: num("srt-port", num("port", 0, 0, 65535), 1, 65535),
    portCount: num("srt-port-count", 1, 1, 10_000),
    count: num("callers", 1, 1, 10_000),
    prefix: arg("streamid-prefix", "loadgen")!,
    latencyMs: num("latency", 120, 20, 60_000),
    staggerMs: num("stagger-ms", 0, 0, 60_000),
    loops: loops ?? Math.max(1, Math.ceil((seconds * 1000) / sched.loopMs)),
    holdMs: hold * 1000,
  }, sched);
}

async function main(): Promise<void> {
  const mode = arg("mode", "rtp");
  if (mode !== "rtp" && mode !== "srt" && mode !== "mixed") {
    throw new RangeError(`--mode must be rtp, srt or mixed, got ${mode}`);
  }
  const host = arg("host", "127.0.0.1")!;
  const loops = arg("loops") === undefined ? undefined : num("loops", 1, 1, 1e6);
  const seconds = num("seconds", 3, 0.01, MAX_SECONDS);
  const rtp = mode !== "srt" ? rtpSenders(host, loops ? { loops } : { seconds }) : undefined;
  const srt = mode !== "rtp" ? srtCallers(host, loops, seconds) : undefined;
  const parts: Ticked[] = [rtp, srt].filter((x) => x !== undefined);
  const cpu0 = cpuSec();
  const start = performance.now();
  const deadline = start + MAX_SECONDS * 1000;
  for (;;) {
    const now = performance.now() - start;
    let done = true;
    for (const p of parts) if (!p.tick(now)) done = false;
    if (done || performance.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1));
  }
  const elapsedSec = (performance.now() - start) / 1000;
  rtp?.close();
  await srt?.close();
  const common = {
    mode,
    host,
    elapsedSec: Number(elapsedSec.toFixed(3)),
    cpuSec: Number((cpuSec() - cpu0).toFixed(3)),
  };
  const rtpOut = rtp && {
    ...rtp.report,
    port: num("port", 0, 1, 65535),
    capture: arg("capture"),
    rate: arg("rate") ? Number(arg("rate")) : undefined,
    ssrcCount: rtp.report.sources,
    actualRate: Math.round(rtp.report.sent / elapsedSec),
  };
  const srtOut = srt && { ...srt.report, ts: arg("ts") };
  const out = mode === "rtp"
    ? { ...common, ...rtpOut }
    : mode === "srt"
    ? { ...common, ...srtOut }
    : { ...common, rtp: rtpOut, srt: srtOut };
  console.log(JSON.stringify(out));
}

if (import.meta.main) await main();
