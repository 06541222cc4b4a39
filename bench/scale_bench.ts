/**
 * The scale ladder: sluice (its own process, a fresh one per step) receiving N RTP
 * streams, M SRT streams, or both, of 1080p30 8 Mb/s H.264 from one scripts/loadgen.ts
 * process (RTP: ffmpeg's packetization of the TS replayed per SSRC from its own socket;
 * SRT: libsrt callers sending the TS paced by its PCR), then the same load into GStreamer
 * (`udpsrc ! rtpssrcdemux ! [rtpjitterbuffer !] rtph264depay ! fakesink` per SSRC) and
 * into srt-live-transmit (one per SRT stream) where they can take it. One table:
 *
 *   kernel drops   datagrams the kernel dropped on the receiver's sockets (/proc/net/udp;
 *                  for SRT these are retransmitted if there is time)
 *   lost           packets gone for good: RTP sequence gaps the jitter buffer gave up on
 *                  plus packets libsrt dropped as too late (sluice's stream counters)
 *   frames exact   streams whose video frame count equals what was sent (RTP: the
 *                  capture's frames x loops; SRT: ffprobe's video packet count of the TS)
 *   CPU            receiver and sender, % of one core over the window (/proc/<pid>/stat)
 *   RSS            receiver's largest resident set during the window
 *   lag p99        sluice's event-loop lag, 99th percentile (/api/v1/stats)
 *   API p99        GET /api/v1/streams and /api/v1/health round trips during the window
 *
 * Then one 8 Mb/s SRT stream: sluice against srt-live-transmit and against the Deno floor
 * (scale/srt_floor.ts: a Deno process that only reads the stream on sluice's default 10 ms
 * timer with sluice's libsrt calls and drops the bytes), the same sender and window,
 * receiver CPU from /proc, CPU ms per Mbit sent (alternated, median of rounds),
 * `--single-seconds` long (default 30: the steady window starts after `--single-from` s,
 * default 4, once the GOP buffer has filled; V8 keeps tiering sluice's per-frame code up for
 * ~20 s of one stream, so `--single-seconds 60 --single-from 30` is the fully warm figure);
 * `--single-read-interval 30ms` adds a sluice with
 * that `srt.read_interval` to the rotation.
 *
 *   deno run --unstable-net --allow-all bench/scale_bench.ts [--quick]
 *     [--rtp 25,50,100,150,200] [--srt 8,16,32,64,100] [--mixed 50+50,100+100]
 *     [--step-seconds 10] [--no-peers] [--cold 100] [--single-rounds 3] [--json FILE]
 *     [--single-seconds 30] [--single-from 4] [--single-read-interval 30ms]
 *     [--rtp-socket-buffer 32MB]
 *
 * Cold start: --cold N RTP streams all starting within 0.1 s of a fresh sluice, with
 * ingestion.warmup off and on, alternated (3 rounds): kernel drops and lost packets.
 */
import { arg, benchTmp, emit, fmt, generatedTs, isQuick } from "./_bench.ts";
import { scaleInputs } from "./scale/inputs.ts";
import { histogramQuantile } from "./scale/histogram.ts";
import { printTable, type Row, rowOf } from "./scale/rows.ts";
import { cpuOf, memOf, startSluice } from "./scale/procs.ts";
import { peerDrops, startGstRtp, startSlt, startSrtFloor } from "./scale/peers.ts";
import {
  bytesSent,
  kernelDrops,
  type Load,
  measure,
  percentile,
  runLoadgen,
} from "./scale/step.ts";

type Json = Record<string, unknown>;

const quick = isQuick();
const list = (name: string, def: string) =>
  arg(name, def).split(",").map(Number).filter((x) => Number.isInteger(x) && x > 0 && x <= 1000);
const RTP_STEPS = list("rtp", quick ? "25,100" : "25,50,100,150,200");
const SRT_STEPS = list("srt", quick ? "8,32" : "8,16,32,64,100");
const MIXED = arg("mixed", quick ? "25+25" : "50+50,100+100").split(",")
  .map((s) => s.split("+").map(Number)).filter((p) => p.length === 2 && p.every((x) => x > 0));
const STEP_S = Math.min(60, Math.max(2, Number(arg("step-seconds", quick ? "5" : "10"))));
const PEERS = !Deno.args.includes("--no-peers");
/** Rounds of the one-SRT-stream comparison (0: skip it). */
const SINGLE = Number(arg("single-rounds", quick ? "1" : "3"));
/** Length of each one-stream run, s. */
const SINGLE_S = Math.min(120, Math.max(8, Number(arg("single-seconds", quick ? "10" : "30"))));
/** Start of the steady window of a one-stream run, s (it ends 2 s before the run does). */
const SINGLE_FROM = Math.min(SINGLE_S - 4, Math.max(2, Number(arg("single-from", "4"))));
/** `srt.read_interval` of an extra sluice in the one-stream rotation (empty: none). */
const SINGLE_RI = arg("single-read-interval", "");
/** `rtp.socket_buffer` of the sluice under test (empty: the default). */
const RTP_BUFFER = arg("rtp-socket-buffer", "");
/** Streams of the cold-start comparison (0: skip it). */
const COLD = Number(arg("cold", "100"));
/** Largest SRT step given to srt-live-transmit (one process per stream). */
const SLT_MAX = 32;
/** Largest RTP step given to GStreamer with a jitter buffer per SSRC. */
const GST_JITTER_MAX = 100;

/** ffprobe's video packet count of a file (the frame oracle of the SRT streams). */
async function videoPackets(file: string): Promise<number> {
  const out = await new Deno.Command("ffprobe", {
    args: ["-v", "error", "-count_packets", "-select_streams", "v:0"]
      .concat(["-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", file]),
    stdout: "piped",
  }).output();
  // The stream is listed once more under its program: take the first line.
  return Number(new TextDecoder().decode(out.stdout).trim().split("\n")[0]);
}

/** SRT callers that could not connect, from a loadgen report (srt or mixed mode). */
function connectErrors(r: Json): number {
  const srt = (r.mode === "mixed" ? r.srt : r) as Json | undefined;
  return (srt?.connectErrors as unknown[] | undefined)?.length ?? 0;
}

function sum(xs: Json[], f: (s: Json) => unknown): number {
  return xs.reduce((a, s) => a + (Number(f(s)) || 0), 0);
}

function videoFrames(s: Json): number {
  const v = (s.tracks as Json[] | undefined)?.find((t) => t.kind === "video");
  return Number(v?.frames ?? 0);
}

async function sluiceStep(
  dir: string,
  step: string,
  load: Omit<Load, "rtpPort" | "srtPort">,
  srtFrames: number,
): Promise<Row> {
  const s = await startSluice(dir, { rtp: RTP_BUFFER ? `  socket_buffer: ${RTP_BUFFER}\n` : "" });
  try {
    await new Promise((r) => setTimeout(r, 300));
    const w = await measure([s.pid], { ...load, rtpPort: s.rtpPort, srtPort: s.srtPort }, s.get);
    // The figures after the run; a sluice still busy (or stuck) gets up to 60 s to answer,
    // and how long it took is in the note rather than the bench failing without a table.
    const tAfter = performance.now();
    const patient = async (path: string) => {
      for (;;) {
        try {
          return await s.get(path);
        } catch (e) {
          if (performance.now() - tAfter > 60_000) throw e;
          await new Promise((r) => setTimeout(r, 250)); // refused at once if sluice died
        }
      }
    };
    const health = (await patient("/api/v1/health")).listeners as Record<string, Json>;
    const afterMs = performance.now() - tAfter;
    const stats = await patient("/api/v1/stats");
    const streams = (await patient("/api/v1/streams")).streams as Json[];
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    const frameP99 = histogramQuantile(metrics, "sluice_frame_latency_seconds", 0.99);
    const rtp = streams.filter((x) => x.protocol === "rtp");
    const srt = streams.filter((x) => x.protocol === "srt");
    const rtpWant = Number(
      (load.srt > 0 && load.rtp > 0 ? w.report.rtp as Json : w.report)
        ?.framesPerSource ?? 0,
    );
    const exact = rtp.filter((x) => videoFrames(x) === rtpWant).length +
      srt.filter((x) => videoFrames(x) === srtFrames).length;
    const tr = (x: Json) => (x.transport ?? {}) as Json;
    const missing = load.rtp - rtp.length + load.srt - srt.length;
    // Drops in the first 2 s (cold start, streams arriving) against the rest.
    const early = w.dropsAt.filter((d) => d.t <= 2).at(-1)?.drops ?? 0;
    const drops = kernelDrops({ listeners: health });
    return rowOf(step, "sluice", w, {
      kernelDrops: drops,
      lost: sum(rtp, (x) => tr(x).lost) + sum(srt, (x) => tr(x).packetsDropped),
      recovered: sum(srt, (x) => tr(x).packetsLost),
      framesExact: `${exact}/${load.rtp + load.srt}`,
      lagP99Ms: Number(stats.eventLoopLagP99Ms),
      apiP99Ms: percentile(w.apiMs, 99),
      frameP99Ms: frameP99 === null ? null : frameP99 * 1000,
      note: [
        w.busiest ? `busiest thread ${w.busiest.name} ${w.busiest.pct.toFixed(0)}%` : "",
        drops > 0 ? `${early} of the drops in the first 2 s` : "",
        missing > 0 ? `${missing} streams missing` : "",
        connectErrors(w.report) > 0 ? `${connectErrors(w.report)} SRT connects failed` : "",
        afterMs > 1000 ? `API answered ${(afterMs / 1000).toFixed(1)} s after the run` : "",
      ].filter((x) => x).join("; "),
    });
  } finally {
    await s.stop();
  }
}

async function gstStep(
  dir: string,
  n: number,
  jitter: boolean,
  load: Omit<Load, "rtpPort" | "srtPort">,
) {
  const g = await startGstRtp(n, jitter);
  if (!g) return undefined;
  try {
    const w = await measure(g.pids, { ...load, rtpPort: g.port, srtPort: 0 });
    return rowOf(`rtp ${n}`, jitter ? "gst +jitterbuffer" : "gst", w, {
      kernelDrops: peerDrops(g),
    });
  } finally {
    await g.stop();
    void dir;
  }
}

async function sltStep(n: number, load: Omit<Load, "rtpPort" | "srtPort">) {
  const p = await startSlt(n);
  if (!p) return undefined;
  try {
    const w = await measure(p.pids, { ...load, rtpPort: 0, srtPort: p.port, srtPortCount: n });
    return rowOf(`srt ${n}`, "srt-live-transmit", w, { kernelDrops: peerDrops(p) });
  } finally {
    await p.stop();
  }
}

/** CPU ms per Mbit of one receiver run (see singleSrt) and its RSS, MB. */
type One = { run: number; steady: number; rss: number };
/** Medians over the rounds of one receiver, and each round's steady figure. */
type OneMedian = One & { rounds: number; each: number[] };

/**
 * One 8 Mb/s SRT stream: sluice vs srt-live-transmit and the Deno floor (and, with
 * --single-read-interval, sluice at that read interval) receiving the same loadgen caller,
 * alternated, `rounds` each. CPU of the receiving process from /proc, per Mbit sent: "run"
 * over the whole run (connect, JIT warm-up and tail included), "steady" from SINGLE_FROM s
 * to 2 s before the end (the TS is paced by its PCR, so Mbit = send rate x window).
 */
async function singleSrt(dir: string, ts: string, rounds: number) {
  const load = { rtp: 0, srt: 1, loops: 1, rtpCapture: "", ts };
  const names = ["sluice", ...(SINGLE_RI ? ["sluice_ri"] : []), "floor", "slt"] as const;
  const out: Record<string, One[]> = {};
  const one = async (pid: number, srtPort: number): Promise<One> => {
    const c0 = cpuOf(pid);
    const running = runLoadgen({ ...load, rtpPort: 0, srtPort });
    await new Promise((r) => setTimeout(r, SINGLE_FROM * 1000));
    const c1 = cpuOf(pid), t1 = performance.now();
    await new Promise((r) => setTimeout(r, (SINGLE_S - SINGLE_FROM - 2) * 1000));
    const c2 = cpuOf(pid), t2 = performance.now();
    const rss = memOf(pid);
    const rep = await running;
    const c3a = cpuOf(pid);
    await new Promise((r) => setTimeout(r, 500));
    // srt-live-transmit may exit once its caller has gone: its last reading then.
    const c3b = cpuOf(pid);
    const c3 = Number.isFinite(c3b) ? c3b : c3a;
    const mbit = (bytesSent(rep) * 8) / 1e6;
    const mbitPerS = mbit / rep.elapsedSec;
    return {
      run: ((c3 - c0) * 1000) / mbit,
      steady: ((c2 - c1) * 1000) / (mbitPerS * ((t2 - t1) / 1000)),
      rss: rss / 2 ** 20,
    };
  };
  for (let i = 0; i < rounds; i++) {
    for (const name of names) {
      if (name === "slt" || name === "floor") {
        const p = name === "slt" ? await startSlt(1) : await startSrtFloor();
        if (!p) continue;
        try {
          (out[name] ??= []).push(await one(p.pids[0], p.port));
        } finally {
          await p.stop();
        }
        continue;
      }
      const s = await startSluice(
        dir,
        name === "sluice_ri" ? { srt: `  read_interval: ${SINGLE_RI}\n` } : {},
      );
      try {
        await new Promise((r) => setTimeout(r, 300));
        (out[name] ??= []).push(await one(s.pid, s.srtPort));
      } finally {
        await s.stop();
      }
    }
  }
  const med = (name: string): OneMedian => {
    const xs = out[name] ?? [];
    const m = (k: keyof One) => {
      const v = xs.map((x) => x[k]).filter(Number.isFinite);
      return v.length ? percentile(v, 50) : NaN;
    };
    return {
      run: m("run"),
      steady: m("steady"),
      rss: m("rss"),
      rounds: xs.length,
      each: xs.map((x) => x.steady),
    };
  };
  return {
    sluice: med("sluice"),
    sluiceRi: SINGLE_RI ? med("sluice_ri") : undefined,
    floor: med("floor"),
    slt: med("slt"),
    all: out,
  };
}

/**
 * Cold start: `n` RTP streams starting within ~0.1 s of a fresh sluice's first health
 * answer (+300 ms), 3 s long, with ingestion.warmup off and on, alternated; kernel drops
 * and packets lost (jitter-buffer gaps) per run.
 */
async function coldStart(dir: string, capture: string, n: number, rounds: number) {
  const out: Record<"off" | "on", { drops: number; lost: number; readyMs: number }[]> = {
    off: [],
    on: [],
  };
  for (let i = 0; i < rounds; i++) {
    for (const warm of [false, true]) {
      const s = await startSluice(dir, { warmup: warm });
      try {
        await new Promise((r) => setTimeout(r, 300));
        await measure([s.pid], {
          rtp: n,
          srt: 0,
          loops: 1,
          seconds: 3,
          staggerMs: 0.1 / n * 1000,
          rtpCapture: capture,
          ts: "",
          rtpPort: s.rtpPort,
          srtPort: 0,
        });
        const streams = (await s.get("/api/v1/streams")).streams as Json[];
        out[warm ? "on" : "off"].push({
          drops: kernelDrops(await s.get("/api/v1/health")),
          lost: sum(streams, (x) => (x.transport as Json | undefined)?.lost),
          readyMs: Math.round(s.readyMs),
        });
      } finally {
        await s.stop();
      }
    }
  }
  return out;
}

if (import.meta.main) {
  const { dir, cleanup } = await benchTmp();
  try {
    const inputs = await scaleInputs(dir, STEP_S);
    const srtFrames = await videoPackets(inputs.ts);
    const base = { loops: 1, rtpCapture: inputs.rtp, ts: inputs.ts };
    const rows: Row[] = [];
    const run = async (p: Promise<Row | undefined>) => {
      const r = await p;
      if (!r) return;
      rows.push(r);
      console.log(`# ${JSON.stringify(r)}`);
    };
    for (const n of RTP_STEPS) {
      const load = { ...base, rtp: n, srt: 0 };
      await run(sluiceStep(dir, `rtp ${n}`, load, srtFrames));
      if (PEERS) await run(gstStep(dir, n, false, load));
      if (PEERS && n <= GST_JITTER_MAX && !quick) await run(gstStep(dir, n, true, load));
    }
    for (const n of SRT_STEPS) {
      const load = { ...base, rtp: 0, srt: n };
      await run(sluiceStep(dir, `srt ${n}`, load, srtFrames));
      if (PEERS && n <= SLT_MAX) await run(sltStep(n, load));
    }
    for (const [r, s] of MIXED) {
      await run(sluiceStep(dir, `mixed ${r}+${s}`, { ...base, rtp: r, srt: s }, srtFrames));
    }
    const cold = COLD > 0 ? await coldStart(dir, inputs.rtp, COLD, quick ? 1 : 3) : undefined;
    const one = SINGLE > 0
      ? await singleSrt(dir, await generatedTs(dir, "h264", SINGLE_S), SINGLE)
      : undefined;
    console.log(`\nScale ladder, ${STEP_S} s per step, 1080p30 8 Mb/s H.264 per stream:\n`);
    printTable(rows);
    if (one) {
      const f = (x: OneMedian) =>
        `${fmt(x.run)} (whole run) / ${fmt(x.steady)} (steady, rounds ` +
        `${x.each.map((v) => fmt(v)).join(" ")}) CPU ms/Mbit, RSS ${fmt(x.rss)} MB`;
      const ri = one.sluiceRi
        ? `; sluice with srt.read_interval ${SINGLE_RI} ${f(one.sluiceRi)}`
        : "";
      console.log(
        `\nOne 8 Mb/s SRT stream, ${SINGLE_S} s runs (window from ${SINGLE_FROM} s), same ` +
          `loadgen caller, receiver CPU from ` +
          `/proc, median of ${one.sluice.rounds}: sluice ${f(one.sluice)}${ri}; ` +
          `Deno floor (10 ms) ${f(one.floor)}; srt-live-transmit ${f(one.slt)}`,
      );
    }
    if (cold) {
      console.log(
        `\nCold start, ${COLD} RTP streams starting within 0.1 s, 3 s each: kernel drops / lost ` +
          `packets / spawn->health ms per run; warm-up off: ` +
          cold.off.map((r) => `${r.drops}/${r.lost}/${r.readyMs}`).join(", ") +
          `; warm-up on: ${cold.on.map((r) => `${r.drops}/${r.lost}/${r.readyMs}`).join(", ")}`,
      );
    }
    for (const r of rows.filter((x) => x.receiver === "sluice")) {
      const peer = rows.find((x) => x.step === r.step && x.receiver !== "sluice");
      emit({
        name: `scale ${r.step} cpu`,
        unit: "% core",
        sluice: r.cpuPct,
        ...(peer ? { other: peer.cpuPct, otherName: peer.receiver } : {}),
        note: `lost ${r.lost}, kernel drops ${r.kernelDrops}, frames exact ${r.framesExact}, ` +
          `lag p99 ${fmt(r.lagP99Ms)} ms, API p99 ${fmt(r.apiP99Ms)} ms, RSS ${fmt(r.rssMb)} MB`,
      });
    }
    if (one) {
      const variants = [["", one.sluice], [` read_interval ${SINGLE_RI}`, one.sluiceRi]] as const;
      for (const [label, x] of variants) {
        if (!x) continue;
        emit({
          name: `scale srt 1x8Mb/s cpu steady${label}`,
          unit: "cpu ms/Mbit",
          sluice: x.steady,
          other: Number.isFinite(one.slt.steady) ? one.slt.steady : undefined,
          otherName: "srt-live-transmit",
          note: `same loadgen caller, ${SINGLE_S} s runs, window from ${SINGLE_FROM} s; ` +
            `whole run ${fmt(x.run)} vs ` +
            `${fmt(one.slt.run)}; RSS ${fmt(x.rss)} vs ${fmt(one.slt.rss)} MB`,
        });
      }
      emit({
        name: "scale srt 1x8Mb/s cpu steady, Deno floor",
        unit: "cpu ms/Mbit",
        sluice: one.floor.steady,
        other: Number.isFinite(one.slt.steady) ? one.slt.steady : undefined,
        otherName: "srt-live-transmit",
        note:
          "scale/srt_floor.ts: reads on a 10 ms timer and drops the bytes (the runtime's floor)",
      });
    }
    const json = arg("json", "");
    if (json) await Deno.writeTextFile(json, JSON.stringify({ rows, one, cold }, null, 1));
  } finally {
    await cleanup();
  }
}
