/**
 * MPEG-TS demux alone (ISO/IEC 13818-1 2.4.3: TS packets, PAT/PMT, PES reassembly; no
 * frame assembly) from memory, next to ffmpeg and GStreamer on the same file in the same
 * run. bench/ingest_bench.ts measures the whole ingest path; this isolates the demuxer.
 *
 *   deno run --allow-all bench/mpegts_bench.ts [in.ts] [--quick]
 *
 * Without a file it uses the generated 1080p30 8 Mb/s H.264 + AAC TS (60 s, 10 s with
 * --quick) of bench/_bench.ts in $BENCH_TMP. sluice: warm, best of 3 after a warm-up
 * pass, in 1316-byte SRT-sized slices. Peers: `ffmpeg -map 0 -c copy -f null -` and
 * `gst-launch tsdemux ! queue ! h264parse ! fakesink`, steady (5x file minus 1x file).
 */
import { TsDemuxer } from "../lib/container/mpegts/demuxer.ts";
import {
  benchTmp,
  emit,
  fmt,
  generatedTs,
  isQuick,
  repeated,
  steadyFactor,
  steadyPeer,
} from "./_bench.ts";

function demuxOnce(data: Uint8Array): { chunks: number; errors: number } {
  let chunks = 0;
  let errors = 0;
  const d = new TsDemuxer({
    onTrack() {},
    onChunk() {
      chunks++;
    },
    count(_r, n = 1) {
      errors += n;
    },
  });
  for (let o = 0; o < data.length; o += 1316) d.push(data.subarray(o, o + 1316), 0);
  d.flush();
  return { chunks, errors };
}

/** Runs the demuxer and the peers over `path`; prints and emits MB/s for each. */
export async function runMpegtsBench(path: string, dir: string): Promise<void> {
  const data = Deno.readFileSync(path);
  const mb = data.length / 1e6;
  demuxOnce(data); // warm-up (JIT)
  let best = Infinity;
  let res = { chunks: 0, errors: 0 };
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    res = demuxOnce(data);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  console.log(`# ${path}: ${mb.toFixed(1)} MB, sluice chunks ${res.chunks}, errors ${res.errors}`);
  const k = steadyFactor(data.length);
  const big = await repeated(path, k, `${dir}/mpegts_bench_x${k}.ts`);
  const ff = await steadyPeer(
    "ffmpeg",
    (p) => ["ffmpeg", "-v", "error", "-i", p, "-map", "0", "-c", "copy", "-f", "null", "-"],
    path,
    big,
    (k - 1) * mb,
  ); // deno-fmt-ignore
  const gs = await steadyPeer("gstreamer", (p) =>
    ["gst-launch-1.0", "-q", "filesrc", `location=${p}`, "!", "tsdemux", "!", "queue", "!",
      "h264parse", "!", "fakesink"],
    path, big, (k - 1) * mb); // deno-fmt-ignore
  await Deno.remove(big).catch(() => {});
  const ours = mb / best;
  console.log(`sluice TsDemuxer (warm)     ${fmt(ours).padStart(8)} MB/s`);
  console.log(`ffmpeg -c copy -f null      ${fmt(ff?.mbPerS).padStart(8)} MB/s (steady)`);
  console.log(`gst tsdemux ! h264parse     ${fmt(gs?.mbPerS).padStart(8)} MB/s (steady)`);
  emit({
    name: "mpegts demux only warm",
    unit: "MB/s",
    sluice: ours,
    ffmpeg: ff?.mbPerS,
    gstreamer: gs?.mbPerS,
    note: "peers also parse/copy frames",
  });
}

if (import.meta.main) {
  const tmp = await benchTmp();
  try {
    const file = Deno.args.find((a) => !a.startsWith("--"));
    const path = file ?? await generatedTs(tmp.dir, "h264", isQuick() ? 10 : 60);
    await runMpegtsBench(path, tmp.dir);
  } finally {
    await tmp.cleanup();
  }
}
