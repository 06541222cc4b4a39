/**
 * MPEG-TS demux throughput, sluice vs ffmpeg vs GStreamer, on one generated file.
 * Run by hand (not part of the tests):
 *
 *   deno run --allow-all bench/mpegts_bench.ts [in.ts]
 *
 * Without an argument it generates /tmp/sluice_bench_<N>s_1080p.ts once with ffmpeg
 * (testsrc2 1920x1080@30 + sine, libx264 8 Mb/s, AAC; N = $BENCH_SECONDS, default 60).
 * sluice is timed warm in-process (best of 3, pushed in 1316-byte SRT-sized slices);
 * ffmpeg (`-c copy -f null`) and gst-launch (tsdemux ! h264parse ! fakesink) are timed
 * as whole processes, so their figures include start-up. One line per tool, then ratios.
 */
import { TsDemuxer } from "../lib/media/mpegts/demuxer.ts";

/** One tool's result. */
export interface BenchLine {
  tool: string;
  mbPerS: number;
  ms: number;
}

function generate(path: string, seconds: number): void {
  const args = [
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=1920x1080:rate=30",
    "-f",
    "lavfi",
    "-i",
    "sine",
    "-t",
    String(seconds),
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-b:v",
    "8M",
    "-c:a",
    "aac",
    "-f",
    "mpegts",
    path,
  ]; // deno-fmt-ignore
  const r = new Deno.Command("ffmpeg", { args, stderr: "inherit" }).outputSync();
  if (!r.success) throw new Error(`Cannot generate ${path}: ffmpeg failed`);
}

function demuxOnce(data: Uint8Array): { frames: number; errors: number } {
  let frames = 0;
  let errors = 0;
  const d = new TsDemuxer({
    onTrack() {},
    onChunk() {
      frames++;
    },
    count(_r, n = 1) {
      errors += n;
    },
  });
  for (let o = 0; o < data.length; o += 1316) d.push(data.subarray(o, o + 1316), 0);
  d.flush();
  return { frames, errors };
}

function timeProcess(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = new Deno.Command(cmd, { args, stdout: "null", stderr: "inherit" }).outputSync();
  const ms = performance.now() - t0;
  if (!r.success) throw new Error(`${cmd} failed`);
  return ms;
}

/** Runs the three demuxers over `path`; returns one line per tool. */
export function runMpegtsBench(path: string): BenchLine[] {
  const data = Deno.readFileSync(path);
  const mb = data.length / 1e6;
  const line = (tool: string, ms: number): BenchLine => ({ tool, ms, mbPerS: mb / (ms / 1000) });
  demuxOnce(data); // warm-up (JIT)
  let best = Infinity;
  let res = { frames: 0, errors: 0 };
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    res = demuxOnce(data);
    best = Math.min(best, performance.now() - t0);
  }
  console.log(`# ${path}: ${mb.toFixed(1)} MB, sluice chunks ${res.frames}, errors ${res.errors}`);
  return [
    line("sluice TsDemuxer (warm, in-process)", best),
    line(
      "ffmpeg -map 0 -c copy -f null",
      timeProcess("ffmpeg", [
        "-v",
        "error",
        "-i",
        path,
        "-map",
        "0",
        "-c",
        "copy",
        "-f",
        "null",
        "-",
      ]),
    ),
    line(
      "gst-launch tsdemux ! h264parse ! fakesink",
      timeProcess("gst-launch-1.0", [
        "-q",
        "filesrc",
        `location=${path}`,
        "!",
        "tsdemux",
        "!",
        "h264parse",
        "!",
        "fakesink",
      ]),
    ),
  ]; // deno-fmt-ignore
}

if (import.meta.main) {
  const seconds = Number(Deno.env.get("BENCH_SECONDS") ?? 60);
  let path = Deno.args[0];
  if (!path) {
    path = `/tmp/sluice_bench_${seconds}s_1080p.ts`;
    try {
      Deno.statSync(path);
    } catch {
      console.log(`# generating ${path} (${seconds} s) ...`);
      generate(path, seconds);
    }
  }
  const lines = runMpegtsBench(path);
  for (const l of lines) {
    console.log(
      `${l.tool.padEnd(44)} ${l.mbPerS.toFixed(1).padStart(8)} MB/s  ${l.ms.toFixed(0)} ms`,
    );
  }
  const ours = lines[0].mbPerS;
  for (const l of lines.slice(1)) {
    console.log(`ratio sluice / ${l.tool.split(" ")[0]}: ${(ours / l.mbPerS).toFixed(2)}`);
  }
}
