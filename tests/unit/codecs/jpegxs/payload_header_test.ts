/** RFC 9134 4.3 payload header: hand vectors, field masks, round trip. */
import { deepEqual, equal } from "node:assert/strict";
// deno-lint-ignore no-import-prefix -- test-only dependency, kept out of the runtime import map
import fc from "npm:fast-check@^3";
import {
  type JxsPayloadHeader,
  newJxsHeader,
  readJxsHeader,
  writeJxsHeader,
} from "@lib/codecs/jpegxs/payload_header.ts";

const vectors: { bytes: number[]; h: JxsPayloadHeader }[] = [
  {
    // T=1 K=0 L=1 I=0 F=0 SEP=0 P=0: a one-packet codestream-mode frame
    bytes: [0xa0, 0x00, 0x00, 0x00],
    h: {
      sequential: true,
      sliceMode: false,
      last: true,
      interlace: 0,
      frame: 0,
      sep: 0,
      packet: 0,
    },
  },
  {
    // T=0 K=1 L=0 I=3 F=31 SEP=2047 (header segment) P=2047
    bytes: [0x5f, 0xff, 0xff, 0xff],
    h: {
      sequential: false,
      sliceMode: true,
      last: false,
      interlace: 3,
      frame: 31,
      sep: 2047,
      packet: 2047,
    },
  },
  {
    // T=1 K=1 L=1 I=2 F=5 SEP=14 P=3
    bytes: [0xf1, 0x40, 0x70, 0x03],
    h: {
      sequential: true,
      sliceMode: true,
      last: true,
      interlace: 2,
      frame: 5,
      sep: 14,
      packet: 3,
    },
  },
];

Deno.test("jxs payload header: hand vectors read and write", () => {
  for (const v of vectors) {
    const h = newJxsHeader();
    equal(readJxsHeader(new Uint8Array(v.bytes), h), true);
    deepEqual(h, v.h);
    const out = new Uint8Array(4);
    writeJxsHeader(out, 0, v.h);
    deepEqual([...out], v.bytes);
  }
  equal(readJxsHeader(new Uint8Array(3), newJxsHeader()), false);
});

Deno.test("jxs payload header: fields sit at the RFC 9134 bit masks (round trip)", () => {
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 0, max: 31 }),
      fc.integer({ min: 0, max: 2047 }),
      fc.integer({ min: 0, max: 2047 }),
      (t, k, l, i, f, sep, p) => {
        const h = { sequential: t, sliceMode: k, last: l, interlace: i, frame: f, sep, packet: p };
        const b = new Uint8Array(6);
        writeJxsHeader(b, 1, h);
        const u = new DataView(b.buffer).getUint32(1);
        equal(u >>> 31, t ? 1 : 0);
        equal((u >>> 30) & 1, k ? 1 : 0);
        equal((u >>> 29) & 1, l ? 1 : 0);
        equal((u >>> 27) & 3, i);
        equal((u & 0x07c00000) >>> 22, f);
        equal((u & 0x003ff800) >>> 11, sep);
        equal(u & 0x7ff, p);
        const back = newJxsHeader();
        readJxsHeader(b.subarray(1), back);
        deepEqual(back, h);
      },
    ),
    { seed: 9134, numRuns: 300 },
  );
});
