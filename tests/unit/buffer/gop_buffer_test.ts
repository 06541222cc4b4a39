import assert from "node:assert/strict";
// deno-lint-ignore no-import-prefix -- test-only dependency, kept out of the runtime import map
import fc from "npm:fast-check@^3";
import type { VideoAccessUnit } from "@lib/codecs/h26x/au_info.ts";
import { GopBuffer, type GopBufferOptions } from "@lib/buffer/gop_buffer.ts";
import type { AccessUnit } from "@lib/core/types.ts";
import { readFixture, readPacketsCsv } from "@tests/_helpers.ts";
import { demux, trackOf } from "@tests/support/ts.ts";
import { assemble } from "@tests/unit/codecs/h26x/_util.ts";

/**
 * h264_aac.ts twice (the second copy shifted by 180000 ticks): 4 GOPs of 30 frames, with its
 * ADTS audio, merged in decode-time order as a demuxer would deliver them.
 */
function stream(): { all: (VideoAccessUnit | AccessUnit)[]; video: number } {
  const run = demux(readFixture("ts/h264_aac.ts"));
  const v = assemble("h264", trackOf(run, "h264").chunks).aus;
  const a = trackOf(run, "aac").chunks.map((f): AccessUnit => ({
    trackId: 2,
    codec: "aac",
    kind: "audio",
    pts: f.pts!,
    dts: f.pts!,
    clockRate: 90000,
    key: true,
    data: f.data,
    arrivalMs: 0,
  }));
  const all: (VideoAccessUnit | AccessUnit)[] = [];
  for (const shift of [0, 180000]) {
    const part = [...v, ...a].map((u) => ({ ...u, pts: u.pts + shift, dts: u.dts + shift }));
    part.sort((x, y) => x.dts - y.dts);
    all.push(...part);
  }
  return { all, video: v.length * 2 };
}

function fill(opts: Omit<GopBufferOptions, "count">, units = stream().all) {
  const counts: Record<string, number> = {};
  const buf = new GopBuffer({ ...opts, count: (r, n = 1) => counts[r] = (counts[r] ?? 0) + n });
  return { buf, counts, units };
}

Deno.test("gop buffer: keeps the last N GOPs plus the one in progress, with their audio", () => {
  const { buf, counts, units } = fill({ maxGops: 2, maxBytes: 10_000_000 });
  for (const u of units) buf.push(u);
  assert.equal(buf.gopCount, 3);
  assert.equal(buf.evictedGops, 1);
  assert.equal(buf.evictedFrames, 30);
  const video = buf.frames({ track: 1 });
  assert.equal(video.length, 90);
  assert.ok(video[0].key);
  assert.deepEqual(video.filter((f) => f.key).map((f) => f.pts), [222000, 312000, 402000]);
  assert.deepEqual(buf.gops(1).map((g) => [g.seq, g.complete, g.closed]), [
    [1, true, true],
    [2, true, true],
    [3, false, true],
  ]);
  const csvSizes = readPacketsCsv("ts/h264_aac.ts.v.packets.csv").map((r) => r.size);
  assert.deepEqual(video.map((f) => f.size), [...csvSizes.slice(30), ...csvSizes]);
  // audio trimmed to the oldest kept GOP's start
  const audio = buf.frames({ track: 2 });
  assert.ok(audio.length > 0 && audio.every((f) => f.pts >= 222000));
  assert.ok(counts.audio_out_of_window > 0);
  assert.equal(counts.await_keyframe, undefined);
  // bytes add up; indexes are monotonic; frame(index) gives the unit
  const all = buf.frames();
  assert.equal(all.reduce((s, f) => s + f.size, 0), buf.bytes);
  for (let i = 1; i < all.length; i++) assert.ok(all[i].index > all[i - 1].index);
  for (const f of all) assert.equal(buf.frame(f.index)!.data.length, f.size);
  assert.equal(buf.frame(0), undefined);
  assert.equal(buf.latestKeyframe()!.pts, 402000);
  assert.equal(buf.latestKeyframe(1), buf.frame(video[60].index));
  // PTS range
  const r = buf.frames({ from: 312000, to: 320000 });
  assert.ok(r.length > 0 && r.every((f) => f.pts >= 312000 && f.pts <= 320000));
  assert.deepEqual(r, all.filter((f) => f.pts >= 312000 && f.pts <= 320000));
  const st = buf.detector(1)!.stats;
  assert.deepEqual([st.gops, st.lastLengthFrames], [4, 30]);
});

Deno.test("gop buffer: frames before the first key frame are not buffered (await_keyframe)", () => {
  const { buf, counts, units } = fill({ maxBytes: 10_000_000 });
  const firstKey = units.findIndex((u) => u.kind === "video" && u.key);
  const rest = units.slice(firstKey + 1);
  for (const u of rest) buf.push(u);
  assert.equal(buf.frames({ track: 1 })[0].pts, 222000);
  assert.ok(buf.frames({ track: 1 })[0].key);
  assert.ok(counts.await_keyframe >= 29);
});

Deno.test("gop buffer: a duration budget drops whole old GOPs (counted)", () => {
  const { buf, counts, units } = fill({
    maxGops: 3,
    maxBytes: 10_000_000,
    maxDurationMs: 1111, // 100 000 ticks of 90 kHz
  });
  for (const u of units) buf.push(u);
  assert.equal(counts.gop_evicted_duration, 90);
  assert.equal(buf.gopCount, 1);
  assert.ok(buf.frames({ track: 1 })[0].key);
});

Deno.test("gop buffer property: under any byte budget it drops whole GOPs, never starts mid-GOP", () => {
  const { all, video } = stream();
  fc.assert(
    fc.property(
      fc.integer({ min: 500, max: 400_000 }),
      fc.integer({ min: 1, max: 4 }),
      (max, n) => {
        const { buf, counts } = fill({ maxGops: n, maxBytes: max }, all);
        for (const u of all) {
          buf.push(u);
          assert.ok(buf.bytes <= max);
          const v = buf.frames({ track: 1 });
          if (v.length) assert.ok(v[0].key, "buffer starts on a key frame");
          const gops = buf.gops(1);
          for (const g of gops) assert.ok(g.slots[0].entry.key);
          assert.equal(buf.frames().reduce((s, f) => s + f.size, 0), buf.bytes);
        }
        // every video frame is held, retired by rotation, or counted as a drop
        const held = buf.frames({ track: 1 }).length;
        const dropped = (counts.await_keyframe ?? 0) + (counts.gop_evicted_bytes ?? 0) +
          (counts.gop_oversize ?? 0);
        assert.equal(held + buf.evictedFrames + dropped, video);
        if (max < 5000) assert.ok(dropped > 0);
      },
    ),
    { seed: 3, numRuns: 25 },
  );
});

Deno.test("gop buffer: a GOP alone over a tiny budget is dropped whole; resumes at a key", () => {
  const { buf, counts, units } = fill({ maxGops: 3, maxBytes: 9000 });
  const seen: number[] = [];
  for (const u of units) {
    buf.push(u);
    const v = buf.frames({ track: 1 });
    if (v.length) {
      assert.ok(v[0].key);
      seen.push(v[0].pts);
    }
    assert.ok(buf.bytes <= 9000);
  }
  assert.ok(counts.gop_oversize > 0);
  assert.ok(counts.await_keyframe > 0);
  // the buffer restarted at each of the 4 key frames
  assert.deepEqual([...new Set(seen)], [132000, 222000, 312000, 402000]);
});
