import assert from "node:assert/strict";
import fc from "npm:fast-check@^3";
import { leb128Size, readLeb128, writeLeb128 } from "@lib/codecs/av1/leb128.ts";
import { splitObus } from "@lib/codecs/av1/obu.ts";
import { readFixture } from "@tests/_helpers.ts";
import { readIvf } from "@tests/unit/codecs/_stream_info.ts";

Deno.test("av1 leb128: known values and limits (AV1 4.10.5)", () => {
  assert.deepEqual(readLeb128(Uint8Array.of(0x00), 0), { value: 0, length: 1 });
  assert.deepEqual(readLeb128(Uint8Array.of(0xe5, 0x8e, 0x26), 0), { value: 624485, length: 3 });
  assert.deepEqual(readLeb128(Uint8Array.of(0x80, 0x80, 0x00), 0), { value: 0, length: 3 }); // padded
  assert.deepEqual(readLeb128(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f), 0), {
    value: 0xffffffff,
    length: 5,
  });
  assert.equal(readLeb128(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x1f), 0), null); // > 2^32-1
  assert.equal(readLeb128(Uint8Array.of(0x80, 0x80), 0), null); // truncated
  assert.equal(readLeb128(new Uint8Array(9).fill(0x80), 0), null); // more than 8 bytes
});

Deno.test("av1 leb128: round trip, shortest encoding, bounded by end", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => {
      const b = new Uint8Array(10).fill(0xaa);
      const n = writeLeb128(b, 1, v);
      assert.equal(n, leb128Size(v));
      assert.equal(b[1 + n], 0xaa, "nothing written past the encoding");
      assert.deepEqual(readLeb128(b, 1, 1 + n), { value: v, length: n });
      assert.equal(readLeb128(b, 1, n), null, "one byte short is truncated");
      const slot = { value: -1, length: -1 };
      assert.equal(readLeb128(b, 1, 1 + n, slot), slot, "fills the caller's slot");
    }),
    { seed: 5, numRuns: 300 },
  );
});

Deno.test("av1 leb128: re-encoding every obu_size of es/av1_aom.ivf gives its bytes back", () => {
  // aomenc writes the shortest encodings, so the size field bytes must round-trip exactly.
  const ivf = readIvf(readFixture("es/av1_aom.ivf"));
  let sizes = 0;
  for (const tu of ivf.frames) {
    const obus = splitObus(tu);
    assert.ok(obus.ok);
    for (const o of obus.value) {
      if (!o.hasSizeField) continue;
      const at = o.offset + (o.hasExtension ? 2 : 1);
      const field = tu.subarray(at, o.offset + o.headerLength);
      const out = new Uint8Array(8);
      assert.equal(writeLeb128(out, 0, o.size!), field.length);
      assert.deepEqual(out.subarray(0, field.length), field);
      sizes++;
    }
  }
  assert.ok(sizes > 60, `${sizes} size fields`);
});
