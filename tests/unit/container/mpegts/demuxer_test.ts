/**
 * TsDemuxer against real muxers' bytes (ffmpeg, GStreamer, a phone): per-PES video and
 * per-frame AAC timestamps, keyframes and sizes must equal ffprobe's packet oracle.
 */
import assert from "node:assert/strict";
// deno-lint-ignore no-import-prefix -- test-only dependency, kept out of the runtime import map
import fc from "npm:fast-check@^3";
import { readFixture, readPacketsCsv } from "@tests/_helpers.ts";
import { chunksOf, demux } from "@tests/support/ts.ts";

const FILES: { name: string; codec: string; channels: number; errors: Record<string, number> }[] = [
  { name: "h264_aac.ts", codec: "h264", channels: 2, errors: {} },
  { name: "hevc_aac.ts", codec: "h265", channels: 1, errors: {} },
  // srtsink dropped the stream's tail: the last video PES is shorter than its length field.
  { name: "srt_h264_aac_gst.ts", codec: "h264", channels: 2, errors: { pes_length_mismatch: 1 } },
  { name: "realworld_VID_20191220_170832.ts", codec: "h264", channels: 2, errors: {} },
];

for (const f of FILES) {
  Deno.test(`demuxer: ${f.name} matches ffprobe packets`, async (t) => {
    const data = readFixture(`ts/${f.name}`);
    const copy = data.slice();
    const v = readPacketsCsv(`ts/${f.name}.v.packets.csv`);
    const a = readPacketsCsv(`ts/${f.name}.a.packets.csv`);
    for (const sizes of [[1316], [7], [1000], [188 * 3 + 5, 1, 61]]) {
      await t.step(`chunks ${sizes.join("/")}`, () => {
        const run = demux(data, sizes);
        assert.deepEqual(run.counts, f.errors);
        const video = chunksOf(run, "video");
        const audio = chunksOf(run, "audio");
        assert.equal(video.length, v.length);
        assert.deepEqual(video.map((c) => c.pts), v.map((r) => r.pts));
        assert.deepEqual(video.map((c) => c.dts), v.map((r) => r.dts));
        assert.deepEqual(video.map((c) => c.randomAccess), v.map((r) => r.key));
        if (f.codec === "h264") {
          assert.deepEqual(
            video.map((c) => c.data.length),
            v.map((r) => r.size),
          );
        }
        assert.equal(audio.length, a.length);
        assert.deepEqual(audio.map((c) => c.pts), a.map((r) => r.pts));
        assert.deepEqual(audio.map((c) => c.data.length), a.map((r) => r.size));
        assert.ok(audio.every((c) => c.data[0] === 0xff && (c.data[1] & 0xf0) === 0xf0));
        assert.ok(run.pcr !== undefined && run.pcr > 0);
      });
    }
    await t.step("track info", () => {
      const run = demux(data, [1316]);
      const video = run.tracks.find((t) => t.kind === "video")!;
      assert.equal(video.codec, f.codec);
      assert.equal(video.supported, true);
      const audio = run.tracks.filter((t) => t.kind === "audio").at(-1)!;
      assert.deepEqual(
        [audio.codec, audio.sampleRate, audio.channels, audio.profile],
        ["aac", 48000, f.channels, "LC"],
      );
    });
    assert.deepEqual(data, copy, "input must not be mutated");
  });
}

Deno.test("demuxer: output is identical for any chunking (property)", () => {
  const data = readFixture("ts/h264_aac.ts");
  const summary = (sizes?: number[]) => {
    const run = demux(data, sizes);
    return {
      counts: run.counts,
      chunks: [...run.chunks].map(([id, cs]) =>
        cs.map((c) => [id, c.pts, c.dts, c.randomAccess, c.data.length, c.data[c.data.length >> 1]])
      ),
    };
  };
  const whole = summary();
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }),
      (s) => {
        assert.deepEqual(summary(s), whole);
      },
    ),
    { numRuns: 12, seed: 0x5eed },
  );
});

Deno.test("demuxer: PCR is exposed in 90 kHz and near the PTS range", () => {
  const run = demux(readFixture("ts/h264_aac.ts"));
  const v = readPacketsCsv("ts/h264_aac.ts.v.packets.csv");
  const last = Math.max(...v.map((r) => r.dts));
  assert.ok(run.pcr! <= last && run.pcr! > last - 90000, `pcr ${run.pcr} vs last dts ${last}`);
});

/** A tap that records what it was given; `active` is what the demuxer reads. */
function recordingTap(active: boolean) {
  const seen: Uint8Array[] = [];
  return {
    active,
    seen,
    packet(buf: Uint8Array, off: number) {
      seen.push(buf.slice(off, off + 188));
    },
  };
}

/** What a run handed out, bytes included, for comparing two runs. */
function outputOf(run: ReturnType<typeof demux>) {
  return {
    counts: run.counts,
    chunks: [...run.chunks].map(([id, cs]) =>
      cs.map((c) => [id, c.pts, c.dts, c.randomAccess, [...c.data].join()])
    ),
  };
}

Deno.test("demuxer: an idle tap is never called, an active one gets every packet, and the chunks are the same either way", () => {
  const data = readFixture("ts/h264_aac.ts");
  // the same bytes with one video packet lost and one repeated (the walk's cases)
  const pk = Array.from(
    { length: data.length / 188 },
    (_, i) => data.subarray(i * 188, i * 188 + 188),
  );
  const vids = pk.map((p, i) => (((p[1] & 0x1f) << 8) | p[2]) === 0x100 && !(p[1] & 0x40) ? i : -1)
    .filter((i) => i >= 0);
  const [lost, dup] = [vids[vids.length >> 2], vids[vids.length >> 1]];
  const damaged = pk.flatMap((p, i) => (i === lost ? [] : i === dup ? [p, p] : [p]));
  const bytes = new Uint8Array(damaged.length * 188);
  damaged.forEach((p, i) => bytes.set(p, i * 188));
  for (const [name, input] of [["clean", data], ["lost + repeated packet", bytes]] as const) {
    for (const sizes of [[1316], [188 * 3 + 5, 1, 61]]) {
      // no tap and an idle one: the continuing-PES fast path; an active one: the header walk
      const plain = outputOf(demux(input, sizes));
      const idle = recordingTap(false);
      const withIdle = outputOf(demux(input, sizes, { tap: idle }));
      const active = recordingTap(true);
      const walked = outputOf(demux(input, sizes, { tap: active }));
      assert.equal(idle.seen.length, 0, `${name}: an idle tap was called`);
      assert.deepEqual(withIdle, plain, name);
      assert.deepEqual(walked, plain, `${name}: fast path and header walk differ`);
      const tapped = new Uint8Array(active.seen.length * 188);
      active.seen.forEach((p, i) => tapped.set(p, i * 188));
      assert.deepEqual(tapped, input, `${name}: the tap gets the input's packets, byte for byte`);
    }
  }
});
