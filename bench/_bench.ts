/**
 * Shared bench plumbing: the `BENCH {...}` result line bench/run.ts collects, CPU time
 * of this process and of peer processes, the temp dir for generated inputs, and the
 * generated 1080p30 MPEG-TS inputs (H.264 + AAC, H.265 + AAC) every bench shares.
 * Not part of the tests; nothing here asserts a timing.
 */
import { median } from "../lib/sync/least_squares.ts";
import process from "node:process";

/** One measurement, printed as `BENCH <json>` for bench/run.ts. */
export interface BenchResult {
  /** Bench and case, e.g. "ingest h264 warm". */
  name: string;
  /** Unit of the three figures, e.g. "MB/s", "packets/s", "loss %". */
  unit: string;
  sluice: number;
  ffmpeg?: number;
  gstreamer?: number;
  /** Another peer's figure (e.g. srt-live-transmit), named by `otherName`. */
  other?: number;
  otherName?: string;
  /** sluice / ffmpeg when ffmpeg is given, else sluice / gstreamer, else sluice / other. */
  ratio?: number | null;
  /** Extra context (frames counted, peer command, ...). */
  note?: string;
}

const round = (x: number) => Number(x.toPrecision(4));

/** Prints one machine-readable result line (and computes its ratio). */
export function emit(r: BenchResult): void {
  const peer = r.ffmpeg ?? r.gstreamer ?? r.other;
  const out: BenchResult = {
    ...r,
    sluice: round(r.sluice),
    ffmpeg: r.ffmpeg === undefined ? undefined : round(r.ffmpeg),
    gstreamer: r.gstreamer === undefined ? undefined : round(r.gstreamer),
    other: r.other === undefined ? undefined : round(r.other),
    ratio: peer ? round(r.sluice / peer) : null,
  };
  console.log(`BENCH ${JSON.stringify(out)}`);
}

/** True when `--quick` was given or BENCH_QUICK=1 (smaller inputs, smoke run). */
export function isQuick(): boolean {
  return Deno.args.includes("--quick") || Deno.env.get("BENCH_QUICK") === "1";
}

/** Value of `--name V` in Deno.args, else `def`. */
export function arg(name: string, def: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : def;
}

/** CPU seconds (user + system, all threads) this process used so far (getrusage). */
export function cpuSelf(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

let ticks = 0;

/** Clock ticks per second of /proc stat times (`getconf CLK_TCK`; 100 when it fails). */
export function clockTicks(): number {
  if (ticks > 0) return ticks;
  ticks = 100;
  try {
    const out = new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped" }).outputSync();
    ticks = Number(new TextDecoder().decode(out.stdout).trim()) || 100;
  } catch {
    // keep 100
  }
  return ticks;
}

/** CPU seconds (utime + stime, proc(5) fields 14-15) of a live process, from /proc. */
export function cpuOfPid(pid: number, clkTck = 100): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / clkTck;
  } catch {
    return NaN;
  }
}

/** Wall and CPU seconds of one peer run. */
export interface PeerTime {
  wall: number;
  cpu: number;
}

/** Cap on one peer process run, seconds (killed with SIGKILL past it). */
export const PEER_TIMEOUT_S = 120;

/**
 * Runs `cmd` once under bash's `time` (user + sys include its threads and children);
 * stdout/stderr discarded. Throws with the exit code when the peer fails.
 */
export async function timePeer(cmd: string[]): Promise<PeerTime> {
  const script = `TIMEFORMAT='%R %U %S'; time timeout -s KILL ${PEER_TIMEOUT_S} "$@" ` +
    `>/dev/null 2>/dev/null`;
  const r = await new Deno.Command("bash", {
    args: ["-c", script, "bash", ...cmd],
    stdout: "null",
    stderr: "piped",
  }).output();
  const lines = new TextDecoder().decode(r.stderr).trim().split("\n");
  if (!r.success) throw new Error(`${cmd[0]} failed (exit ${r.code})`);
  const [real, user, sys] = lines[lines.length - 1].split(" ").map(Number);
  return { wall: real, cpu: user + sys };
}

/** Best (least wall) of `n` runs. */
export async function bestPeer(cmd: string[], n: number): Promise<PeerTime> {
  let best: PeerTime | undefined;
  for (let i = 0; i < n; i++) {
    const t = await timePeer(cmd);
    if (!best || t.wall < best.wall) best = t;
  }
  return best!;
}

/** The median (the mean of the middle two for an even count): lib/sync/least_squares.ts's. */
export { median };

/** Steady-state rate of a peer: at its best run, and at its median run's CPU. */
export interface PeerRate {
  /** MB/s wall, from the least-wall runs. */
  mbPerS: number;
  /** MB per CPU-second, from the least-wall runs (their CPU). */
  mbPerCpuS: number;
  /** MB per CPU-second from the median CPU of the runs: beside a median of sluice's. */
  mbPerCpuSMedian: number;
}

/**
 * Steady-state rate of a peer (bench/README.md, "Steady"): `cmdOf(big)` minus `cmdOf(small)`,
 * where `big` holds `mbExtra` megabytes more than `small` (see steadyFactor), `runs` runs
 * each. Returns MB/s wall and MB per CPU-second (best and median); undefined (with a
 * warning) when the peer is missing or fails.
 */
export async function steadyPeer(
  label: string,
  cmdOf: (path: string) => string[],
  small: string,
  big: string,
  mbExtra: number,
  runs = 3,
): Promise<PeerRate | undefined> {
  try {
    await timePeer(cmdOf(small)); // page cache, plugin registry
    const a: PeerTime[] = [];
    const b: PeerTime[] = [];
    for (let i = 0; i < runs; i++) {
      a.push(await timePeer(cmdOf(small)));
      b.push(await timePeer(cmdOf(big)));
    }
    const best = (ts: PeerTime[]) => ts.reduce((x, y) => (y.wall < x.wall ? y : x));
    const wall = Math.max(best(b).wall - best(a).wall, 1e-3);
    const cpu = Math.max(best(b).cpu - best(a).cpu, 1e-3);
    const cpuMedian = Math.max(median(b.map((t) => t.cpu)) - median(a.map((t) => t.cpu)), 1e-3);
    return {
      mbPerS: mbExtra / wall,
      mbPerCpuS: mbExtra / cpu,
      mbPerCpuSMedian: mbExtra / cpuMedian,
    };
  } catch (e) {
    console.warn(`${label}: ${e instanceof Error ? e.message : e}`);
    return undefined;
  }
}

/** The temp dir for generated inputs: $BENCH_TMP (bench/run.ts removes it) or a new one. */
export async function benchTmp(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const given = Deno.env.get("BENCH_TMP");
  if (given) return { dir: given, cleanup: async () => {} };
  const dir = await Deno.makeTempDir({ prefix: "sluice_bench_" });
  return { dir, cleanup: () => Deno.remove(dir, { recursive: true }).catch(() => {}) };
}

/** Video codec of a generated input. */
export type BenchCodec = "h264" | "h265";

/**
 * A `seconds`-long 1920x1080@30 MPEG-TS (testsrc2, 8 Mb/s video, GOP 60 + AAC sine) in
 * `dir`, made once: libx264 -preset veryfast, or libx265 -preset ultrafast for H.265.
 */
export async function generatedTs(dir: string, codec: BenchCodec, seconds: number) {
  const path = `${dir}/in_${codec}_${seconds}s.ts`;
  try {
    await Deno.stat(path);
    return path;
  } catch { /* generate */ }
  const enc = codec === "h264"
    ? ["-c:v", "libx264", "-preset", "veryfast"]
    : ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error"];
  const args = ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30"]
    .concat(["-f", "lavfi", "-i", "sine", "-t", String(seconds), ...enc, "-b:v", "8M"])
    .concat(["-g", "60", "-c:a", "aac", "-f", "mpegts", `${path}.part`]);
  console.log(`# generating ${path} ...`);
  const r = await new Deno.Command("ffmpeg", { args, stderr: "inherit" }).output();
  if (!r.success) throw new Error(`Cannot generate ${path}: ffmpeg failed`);
  await Deno.rename(`${path}.part`, path);
  return path;
}

/** Least size of the big file of a "steady" peer measurement, bytes (start-up noise < ~10%). */
export const STEADY_MIN_BYTES = 250e6;

/** Copies of an input of `bytes` in the big file: 5 (bench/README.md), more for small inputs. */
export function steadyFactor(bytes: number): number {
  return Math.max(5, Math.ceil(STEADY_MIN_BYTES / bytes));
}

/** `src` concatenated `n` times into `dst` (made once); returns dst. */
export async function repeated(src: string, n: number, dst: string): Promise<string> {
  try {
    await Deno.stat(dst);
    return dst;
  } catch { /* make */ }
  const data = await Deno.readFile(src);
  const f = await Deno.open(`${dst}.part`, { write: true, create: true, truncate: true });
  for (let i = 0; i < n; i++) {
    for (let o = 0; o < data.length;) o += await f.write(data.subarray(o));
  }
  f.close();
  await Deno.rename(`${dst}.part`, dst);
  return dst;
}

/** Formats a figure for tables: 3 significant digits, thousands grouped. */
export function fmt(x: number | undefined | null): string {
  if (x === undefined || x === null || !Number.isFinite(x)) return "-";
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString("en");
  return String(Number(x.toPrecision(3)));
}
