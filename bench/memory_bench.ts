/**
 * Memory of sluice (its own process, bench/scale/procs.ts) per stream and after churn:
 *   baseline     a fresh sluice, 3 s after its first health answer;
 *   idle SRT     N libsrt callers connected and sending nothing (scripts/loadgen.ts
 *                --hold-seconds): (RSS - baseline) / N;
 *   RTP          N 8 Mb/s RTP streams replaying the 1080p capture: (RSS - baseline) / N,
 *                and the share of it that is buffered media (GOP buffers, bufferedBytes);
 *   after churn  R rounds of N RTP + N/2 SRT streams, every stream closed and removed
 *                (`ingestion.closed_retention: 1s`), then --settle seconds: RSS and V8 heap
 *                in use against the baseline (the goal: within 20%).
 * RSS from /proc/<pid>/status (VmRSS), heap from /api/v1/stats memory.heapUsedBytes; the
 * trail of both every 2 s while settling is printed too (V8 frees buffers at its next GC,
 * lib/app/memory_trim.ts gives glibc's free pages back at its next check).
 *
 *   deno run --unstable-net --allow-all bench/memory_bench.ts [--streams 50] [--rounds 3]
 *     [--settle 30] [--quick]
 */
import { arg, benchTmp, emit, fmt, isQuick } from "./_bench.ts";
import { scaleInputs } from "./scale/inputs.ts";
import { memOf, type SluiceProc, startSluice } from "./scale/procs.ts";
import { loadgen } from "./scale/step.ts";

type Json = Record<string, unknown>;
const MB = 2 ** 20;

interface Snap {
  rss: number;
  heap: number;
  buffered: number;
  streams: number;
}

async function snap(s: SluiceProc): Promise<Snap> {
  const st = await s.get("/api/v1/stats");
  const mem = st.memory as Json;
  return {
    rss: memOf(s.pid),
    heap: Number(mem.heapUsedBytes),
    buffered: Number(mem.bufferedBytes),
    streams: Number((st.streams as Json).total),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** While `work` runs, the snapshot taken `atMs` after it started. */
async function during(s: SluiceProc, work: Promise<unknown>, atMs: number): Promise<Snap> {
  await sleep(atMs);
  const x = await snap(s);
  await work;
  return x;
}

async function variant(
  dir: string,
  inputs: { ts: string; rtp: string },
  n: number,
  rounds: number,
  settleS: number,
  env?: Record<string, string>,
) {
  const s = await startSluice(dir, { ingestion: "  closed_retention: 1s\n", env });
  try {
    await sleep(3000);
    const base = await snap(s);
    const idle = await during(
      s,
      loadgen(["--mode", "srt", "--srt-port", `${s.srtPort}`, "--callers", `${n}`]
        .concat(["--hold-seconds", "8", "--stagger-ms", "20"])),
      6000,
    );
    await sleep(2500);
    const rtpArgs = (k: number) =>
      ["--port", `${s.rtpPort}`, "--capture", inputs.rtp, "--ssrc-count", `${k}`]
        .concat(["--sockets", "per-source", "--loops", "1", "--stagger-ms", "10"]);
    const rtp = await during(s, loadgen(["--mode", "rtp", ...rtpArgs(n)]), 8000);
    for (let r = 0; r < rounds; r++) {
      await sleep(1500);
      await loadgen([
        "--mode",
        "mixed",
        ...rtpArgs(n),
        ...["--srt-port", `${s.srtPort}`, "--ts", inputs.ts, "--callers", `${n >> 1}`],
        ...["--streamid-prefix", `churn${r}`],
      ]);
    }
    // Closed streams leave after closed_retention (1 s) + the manager's tick; then settle.
    const trail: Snap[] = [];
    for (let t = 0; t < settleS; t += 2) {
      await sleep(2000);
      trail.push(await snap(s));
    }
    return { base, idle, rtp, after: trail[trail.length - 1], trail };
  } finally {
    await s.stop();
  }
}

if (import.meta.main) {
  const quick = isQuick();
  const n = Number(arg("streams", quick ? "20" : "50"));
  const rounds = Number(arg("rounds", quick ? "1" : "3"));
  const settle = Number(arg("settle", quick ? "20" : "30"));
  const { dir, cleanup } = await benchTmp();
  try {
    const inputs = await scaleInputs(dir, 10);
    const variants: [string, Record<string, string> | undefined][] = [["sluice", undefined]];
    console.log(`\nMemory, ${n} streams, ${rounds} churn rounds, ${settle} s settle:\n`);
    console.log(
      "| variant | baseline RSS / heap MB | per idle SRT stream MB | per 8 Mb/s RTP stream MB " +
        "(buffered media) | after churn RSS / heap MB | after / baseline |",
    );
    console.log("| --- | --- | --- | --- | --- | --- |");
    for (const [name, env] of variants) {
      const v = await variant(dir, inputs, n, rounds, settle, env);
      const per = (x: Snap) => (x.rss - v.base.rss) / n / MB;
      const rss = v.after.rss / v.base.rss, heap = v.after.heap / v.base.heap;
      console.log(
        `| ${name} | ${fmt(v.base.rss / MB)} / ${fmt(v.base.heap / MB)} | ${fmt(per(v.idle))} | ` +
          `${fmt(per(v.rtp))} (${fmt(v.rtp.buffered / n / MB)}) | ${fmt(v.after.rss / MB)} / ` +
          `${fmt(v.after.heap / MB)} (${v.after.streams} streams listed) | ${fmt(rss)} / ${
            fmt(heap)
          } |`,
      );
      console.log(
        `# trail (RSS MB/heap MB): ${
          v.trail.map((x) => `${fmt(x.rss / MB)}/${fmt(x.heap / MB)}`).join(" ")
        }`,
      );
      emit({ name: `memory ${name} per idle srt stream`, unit: "MB", sluice: per(v.idle) });
      emit({ name: `memory ${name} per rtp stream`, unit: "MB", sluice: per(v.rtp) });
      emit({ name: `memory ${name} rss after churn / baseline`, unit: "ratio", sluice: rss });
      emit({ name: `memory ${name} heap after churn / baseline`, unit: "ratio", sluice: heap });
    }
  } finally {
    await cleanup();
  }
}
