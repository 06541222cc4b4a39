import assert from "node:assert/strict";
import { parseH265SliceHeader } from "@lib/codecs/h265/slice.ts";
import { H265SliceContext, parseH265SpsSliceInfo } from "@lib/codecs/h265/slice_context.ts";
import { missing, readFixture } from "@tests/_helpers.ts";
import { assemble, multiSlice, whole } from "@tests/unit/codecs/h26x/_util.ts";
import { forEachNal } from "@lib/core/bits.ts";

/** Parses every slice segment of a stream; returns per picture the frame types of its segments. */
function segments(data: Uint8Array, ctx?: H265SliceContext): string[][] {
  const pics: string[][] = [];
  forEachNal(data, (n) => {
    const t = (n[0] >> 1) & 0x3f;
    if (t === 33) ctx?.addSps(n);
    if (t === 34) ctx?.addPps(n);
    if (t >= 32) return;
    const h = parseH265SliceHeader(n, ctx);
    assert.ok(h.ok);
    if (h.value.firstSliceSegmentInPic) pics.push([]);
    pics[pics.length - 1].push(h.value.frameType ?? "?");
  });
  return pics;
}

Deno.test("h265 slice_context: SPS picture size equals ffprobe's (320x240, h265_aud.h265)", () => {
  let sps: Uint8Array | undefined;
  forEachNal(readFixture("es/h265_aud.h265"), (n) => {
    if (!sps && ((n[0] >> 1) & 0x3f) === 33) sps = n;
  });
  const r = parseH265SpsSliceInfo(sps!);
  assert.ok(r.ok);
  assert.deepEqual([r.value.width, r.value.height], [320, 240]);
  const ctb = 1 << r.value.ctbLog2;
  assert.equal(r.value.picSizeInCtbs, Math.ceil(320 / ctb) * Math.ceil(240 / ctb));
  assert.equal(parseH265SpsSliceInfo(sps!.subarray(0, 6)).ok, false);
});

Deno.test("h265 slice: without a PPS only the first-segment flag is known", () => {
  const pics = segments(readFixture("es/h265_aud.h265"));
  assert.equal(pics.length, 60);
  assert.ok(pics.every((p) => p.length === 1 && p[0] === "?"));
  const typed = segments(readFixture("es/h265_aud.h265"), new H265SliceContext());
  assert.equal(typed[0][0], "I");
  assert.equal(assemble("h265", whole(readFixture("es/h265_aud.h265"))).aus[1].frameType, "P");
});

Deno.test({
  name: "h265 slice: libx265 4-slice pictures: every segment's slice_type parses alike",
  ignore: missing("ffmpeg", "ffprobe"),
  fn() {
    const { data, types } = multiSlice("h265");
    const pics = segments(data, new H265SliceContext());
    assert.equal(pics.length, types.length);
    for (const p of pics) {
      assert.equal(p.length, 4);
      assert.ok(p.every((t) => t === p[0] && t !== "?"), p.join(""));
    }
    assert.deepEqual(pics.map((p) => p[0]).sort(), [...types].sort());
  },
});

Deno.test("h265 slice: malformed input fails, never throws", () => {
  assert.equal(parseH265SliceHeader(new Uint8Array([0x02])).ok, false);
  assert.equal(parseH265SliceHeader(new Uint8Array([0x40, 0x01, 0x0c])).ok, false); // VPS
  const ctx = new H265SliceContext();
  assert.equal(ctx.addPps(new Uint8Array([0x44, 0x01])), "pps_short");
  for (let i = 0; i < 200; i++) {
    const b = new Uint8Array(1 + (i % 12)).map((_, k) => (i * 31 + k * 17) & 0xff);
    parseH265SliceHeader(b, ctx);
    ctx.addSps(b);
    ctx.addPps(b);
  }
});
