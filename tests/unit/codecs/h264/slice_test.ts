import assert from "node:assert/strict";
import { h264FrameType, parseH264SliceHeader } from "@lib/codecs/h264/slice.ts";
import { missing, readFixture } from "@tests/_helpers.ts";
import { multiSlice } from "@tests/unit/codecs/h26x/_util.ts";
import { forEachNal } from "@lib/core/bits.ts";

function slices(data: Uint8Array) {
  const out: { firstMb: number; type: string; pps: number; nal: number }[] = [];
  forEachNal(data, (n) => {
    const t = n[0] & 0x1f;
    if (t !== 1 && t !== 5) return;
    const h = parseH264SliceHeader(n);
    assert.ok(h.ok);
    out.push({ firstMb: h.value.firstMb, type: h.value.frameType, pps: h.value.ppsId, nal: t });
  });
  return out;
}

Deno.test("h264 slice: h264_aud.h264 has 60 single-slice pictures, IDR slices are I", () => {
  const s = slices(readFixture("es/h264_aud.h264"));
  assert.equal(s.length, 60);
  assert.ok(s.every((x) => x.firstMb === 0 && x.pps === 0));
  assert.ok(s.filter((x) => x.nal === 5).every((x) => x.type === "I"));
  assert.equal(s.filter((x) => x.nal === 5).length, 2);
});

Deno.test({
  name: "h264 slice: libx264 4-slice pictures: first_mb_in_slice rises from 0, one type each",
  ignore: missing("ffmpeg", "ffprobe"),
  fn() {
    const { data, types } = multiSlice("h264");
    const s = slices(data);
    assert.equal(s.length, types.length * 4);
    const pics: string[] = [];
    for (let i = 0; i < s.length; i += 4) {
      const p = s.slice(i, i + 4);
      assert.equal(p[0].firstMb, 0);
      for (let k = 1; k < 4; k++) {
        assert.ok(p[k].firstMb > p[k - 1].firstMb);
        assert.equal(p[k].type, p[0].type);
      }
      pics.push(p[0].type);
    }
    assert.deepEqual(pics.sort(), [...types].sort());
  },
});

Deno.test("h264 slice: Table 7-6 types, malformed input fails", () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(h264FrameType).join(""), "PBIPIPBIPI");
  assert.equal(parseH264SliceHeader(new Uint8Array([0x65])).ok, false);
  assert.equal(parseH264SliceHeader(new Uint8Array([0x67, 0x42, 0, 0x1e])).ok, false);
  assert.equal(parseH264SliceHeader(new Uint8Array([0x65, 0, 0, 0, 0, 0])).ok, false);
});
