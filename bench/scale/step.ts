/**
 * One step of the scale ladder: a fresh receiver (sluice, or a peer) and one
 * scripts/loadgen.ts process sending N RTP sources and/or M SRT callers; while it runs,
 * the receiver's CPU and RSS are read from /proc and (sluice) its API is timed; after a
 * drain, what arrived is compared with what was sent.
 */
import { cpuOf, memOf, threadCpu } from "./procs.ts";

const LOADGEN = new URL("../../scripts/loadgen.ts", import.meta.url).pathname;
/** Time the receiver gets after the sender exits (jitter window, SRT latency, tails), ms. */
export const DRAIN_MS = 1500;
/** API sampling period during a step, ms. */
export const SAMPLE_MS = 200;

/** What a step sends. */
export interface Load {
  rtp: number;
  srt: number;
  /** Whole passes of the inputs. */
  loops: number;
  /** Instead of whole passes: stop after this many seconds. */
  seconds?: number;
  rtpCapture: string;
  ts: string;
  rtpPort: number;
  srtPort: number;
  /** SRT callers spread over this many consecutive ports (one peer receiver each). */
  srtPortCount?: number;
  /** Start of each source/caller after the previous one, ms (default: all within 1 s). */
  staggerMs?: number;
}

/** The loadgen's report (scripts/loadgen.ts JSON line). */
export type LoadReport = Record<string, unknown> & { elapsedSec: number; cpuSec: number };

/** Runs one loadgen process for `load`; resolves with its report. */
export async function runLoadgen(load: Load): Promise<LoadReport> {
  const mode = load.rtp > 0 && load.srt > 0 ? "mixed" : load.srt > 0 ? "srt" : "rtp";
  const n = Math.max(load.rtp, load.srt);
  const bound = load.seconds ? ["--seconds", `${load.seconds}`] : ["--loops", `${load.loops}`];
  const args = ["run", "--allow-all", LOADGEN, "--mode", mode, ...bound]
    // Starts spread over one second so that keyframes (and bursts) do not line up.
    .concat(["--stagger-ms", `${(load.staggerMs ?? 1000 / n).toFixed(2)}`]);
  if (load.rtp > 0) {
    args.push("--port", `${load.rtpPort}`, "--capture", load.rtpCapture);
    args.push("--ssrc-count", `${load.rtp}`, "--sockets", "per-source");
  }
  if (load.srt > 0) {
    args.push("--srt-port", `${load.srtPort}`, "--ts", load.ts, "--callers", `${load.srt}`);
    args.push("--srt-port-count", `${load.srtPortCount ?? 1}`);
  }
  return await loadgen(args.slice(3));
}

/** Runs scripts/loadgen.ts with `args`; resolves with its report. */
export async function loadgen(args: string[]): Promise<LoadReport> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", LOADGEN, ...args],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`loadgen failed (exit ${out.code})`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** Payload bytes a loadgen report says were sent (RTP datagrams + SRT messages). */
export function bytesSent(r: LoadReport): number {
  const part = (x: unknown) => Number((x as Record<string, unknown> | undefined)?.bytes ?? 0);
  return r.mode === "mixed" ? part(r.rtp) + part(r.srt) : Number(r.bytes ?? 0);
}

/** Receiver-side figures of a window. */
export interface Window {
  wallS: number;
  cpuS: number;
  rssMaxBytes: number;
  /** API round trips during the window, ms (sluice only). */
  apiMs: number[];
  /** The busiest thread over the window: name and % of one core (first PID only). */
  busiest?: { name: string; pct: number };
  /** Kernel drops on sluice's sockets over time (s from the window's start), from health. */
  dropsAt: { t: number; drops: number }[];
  report: LoadReport;
}

/**
 * Runs the load against receiver PIDs (their CPU summed), sampling RSS (max of the sum) and,
 * when `api` is given, timing GET /api/v1/streams and /api/v1/health alternately.
 */
export async function measure(
  pids: number[],
  load: Load,
  api?: (path: string) => Promise<Record<string, unknown>>,
): Promise<Window> {
  const cpu = () => pids.reduce((a, p) => a + cpuOf(p), 0);
  const c0 = cpu(), t0 = performance.now();
  const th0 = threadCpu(pids[0]);
  let rssMax = 0, running = true;
  const apiMs: number[] = [];
  const dropsAt: Window["dropsAt"] = [];
  const sampler = (async () => {
    for (let i = 0; running; i++) {
      rssMax = Math.max(rssMax, pids.reduce((a, p) => a + memOf(p), 0));
      if (api) {
        const s = performance.now();
        try {
          const j = await api(i % 2 === 0 ? "/api/v1/streams" : "/api/v1/health");
          apiMs.push(performance.now() - s);
          if (i % 2 === 1) dropsAt.push({ t: (s - t0) / 1000, drops: kernelDrops(j) });
        } catch {
          apiMs.push(5000); // timed out: counts as a 5 s answer
        }
      }
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
    }
  })();
  const report = await runLoadgen(load);
  await new Promise((r) => setTimeout(r, DRAIN_MS));
  running = false;
  await sampler;
  const wallS = (performance.now() - t0) / 1000;
  let busiest: Window["busiest"];
  for (const [name, c] of threadCpu(pids[0])) {
    const pct = (100 * (c - (th0.get(name) ?? 0))) / wallS;
    if (!busiest || pct > busiest.pct) busiest = { name: name.replace(/#\d+$/, ""), pct };
  }
  return { wallS, cpuS: cpu() - c0, rssMaxBytes: rssMax, apiMs, dropsAt, busiest, report };
}

/** Kernel drops of sluice's RTP and SRT sockets in a /api/v1/health answer. */
export function kernelDrops(health: Record<string, unknown>): number {
  const l = (health.listeners ?? {}) as Record<string, Record<string, unknown>>;
  return Number(l.rtp?.kernelDrops ?? 0) + Number(l.srt?.kernelDrops ?? 0);
}

/** Nearest-rank percentile of `xs` (p in 0-100); NaN for none. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
}
