/**
 * Runs the benches in sequence, each as its own process (its own JIT, so "cold" means
 * cold) in its own process group with a time bound (the group is killed by PID on
 * overrun), collects their `BENCH {...}` lines and prints one summary table: sluice
 * next to ffmpeg/GStreamer measured in the same run, and the ratio.
 *
 *   deno task bench [--quick] [--only NAME[,NAME]] [--json FILE]
 *
 * --quick: smaller inputs and shorter load runs (a smoke run, ~3 minutes).
 * --only: run only the benches whose name contains NAME (see the list below).
 * --json: also write every collected result to FILE (one JSON object per line).
 * Generated inputs go to one temp dir (BENCH_TMP for the benches), removed at the end.
 */
import { type BenchResult, fmt } from "./_bench.ts";

interface Bench {
  name: string;
  file: string;
  args: string[];
  quickArgs: string[];
  /** Time bound, seconds (full run; quick runs get half). */
  timeoutS: number;
}

const BENCHES: Bench[] = [
  {
    name: "ingest_h264",
    file: "ingest_bench.ts",
    args: ["--codec", "h264"],
    quickArgs: ["--codec", "h264"],
    timeoutS: 240,
  },
  {
    name: "ingest_h265",
    file: "ingest_bench.ts",
    args: ["--codec", "h265"],
    quickArgs: ["--codec", "h265"],
    timeoutS: 240,
  },
  { name: "mpegts", file: "mpegts_bench.ts", args: [], quickArgs: [], timeoutS: 180 },
  { name: "frames", file: "frames_bench.ts", args: [], quickArgs: [], timeoutS: 180 },
  {
    name: "h26x_depay",
    file: "h26x_depay_bench.ts",
    args: ["200"],
    quickArgs: ["40"],
    timeoutS: 180,
  },
  {
    name: "av1_jxs_depay",
    file: "av1_jxs_depay_bench.ts",
    args: ["200"],
    quickArgs: ["40"],
    timeoutS: 120,
  },
  { name: "rtp", file: "rtp_bench.ts", args: [], quickArgs: [], timeoutS: 180 },
  { name: "rtp_loopback", file: "rtp_loopback_bench.ts", args: [], quickArgs: [], timeoutS: 180 },
  {
    name: "udp",
    file: "udp_bench.ts",
    args: ["--seconds", "2"],
    quickArgs: ["--seconds", "1", "--rates", "10000,100000", "--kinds", "recvmmsg"],
    timeoutS: 120,
  },
  {
    name: "outputs",
    file: "outputs_bench.ts",
    args: [],
    quickArgs: ["--n", "1,10"],
    timeoutS: 240,
  },
  {
    name: "srt",
    file: "srt_bench.ts",
    args: ["--n", "1,4", "--seconds", "5"],
    quickArgs: ["--n", "1", "--seconds", "3"],
    timeoutS: 120,
  },
  { name: "startup", file: "startup_bench.ts", args: [], quickArgs: [], timeoutS: 180 },
  {
    name: "takeover",
    file: "takeover_bench.ts",
    args: ["--rounds", "3"],
    quickArgs: ["--rounds", "1"],
    timeoutS: 240,
  },
  { name: "fleet", file: "fleet_bench.ts", args: [], quickArgs: [], timeoutS: 180 },
]; // deno-fmt-ignore

function flag(name: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

/** Runs one bench; echoes its output; returns its BENCH results and how it ended. */
async function runOne(
  b: Bench,
  quick: boolean,
  tmp: string,
): Promise<{ results: BenchResult[]; status: string; s: number }> {
  const file = new URL(b.file, import.meta.url).pathname;
  const args = ["run", "--unstable-net", "--allow-all", file, ...(quick ? b.quickArgs : b.args)];
  if (quick) args.push("--quick");
  // setsid: the bench leads its own process group, so its peers die with it on overrun.
  const child = new Deno.Command("setsid", {
    args: [Deno.execPath(), ...args],
    env: { BENCH_TMP: tmp, BENCH_QUICK: quick ? "1" : "0" },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const limit = quick ? Math.ceil(b.timeoutS / 2) : b.timeoutS;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch { /* already gone */ }
  }, limit * 1000);
  const t0 = performance.now();
  const results: BenchResult[] = [];
  let rest = "";
  const dec = new TextDecoder();
  const line = (l: string) => {
    if (!l.startsWith("BENCH ")) return console.log(`  ${l}`);
    try {
      results.push(JSON.parse(l.slice(6)) as BenchResult);
    } catch {
      console.log(`  (unparsable) ${l}`);
    }
  };
  for await (const chunk of child.stdout) {
    rest += dec.decode(chunk, { stream: true });
    const lines = rest.split("\n");
    rest = lines.pop()!;
    lines.forEach(line);
  }
  if (rest) line(rest);
  const st = await child.status;
  clearTimeout(timer);
  const s = (performance.now() - t0) / 1000;
  const status = timedOut ? `killed after ${limit} s` : st.success ? "ok" : `exit ${st.code}`;
  return { results, status, s };
}

function table(rows: BenchResult[]): void {
  const head = [
    "measurement",
    "unit",
    "sluice",
    "ffmpeg",
    "gstreamer",
    "s/ffmpeg",
    "s/gst",
    "other peer",
  ];
  const body = rows.map((r) => [
    r.name,
    r.unit,
    fmt(r.sluice),
    fmt(r.ffmpeg),
    fmt(r.gstreamer),
    r.ffmpeg ? fmt(r.sluice / r.ffmpeg) : "-",
    r.gstreamer ? fmt(r.sluice / r.gstreamer) : "-",
    r.other ? `${fmt(r.other)} ${r.otherName ?? ""} (s/o ${fmt(r.sluice / r.other)})` : "",
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const show = (r: string[]) =>
    console.log(r.map((c, i) => (i < 2 || i === 7 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  "));
  show(head);
  show(w.map((n) => "-".repeat(n)));
  body.forEach(show);
}

async function main(): Promise<number> {
  const quick = Deno.args.includes("--quick");
  const only = flag("only")?.split(",");
  const jsonOut = flag("json");
  const chosen = BENCHES.filter((b) => !only || only.some((o) => b.name.includes(o)));
  if (chosen.length === 0) {
    console.error(`--only matched nothing; benches: ${BENCHES.map((b) => b.name).join(", ")}`);
    return 2;
  }
  const tmp = await Deno.makeTempDir({ prefix: "sluice_bench_" });
  const all: BenchResult[] = [];
  const statuses: string[] = [];
  const t0 = performance.now();
  try {
    for (const b of chosen) {
      console.log(`== ${b.name} (${b.file}${quick ? ", quick" : ""})`);
      const r = await runOne(b, quick, tmp);
      statuses.push(`${b.name}: ${r.status}, ${r.s.toFixed(0)} s, ${r.results.length} results`);
      all.push(...r.results);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
  const total = (performance.now() - t0) / 1000;
  console.log(
    `\n== summary (${new Date().toISOString()}, ${total.toFixed(0)} s, deno ` +
      `${Deno.version.deno}; higher is better except loss/CPU rows)`,
  ); // deno-fmt-ignore
  table(all);
  console.log("");
  statuses.forEach((s) => console.log(s));
  if (jsonOut) {
    await Deno.writeTextFile(
      jsonOut,
      all.map((r) => JSON.stringify(r)).join("\n") + "\n",
    );
  }
  return statuses.every((s) => s.includes(": ok,")) ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
