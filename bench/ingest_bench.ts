/**
 * The whole MPEG-TS ingest path from memory, as an SRT connection feeds it: TsInput
 * (TsDemuxer, ISO/IEC 13818-1 2.4.3 + AnnexBAssembler, H.264 B.1 / H.265 B.2) -> Stream
 * (track stats, parameter-set tracking) -> FrameStore (GOP buffer + output queue), read as
 * the SRT listener reads it (bench/_srt_reads.ts): 1316-byte messages copied one by one
 * into the reused drain buffer, the messages of one read (10 ms at the input's rate by
 * default, `--per-read N` to set) handed on as one chunk. The peers read their file: a copy
 * too. (Until 2026-12-06 the messages were pushed one by one as views of the file in
 * memory, no copy; then one by one through a copy.) The demuxer reuses its payload views of
 * that buffer (lib/container/mpegts/payload_views.ts).
 * Side by side, in the same run, on
 * the same file: `ffmpeg -map 0 -c copy -f null -` and GStreamer
 * `filesrc ! tsdemux ! queue ! h264parse ! video/x-h264,alignment=au ! fakesink` (+ a
 * queue ! aacparse branch; without the queues two sinks deadlock in preroll).
 *
 *   deno run --allow-all bench/ingest_bench.ts [--codec h264|h265] [--quick] [--per-read N]
 *     [--keep-streams]
 *
 * Input: a generated 1080p30 8 Mb/s TS + AAC, 60 s (10 s with --quick), in $BENCH_TMP.
 * sluice: the first pass in this fresh process ("cold": the JIT warms up over the first
 * tens of MB) and the best of the later passes ("warm"); MB/s wall and MB per CPU-second
 * (getrusage of this process, GC threads included; warm: the least CPU per pass over 10
 * groups of 3 passes; warm-median: the median group, full GCs included). Each of those
 * passes is a new stream's first minute; "steady" is a stream past it: one stream fed the
 * input 5 times as one continuous TS (bench/_ts_loop.ts), CPU of copies 2-5, least and
 * median over 4 such streams (16 copies) after one not counted (STEADY_STREAMS says
 * why). Peers: "steady" = a 5x file minus the 1x file, so start-up is removed
 * (bench/README.md; more copies for a small --quick input, see steadyFactor), 5 runs each:
 * the least-wall runs' CPU beside sluice's least rows, the median CPU beside its median
 * rows (until 2026-12-06 the best of 3 beside every row). Two more rows put the cost where it is: the
 * demuxer alone and the demuxer + access-unit assembler (bench/ingest_stages.ts), warm,
 * against the same peers' whole run; a third the floor any TypeScript reader of these
 * bytes has (header, payload copy, the start codes up to the first slice; ingest_stages.ts
 * says why).
 */
import { TsInput } from "../lib/pipeline/ts_input.ts";
import { type IngestStage, stageOnce } from "./ingest_stages.ts";
import { messagesPerRead, SrtReads } from "./_srt_reads.ts";
import { FrameStore } from "../lib/pipeline/frame_store.ts";
import { Stream } from "../lib/stream/stream.ts";
import { loopTs } from "./_ts_loop.ts";
import {
  arg,
  type BenchCodec,
  benchTmp,
  cpuSelf,
  emit,
  fmt,
  generatedTs,
  isQuick,
  median,
  repeated,
  steadyFactor,
  steadyPeer,
} from "./_bench.ts";

/** Groups of 3 passes the warm CPU is the least of (10: this shared box moves one group by 2x). */
const WARM_GROUPS = 10;

/**
 * `--keep-streams`: a finished stream's input is only flushed and the stream dropped, not
 * closed and removed, so its slabs never serve the next one (the method until 2026-12-06,
 * late).
 */
const KEEP_STREAMS = Deno.args.includes("--keep-streams");

/** Runs of each peer on the 1x and the big file (least and median taken). */
const PEER_RUNS = 5;

/** Copies of the input one "steady" stream is fed (the first is not counted). */
const STEADY_LOOPS = 5;
/**
 * Streams the "steady" rows are measured over, after one more that is not counted: the
 * first long stream in a process is the first to reach what only a stream past its first
 * minute does (the A/V estimator's full window, older GOPs rotating out at later
 * timestamps), and V8 compiles those paths while it runs (--trace-opt: 18 ms of
 * compilation in its second copy, 3-9 ms in the others, none by the third stream;
 * bench/README.md). Its copies cost 1.2-1.6x those of the streams after it.
 */
const STEADY_STREAMS = 4;

/** The ingest path as lib/app/listeners.ts builds it for one SRT connection. */
function ingestPath() {
  const stream = new Stream({ protocol: "srt", name: "bench", remote: "127.0.0.1:1" }, undefined, {
    frameSink: (s) =>
      new FrameStore({
        maxGops: 3,
        maxBytes: 400 * 1024 * 1024,
        count: (reason, n) => s.count(reason, n),
        params: s.params,
      }),
  });
  // as lib/app/listeners.ts builds it: the store's passthrough tap, idle (no consumer)
  const tap = (stream.frameSink as FrameStore).tsTap;
  const input = new TsInput(stream, { frameTimeoutMs: 5000, tap });
  /** A read's chunk, as lib/pipeline/srt_adapter.ts's `data` takes it. */
  const sink = (chunk: Uint8Array, t: number) => {
    stream.received(chunk.length, Math.floor(chunk.length / 188), t);
    input.push(chunk, t);
  };
  return { stream, input, sink };
}

/**
 * One pass of the ingest path over the input (a new stream); frames per track and the time
 * taken. At its end, unless `keep`, the connection closes (`input.close()`, as
 * lib/pipeline/srt_adapter.ts does) and the stream is removed (`stream.discard()`, as
 * Manager.remove does once `ingestion.closed_retention` is over): its PES slabs then serve
 * the next stream (lib/core/slabs.ts). Both are counted in this pass's CPU.
 */
export function ingestOnce(reads: SrtReads, keep = KEEP_STREAMS) {
  const { stream, input, sink } = ingestPath();
  const c0 = cpuSelf();
  const t0 = performance.now();
  reads.feed(sink);
  if (keep) input.flush();
  else {
    input.close();
    stream.discard();
  }
  const s = (performance.now() - t0) / 1000;
  const cpu = cpuSelf() - c0;
  const frames = [...stream.tracks.values()].map((t) => `${t.info.codec}:${t.frames}`).join(" ");
  return { s, cpu, frames, errors: stream.errors.toJSON(), drops: stream.drops.toJSON() };
}

/**
 * One stream fed `looped`, the input `loops` times back to back (bench/_ts_loop.ts): CPU
 * seconds of each copy after the first, i.e. of a stream past its first pass (slabs
 * reused from the start, the A/V estimator's window full), and the stream's counters.
 */
export function steadyOnce(looped: SrtReads, loops: number) {
  const { stream, input, sink } = ingestPath();
  const size = looped.data.length / loops;
  let t = looped.feed(sink, 0, looped.at(size));
  const cpu: number[] = [];
  for (let k = 1; k < loops; k++) {
    const c0 = cpuSelf();
    t = looped.feed(sink, looped.at(k * size), looped.at((k + 1) * size), t);
    cpu.push(cpuSelf() - c0);
  }
  if (KEEP_STREAMS) input.flush();
  else {
    input.close();
    stream.discard();
  }
  const frames = [...stream.tracks.values()].map((t) => `${t.info.codec}:${t.frames}`).join(" ");
  return { cpu, frames, errors: stream.errors.toJSON(), drops: stream.drops.toJSON() };
}

function peers(codec: BenchCodec) {
  const parse = codec === "h264" ? "h264parse" : "h265parse";
  const caps = codec === "h264" ? "video/x-h264,alignment=au" : "video/x-h265,alignment=au";
  return {
    ffmpeg: (
      p: string,
    ) => ["ffmpeg", "-v", "error", "-i", p, "-map", "0", "-c", "copy", "-f", "null", "-"],
    gst: (p: string) =>
      ["gst-launch-1.0", "-q", "filesrc", `location=${p}`, "!", "tsdemux", "name=d"]
        .concat(["d.", "!", "queue", "!", parse, "!", caps, "!", "fakesink"])
        .concat(["d.", "!", "queue", "!", "aacparse", "!", "fakesink"]),
  }; // deno-fmt-ignore
}

async function bench(codec: BenchCodec, dir: string, seconds: number, passes: number) {
  const path = await generatedTs(dir, codec, seconds);
  const data = await Deno.readFile(path);
  const mb = data.length / 1e6;
  // messages a read: as the listener reads this stream by default, unless --per-read says
  const perRead = Number(arg("per-read", "0")) || messagesPerRead(data.length, seconds);
  const reads = new SrtReads(data, perRead);
  const cold = ingestOnce(reads);
  let warm = cold;
  for (let i = 1; i < passes; i++) {
    const r = ingestOnce(reads);
    if (r.s < warm.s || warm === cold) warm = r;
  }
  console.log(
    `ingest ${codec} ${seconds}s 1080p: ${mb.toFixed(1)} MB, frames ${warm.frames}, ` +
      `errors ${JSON.stringify(warm.errors)}, drops ${JSON.stringify(warm.drops)}`,
  );
  // Warm CPU per pass over groups of passes (one pass of the 10 s input is a few ms, under
  // the noise of the GC threads getrusage also counts): the least, and the median. The
  // least leaves out the groups a full GC fell in; the median keeps them, as a long run does.
  const warmCpu = (once: () => number) => {
    const per: number[] = [];
    for (let g = 0; g < WARM_GROUPS; g++) {
      let cpu = 0;
      for (let i = 0; i < 3; i++) cpu += once();
      per.push(cpu / 3);
    }
    per.sort((a, b) => a - b);
    return { best: per[0], median: median(per) };
  };
  const whole = warmCpu(() => ingestOnce(reads).cpu);
  // a stream past its first pass: copies 2..STEADY_LOOPS of the input in one stream
  const looped = new SrtReads(loopTs(data, STEADY_LOOPS, seconds * 90000), perRead);
  const steady: number[] = [];
  for (let r = 0; r <= STEADY_STREAMS; r++) {
    const st = steadyOnce(looped, STEADY_LOOPS);
    if (r > 0) steady.push(...st.cpu);
    else {
      const per = st.cpu.map((c) => fmt(looped.data.length / STEADY_LOOPS / 1e6 / c));
      console.log(
        `steady warm-up stream (not counted), copies 2-${STEADY_LOOPS}: ${per.join(" ")} MB/cpu-s`,
      );
    }
    if (r === 0) {
      console.log(
        `steady stream (${STEADY_LOOPS} x ${seconds}s): frames ${st.frames}, ` +
          `errors ${JSON.stringify(st.errors)}, ` +
          `drops ${JSON.stringify(st.drops)}`,
      );
    }
  }
  steady.sort((a, b) => a - b);
  const copyMb = looped.data.length / STEADY_LOOPS / 1e6;
  // the stages apart (bench/ingest_stages.ts), after a warm-up pass each
  const stageCpu = (st: IngestStage) => {
    stageOnce(reads, codec, st);
    return warmCpu(() => stageOnce(reads, codec, st).cpu).best;
  };
  const demuxCpu = stageCpu("demux");
  const asmCpu = stageCpu("demux+assembly");
  const floorCpu = stageCpu("floor");
  const k = steadyFactor(data.length);
  const big = await repeated(path, k, `${dir}/in_${codec}_${seconds}s_x${k}.ts`);
  const p = peers(codec);
  // 5 runs each: the median rows set sluice's median beside the peers' median
  const ff = await steadyPeer("ffmpeg", p.ffmpeg, path, big, (k - 1) * mb, PEER_RUNS);
  const gs = await steadyPeer("gstreamer", p.gst, path, big, (k - 1) * mb, PEER_RUNS);
  await Deno.remove(big).catch(() => {});
  const rows: [string, number, number | undefined, number | undefined][] = [
    ["cold MB/s", mb / cold.s, ff?.mbPerS, gs?.mbPerS],
    ["warm MB/s", mb / warm.s, ff?.mbPerS, gs?.mbPerS],
    ["cold MB/cpu-s", mb / cold.cpu, ff?.mbPerCpuS, gs?.mbPerCpuS],
    ["warm MB/cpu-s", mb / whole.best, ff?.mbPerCpuS, gs?.mbPerCpuS],
    ["warm-median MB/cpu-s", mb / whole.median, ff?.mbPerCpuSMedian, gs?.mbPerCpuSMedian],
    ["steady MB/cpu-s", copyMb / steady[0], ff?.mbPerCpuS, gs?.mbPerCpuS],
    [
      "steady-median MB/cpu-s",
      copyMb / median(steady),
      ff?.mbPerCpuSMedian,
      gs?.mbPerCpuSMedian,
    ],
    ["demux MB/cpu-s", mb / demuxCpu, ff?.mbPerCpuS, gs?.mbPerCpuS],
    ["demux+assembly MB/cpu-s", mb / asmCpu, ff?.mbPerCpuS, gs?.mbPerCpuS],
    ["floor MB/cpu-s", mb / floorCpu, ff?.mbPerCpuS, gs?.mbPerCpuS],
  ];
  console.log(
    `${"".padEnd(24)} ${"sluice".padStart(8)} ${"ffmpeg".padStart(8)} ` +
      `${"gst".padStart(8)}  sluice/ffmpeg  sluice/gst`,
  ); // deno-fmt-ignore
  for (const [what, s, f, g] of rows) {
    console.log(
      `${what.padEnd(24)} ${fmt(s).padStart(8)} ${fmt(f).padStart(8)} ${fmt(g).padStart(8)}  ` +
        `${fmt(f ? s / f : undefined).padStart(13)}  ${fmt(g ? s / g : undefined).padStart(10)}`,
    );
    const [kind, unit] = what.split(" ");
    emit({
      name: `ingest ts ${codec} ${kind}`,
      unit,
      sluice: s,
      ffmpeg: f,
      gstreamer: g,
      note: `${seconds}s 1080p30 ${mb.toFixed(0)} MB; peers steady (${k}x-1x)`,
    });
  }
}

if (import.meta.main) {
  const quick = isQuick();
  const seconds = Number(arg("seconds", quick ? "10" : "60"));
  const passes = quick ? 4 : 6;
  const codecs = arg("codec", "h264,h265").split(",") as BenchCodec[];
  const tmp = await benchTmp();
  try {
    for (const c of codecs) await bench(c, tmp.dir, seconds, passes);
  } finally {
    await tmp.cleanup();
  }
}
