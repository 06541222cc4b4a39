import assert from "node:assert/strict";
import { ObuType, parseObuHeader, splitObus } from "@lib/codecs/av1/obu.ts";
import { readFixture } from "@tests/_helpers.ts";
import { readIvf } from "@tests/unit/codecs/_stream_info.ts";

Deno.test("av1 obu: every temporal unit of es/av1_aom.ivf splits exactly, TD first", () => {
  // Oracle: the fixture README (60 temporal units, 2 key frames) and the IVF frame sizes.
  const ivf = readIvf(readFixture("es/av1_aom.ivf"));
  assert.equal(ivf.frames.length, 60);
  let seqHeaders = 0;
  for (const tu of ivf.frames) {
    const r = splitObus(tu);
    assert.ok(r.ok);
    assert.equal(r.value[0].type, ObuType.TEMPORAL_DELIMITER);
    assert.equal(r.value.reduce((n, o) => n + o.bytes.length, 0), tu.length);
    for (const o of r.value) {
      assert.ok(o.hasSizeField);
      assert.equal(o.payload.length, o.size);
      if (o.type === ObuType.SEQUENCE_HEADER) seqHeaders++;
    }
  }
  assert.equal(seqHeaders, 2); // one per key frame
});

Deno.test("av1 obu: headers with extension, without size, and bad input", () => {
  // type FRAME (6), extension, size field: temporal_id 2, spatial_id 1, size 3.
  const h = parseObuHeader(Uint8Array.of(0x36, 0x48, 0x03, 1, 2, 3));
  assert.deepEqual(h, {
    ok: true,
    value: {
      type: 6,
      hasExtension: true,
      hasSizeField: true,
      temporalId: 2,
      spatialId: 1,
      headerLength: 3,
      size: 3,
    },
  });
  // Last OBU without a size field runs to the end.
  const s = splitObus(Uint8Array.of(0x12, 0x00, 0x30, 9, 9, 9));
  assert.ok(s.ok);
  assert.deepEqual(s.value.map((o) => [o.type, o.payload.length]), [[2, 0], [6, 3]]);
  assert.deepEqual(parseObuHeader(Uint8Array.of(0x92, 0)), {
    ok: false,
    reason: "obu_forbidden_bit",
  });
  assert.deepEqual(splitObus(Uint8Array.of(0x32, 0x05, 1)), { ok: false, reason: "obu_overflow" });
  assert.deepEqual(splitObus(Uint8Array.of(0x32, 0x80)), { ok: false, reason: "obu_bad_size" });
  assert.deepEqual(splitObus(Uint8Array.of(0x36)), { ok: false, reason: "obu_short" });
});
