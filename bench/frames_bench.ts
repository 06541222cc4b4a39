/**
 * Frame pipeline throughput from memory: Annex B assembly + GOP detection + GOP buffering
 * (AnnexBAssembler -> GopBuffer, which runs a GopDetector per track). Run by hand:
 *
 *   deno run --allow-all bench/frames_bench.ts
 *
 * Generates once, with ffmpeg, /tmp/sluice_frames_<N>s_1080p.h264 (libx264 veryfast,
 * 8 Mb/s, GOP 60, B-frames) and .hevc (libx265 ultrafast, 8 Mb/s, GOP 60);
 * N = $BENCH_SECONDS (default 20, at most 60). Each stream is pushed warm (best of 3) in
 * 184-byte chunks (TS packet payloads, the worst case) and in 64 KiB chunks; prints
 * frames/s and MB/s per case.
 */
import { AnnexBAssembler } from "../lib/media/frame/annexb_assembler.ts";
import { GopBuffer } from "../lib/media/gop/buffer.ts";

function generate(path: string, codec: "h264" | "h265", seconds: number): void {
  const enc = codec === "h264"
    ? ["-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-bf", "2", "-f", "h264"]
    : ["-c:v", "libx265", "-preset", "ultrafast", "-g", "60", "-x265-params", "log-level=error"]
      .concat(["-f", "hevc"]);
  const args = ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30"]
    .concat(["-t", String(seconds), "-b:v", "8M", ...enc, path]);
  const r = new Deno.Command("ffmpeg", { args, stderr: "inherit" }).outputSync();
  if (!r.success) throw new Error(`Cannot generate ${path}: ffmpeg failed`);
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

const seconds = Math.min(60, Number(Deno.env.get("BENCH_SECONDS") ?? 20));
for (const codec of ["h264", "h265"] as const) {
  const path = `/tmp/sluice_frames_${seconds}s_1080p.${codec === "h264" ? "h264" : "hevc"}`;
  try {
    Deno.statSync(path);
  } catch {
    console.log(`generating ${path} ...`);
    generate(path, codec, seconds);
  }
  const data = Deno.readFileSync(path);
  for (const chunk of [184, 65536]) {
    let best: ReturnType<typeof runOnce> | undefined;
    for (let i = 0; i < 3; i++) {
      const r = runOnce(codec, data, chunk);
      if (!best || r.ms < best.ms) best = r;
    }
    const b = best!;
    const mb = data.length / 1e6;
    console.log(
      `${codec} 1080p ${seconds}s, ${chunk}-byte chunks: ${b.frames} frames (${b.keys} key, ` +
        `${b.gops} GOPs) ${mb.toFixed(1)} MB in ${b.ms.toFixed(1)} ms = ` +
        `${Math.round(b.frames / (b.ms / 1000))} frames/s, ${
          (mb / (b.ms / 1000)).toFixed(0)
        } MB/s` +
        (Object.keys(b.drops).length ? ` drops ${JSON.stringify(b.drops)}` : ""),
    );
  }
}
