/**
 * Stream types beyond H.264/H.265/ADTS: audio TS written by ffmpeg at test time
 * (Opus, AAC LATM, MP2, AC-3) checked against ffprobe on the same bytes; AV1 and
 * JPEG XS (no muxer here writes them) carried in hand-built TS around real codec bytes
 * (tests/fixtures/es/av1_aom.ivf, tests/fixtures/jpegxs/svt_320x240_422_10f.jxs).
 */
import assert from "node:assert/strict";
import { missing, readFixture } from "@tests/_helpers.ts";
import { toolOutput, withFfmpegTs } from "@tests/support/ffmpeg.ts";
import { chunksOf, demux, ivfFrames, join, pat, pesPackets, pmt } from "@tests/support/ts.ts";

function ffmpegTs(args: string[]): { ts: Uint8Array; probe: { pts: number; size: number }[] } {
  return withFfmpegTs(["-f", "lavfi", "-i", "sine=frequency=440:duration=1", ...args], (out) => {
    const csv = toolOutput(
      "ffprobe",
      ["-v", "error", "-select_streams", "a:0"]
        .concat(["-show_entries", "packet=pts,size", "-of", "csv=p=0", out]),
    );
    const probe = csv.split("\n").filter((l) => l.trim()).map((l) => {
      const [pts, size] = l.split(",");
      return { pts: Number(pts), size: Number(size) };
    });
    return { ts: Deno.readFileSync(out), probe };
  });
}

const noFfmpeg = missing("ffmpeg", "ffprobe");

Deno.test({
  name: "codecs: Opus in TS (ffmpeg) split into packets as ffprobe sees them",
  ignore: noFfmpeg,
  fn() {
    const { ts, probe } = ffmpegTs(["-c:a", "libopus", "-b:a", "64k"]);
    const run = demux(ts, [1316]);
    assert.deepEqual(run.counts, {});
    assert.deepEqual([run.tracks[0].codec, run.tracks[0].codecSource], ["opus", "ts_descriptor"]);
    const info = run.tracks.at(-1)!; // ffprobe: opus, 48000 Hz, 1 channel
    assert.deepEqual([info.sampleRate, info.channels], [48000, 1]);
    const a = chunksOf(run, "audio");
    assert.deepEqual(a.map((c) => [c.pts, c.data.length]), probe.map((p) => [p.pts, p.size]));
  },
});

Deno.test({
  name: "codecs: AAC LATM (0x11, ffmpeg) split into LOAS frames, params from StreamMuxConfig",
  ignore: noFfmpeg,
  fn() {
    const { ts, probe } = ffmpegTs(["-ar", "48000", "-c:a", "aac", "-mpegts_flags", "latm"]);
    const run = demux(ts, [7, 1316]);
    assert.deepEqual(run.counts, {});
    const info = run.tracks.at(-1)!;
    assert.deepEqual([info.codec, info.streamType, info.sampleRate, info.channels], [
      "aac",
      0x11,
      48000,
      1,
    ]);
    const a = chunksOf(run, "audio");
    assert.deepEqual(a.map((c) => [c.pts, c.data.length]), probe.map((p) => [p.pts, p.size]));
    assert.ok(a.every((c) => c.data[0] === 0x56 && (c.data[1] & 0xe0) === 0xe0));
  },
});

for (
  const [codec, args, type] of [["mp2", ["-c:a", "mp2"], 0x03], [
    "ac3",
    ["-c:a", "ac3"],
    0x81,
  ]] as const
) {
  Deno.test({
    name: `codecs: ${codec} (stream_type 0x${type.toString(16)}, ffmpeg) one chunk per PES`,
    ignore: noFfmpeg,
    fn() {
      const { ts, probe } = ffmpegTs([...args]);
      const run = demux(ts, [1000]);
      assert.deepEqual(run.counts, {});
      assert.deepEqual([run.tracks[0].codec, run.tracks[0].streamType], [codec, type]);
      const a = chunksOf(run, "audio");
      assert.equal(a[0].pts, probe[0].pts);
      const bytes = a.reduce((n, c) => n + c.data.length, 0);
      assert.equal(bytes, probe.reduce((n, p) => n + p.size, 0));
    },
  });
}

Deno.test("codecs: AV1 (0x06 + 'AV01' registration) and JPEG XS (0x32) PES in hand-built TS", () => {
  const av1 = ivfFrames(readFixture("es/av1_aom.ivf"), 4);
  const jxs = readFixture("jpegxs/svt_320x240_422_10f.jxs");
  const frames = [0, 1, 2].map((i) => jxs.subarray(i * 28800, (i + 1) * 28800));
  const reg = (s: string) => [0x05, 4, ...[...s].map((c) => c.charCodeAt(0))];
  const parts = [
    pat(0x100),
    pmt(0x100, [
      { pid: 0x41, type: 0x06, desc: [...reg("AV01"), 0x80, 4, 0x81, 0, 0x0c, 0] },
      { pid: 0x42, type: 0x32 },
      { pid: 0x43, type: 0x06, desc: [0x6a, 1, 0] },
      { pid: 0x44, type: 0x02 },
    ]),
  ];
  const cc = new Map<number, number>();
  const add = (
    pid: number,
    id: number,
    data: Uint8Array,
    pts: number,
    o: { rai?: boolean; unbounded?: boolean },
  ) => {
    const pk = pesPackets(pid, id, data, pts, { ...o, cc: cc.get(pid) ?? 0 });
    cc.set(pid, (cc.get(pid) ?? 0) + pk.length);
    parts.push(...pk);
  };
  av1.forEach((f, i) => add(0x41, 0xe0, f, 90000 + 3000 * i, { rai: i === 0 }));
  frames.forEach((f, i) => add(0x42, 0xe1, f, 90000 + 3000 * i, { rai: true, unbounded: true }));
  const run = demux(join(parts), [1000]);
  assert.deepEqual(run.counts, {});
  assert.deepEqual(
    run.tracks.map((t) => [t.id, t.codec, t.kind, t.supported]),
    [[0x41, "av1", "video", true], [0x42, "jpegxs", "video", true], [0x43, "ac3", "audio", true], [
      0x44,
      "unknown",
      "data",
      false,
    ]],
  );
  const a = run.chunks.get(0x41)!;
  assert.deepEqual(a.map((c) => c.data), av1);
  assert.deepEqual(
    a.map((c) => [c.pts, c.randomAccess]),
    av1.map((_, i) => [90000 + 3000 * i, i === 0]),
  );
  const j = run.chunks.get(0x42)!;
  assert.deepEqual(j.map((c) => c.data), frames, "unbounded PES end at next unit start / flush");
});
