/**
 * Frame pipeline throughput from memory: Annex B assembly + GOP detection + GOP buffering
 * (AnnexBAssembler -> GopBuffer, which runs a GopDetector per track). Run by hand:
 *
 *   deno run --allow-all bench/frames_bench.ts [--quick]
 *
 * Input: the video elementary streams of the generated 1080p30 8 Mb/s TS files of
 * bench/_bench.ts (60 s, 10 s with --quick; GOP 60), remuxed with `-c copy` into
 * $BENCH_TMP. Each stream is pushed warm (best of 3) in 184-byte chunks (TS packet
 * payloads, the worst case) and in 64 KiB chunks; prints frames/s and MB/s per case.
 * Peers on the same ES: `ffmpeg -f h264 -i es -c copy -f null -` and
 * `filesrc ! h264parse ! video/x-h264,alignment=au ! fakesink`, steady (5x minus 1x).
 */
import { AnnexBAssembler } from "../lib/codecs/h26x/annexb_assembler.ts";
import { GopBuffer } from "../lib/buffer/gop_buffer.ts";
import {
  type BenchCodec,
  benchTmp,
  emit,
  fmt,
  generatedTs,
  isQuick,
  repeated,
  steadyFactor,
  steadyPeer,
} from "./_bench.ts";

/** The video elementary stream of the generated TS, remuxed (no re-encode) into `dir`. */
async function elementaryStream(dir: string, codec: BenchCodec, seconds: number) {
  const ts = await generatedTs(dir, codec, seconds);
  const path = `${dir}/frames_${codec}_${seconds}s.${codec === "h264" ? "h264" : "hevc"}`;
  const args = ["-v", "error", "-y", "-i", ts, "-map", "0:v", "-c", "copy"]
    .concat(["-f", codec === "h264" ? "h264" : "hevc", path]);
  const r = await new Deno.Command("ffmpeg", { args, stderr: "inherit" }).output();
  if (!r.success) throw new Error(`Cannot extract ${path}: ffmpeg failed`);
  return path;
}

function peers(codec: BenchCodec) {
  const fmtName = codec === "h264" ? "h264" : "hevc";
  const parse = codec === "h264" ? "h264parse" : "h265parse";
  const caps = codec === "h264" ? "video/x-h264,alignment=au" : "video/x-h265,alignment=au";
  return {
    ffmpeg: (
      p: string,
    ) => ["ffmpeg", "-v", "error", "-f", fmtName, "-i", p, "-c", "copy", "-f", "null", "-"],
    gst: (
      p: string,
    ) => [
      "gst-launch-1.0",
      "-q",
      "filesrc",
      `location=${p}`,
      "!",
      parse,
      "!",
      caps,
      "!",
      "fakesink",
    ],
  }; // deno-fmt-ignore
}

function runOnce(codec: "h264" | "h265", data: Uint8Array, chunk: number) {
  let frames = 0;
  let keys = 0;
  const drops: Record<string, number> = {};
  const count = (r: string, n = 1) => drops[r] = (drops[r] ?? 0) + n;
  const buf = new GopBuffer({ maxGops: 3, maxBytes: 400 * 1024 * 1024, count });
  const asm = new AnnexBAssembler({
    codec,
    trackId: 1,
    clockRate: 90000,
    count,
    onUnit(au) {
      frames++;
      if (au.key) keys++;
      buf.push(au);
    },
  });
  const t0 = performance.now();
  for (let o = 0, i = 0; o < data.length; o += chunk, i++) {
    asm.push({
      trackId: 1,
      data: data.subarray(o, o + chunk),
      randomAccess: false,
      unitStart: false,
      arrivalMs: i,
    });
  }
  asm.flush();
  const ms = performance.now() - t0;
  return { frames, keys, ms, drops, gops: buf.detector(1)?.stats.gops ?? 0 };
}

if (import.meta.main) {
  const seconds = isQuick() ? 10 : 60;
  const tmp = await benchTmp();
  try {
    for (const codec of ["h264", "h265"] as const) {
      const path = await elementaryStream(tmp.dir, codec, seconds);
      const data = await Deno.readFile(path);
      const mb = data.length / 1e6;
      const k = steadyFactor(data.length);
      const big = await repeated(path, k, `${path}.x${k}`);
      const p = peers(codec);
      const ff = await steadyPeer("ffmpeg", p.ffmpeg, path, big, (k - 1) * mb);
      const gs = await steadyPeer("gstreamer", p.gst, path, big, (k - 1) * mb);
      await Deno.remove(big).catch(() => {});
      for (const chunk of [184, 65536]) {
        let best: ReturnType<typeof runOnce> | undefined;
        for (let i = 0; i < 3; i++) {
          const r = runOnce(codec, data, chunk);
          if (!best || r.ms < best.ms) best = r;
        }
        const b = best!;
        const ours = mb / (b.ms / 1000);
        console.log(
          `${codec} 1080p ${seconds}s, ${chunk}-byte chunks: ${b.frames} frames (${b.keys} key, ` +
            `${b.gops} GOPs) ${mb.toFixed(1)} MB in ${b.ms.toFixed(1)} ms = ` +
            `${Math.round(b.frames / (b.ms / 1000))} frames/s, ${fmt(ours)} MB/s` +
            (Object.keys(b.drops).length ? ` drops ${JSON.stringify(b.drops)}` : ""),
        );
        emit({
          name: `annexb+gop ${codec} ${chunk}B chunks warm`,
          unit: "MB/s",
          sluice: ours,
          ffmpeg: ff?.mbPerS,
          gstreamer: gs?.mbPerS,
          note: "peers: raw ES parse to access units, steady",
        });
      }
      console.log(`  peers steady: ffmpeg ${fmt(ff?.mbPerS)} MB/s, gst ${fmt(gs?.mbPerS)} MB/s`);
    }
  } finally {
    await tmp.cleanup();
  }
}
