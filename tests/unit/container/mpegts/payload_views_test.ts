/**
 * lib/container/mpegts/payload_views.ts, and the demuxer reading through it: a capture fed
 * the way the SRT listener feeds it (every message read into one reused buffer) gives the
 * same frames, byte for byte, as the capture pushed from its own memory; views are made
 * once per position of a reused buffer and not at all for a large one.
 */
import assert from "node:assert/strict";
import {
  MAX_CACHED_BYTES,
  payloadView,
  payloadViewsOf,
} from "@lib/container/mpegts/payload_views.ts";
import { TsInput } from "@lib/pipeline/ts_input.ts";
import { readFixture } from "@tests/_helpers.ts";
import { RecordingSink } from "@tests/support/sink.ts";

/**
 * The capture in messages of `size` bytes: each read into `recv` first when given, else
 * views of a buffer too large for the cache (no payload view is reused there).
 */
function run(data: Uint8Array, size: number, recv?: Uint8Array): RecordingSink {
  const sink = new RecordingSink();
  const input = new TsInput(sink, { frameTimeoutMs: 5000 });
  const big = new Uint8Array(MAX_CACHED_BYTES + data.length);
  big.set(data);
  for (let o = 0, t = 0; o < data.length; o += size, t++) {
    const n = Math.min(size, data.length - o);
    if (recv) {
      recv.set(data.subarray(o, o + n));
      input.push(recv.subarray(0, n), t);
    } else input.push(big.subarray(o, o + n), t);
  }
  input.flush();
  return sink;
}

for (const name of ["h264_aac.ts", "hevc_aac.ts", "srt_h264_aac_gst.ts"]) {
  for (const size of [1316, 7 * 1316, 1000]) {
    Deno.test(`payload views: ${name} in ${size}-byte messages through a reused buffer`, () => {
      const data = readFixture(`ts/${name}`);
      const want = run(data, size);
      const got = run(data, size, new Uint8Array(64 * 1456));
      assert.equal(got.frames.length, want.frames.length);
      for (let i = 0; i < want.frames.length; i++) {
        const [a, b] = [got.frames[i], want.frames[i]];
        assert.equal(a.pts, b.pts);
        assert.deepEqual([...a.data.subarray(0, 64)], [...b.data.subarray(0, 64)]);
        assert.ok(
          a.data.length === b.data.length && a.data.every((x, j) => x === b.data[j]),
          `${i}`,
        );
      }
      assert.deepEqual(got.errors, want.errors);
    });
  }
}

Deno.test("payload views: one view per position of a reused buffer, none for a large one", () => {
  const recv = new Uint8Array(4 * 188);
  const views = payloadViewsOf(recv.subarray(0, 376))!;
  const v = payloadView(views, recv, 188);
  assert.equal(payloadView(views, recv.subarray(0, 376), 188), v, "the same view again");
  assert.equal(v.byteOffset, 188 + 4);
  assert.equal(v.length, 184);
  // a packet off the 188-byte grid of its buffer gets a view of its own
  const odd = recv.subarray(10, 10 + 188);
  const w = payloadView(views, odd, 0);
  assert.equal(w.byteOffset, 14);
  assert.notEqual(payloadView(views, odd, 0), w);
  assert.equal(payloadViewsOf(new Uint8Array(MAX_CACHED_BYTES + 1)), undefined);
});
