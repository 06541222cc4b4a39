/**
 * Property tests: every stream-info parser takes arbitrary bytes (random, and real parameter
 * sets with random bit flips and cuts) without throwing, returns ok/fail, and leaves the
 * input untouched. Fixed seeds, a few hundred runs each.
 */
import assert from "node:assert/strict";
import fc from "npm:fast-check@^3";
import { splitAnnexB } from "@lib/core/bits.ts";
import { parseAudioSpecificConfig } from "@lib/codecs/aac/asc.ts";
import { parseAv1FrameHeaderStart } from "@lib/codecs/av1/frame_header.ts";
import { parseObuHeader, splitObus } from "@lib/codecs/av1/obu.ts";
import { parseAv1SequenceHeader } from "@lib/codecs/av1/sequence_header.ts";
import { parseRtpmapValue } from "@lib/transport/rtp/sdp.ts";
import { findRecoveryPoint } from "@lib/codecs/h264/sei.ts";
import { parseH264Sps } from "@lib/codecs/h264/sps.ts";
import { parseH265Sps } from "@lib/codecs/h265/sps.ts";
import { parseH265Vps } from "@lib/codecs/h265/vps.ts";
import { parseJxsPictureHeader } from "@lib/codecs/jpegxs/picture_header.ts";
import { parseOpusToc } from "@lib/codecs/opus/toc.ts";
import { fuzzRuns, readFixture } from "@tests/_helpers.ts";
import { sniffRtpPayloads } from "@lib/codecs/sniff.ts";
import { readLeb128 } from "@lib/codecs/av1/leb128.ts";
import type { Result } from "@lib/core/result.ts";

const RUNS = 300;

type Parser = (b: Uint8Array) => Result<unknown> | unknown;

/** Real inputs to mutate, with the prefix a random input gets to pass the type check. */
function corpus(): { name: string; parse: Parser; seed: Uint8Array; prefix: number[] }[] {
  const h264 = splitAnnexB(readFixture("es/h264_aud.h264"));
  const h265 = splitAnnexB(readFixture("es/h265_aud.h265"));
  const ivf = readFixture("es/av1_aom.ivf");
  const tu = ivf.subarray(44, 44 + new DataView(ivf.buffer, ivf.byteOffset).getUint32(32, true));
  const obus = splitObus(tu);
  assert.ok(obus.ok);
  const seq = obus.value.find((o) => o.type === 1)!;
  const frame = obus.value.find((o) => o.type === 6)!;
  return [
    {
      name: "h264 sps",
      parse: parseH264Sps,
      seed: h264.find((n) => (n[0] & 31) === 7)!,
      prefix: [0x67],
    },
    {
      name: "h264 sei",
      parse: findRecoveryPoint,
      seed: Uint8Array.of(6, 6, 2, 0x1b, 0x10, 0x80),
      prefix: [6],
    },
    {
      name: "h265 vps",
      parse: parseH265Vps,
      seed: h265.find((n) => (n[0] >> 1) === 32)!,
      prefix: [0x40, 1],
    },
    {
      name: "h265 sps",
      parse: (b) => parseH265Sps(b),
      seed: h265.find((n) => (n[0] >> 1) === 33)!,
      prefix: [0x42, 1],
    },
    { name: "av1 obus", parse: splitObus, seed: tu, prefix: [] },
    { name: "av1 obu header", parse: parseObuHeader, seed: tu, prefix: [] },
    { name: "av1 sequence header", parse: parseAv1SequenceHeader, seed: seq.payload, prefix: [] },
    {
      name: "av1 frame header",
      parse: parseAv1FrameHeaderStart,
      seed: frame.payload.subarray(0, 16),
      prefix: [],
    },
    {
      name: "leb128",
      parse: (b) => readLeb128(b, 0),
      seed: Uint8Array.of(0xe5, 0x8e, 0x26),
      prefix: [],
    },
    {
      name: "jpegxs header",
      parse: parseJxsPictureHeader,
      seed: readFixture("jpegxs/svt_320x240_422_10f.jxs").subarray(0, 120),
      prefix: [0xff, 0x10],
    },
    {
      name: "aac asc",
      parse: parseAudioSpecificConfig,
      seed: Uint8Array.of(0x11, 0x90, 0x56, 0xe5, 0),
      prefix: [],
    },
    {
      name: "opus toc",
      parse: parseOpusToc,
      seed: Uint8Array.of(0xfb, 0x83, 1, 2, 9, 9, 9, 9),
      prefix: [],
    },
    {
      name: "sniff",
      parse: (b) => sniffRtpPayloads([b, b.subarray(1), b.subarray(2)]),
      seed: h264[0],
      prefix: [],
    },
  ];
}

function check(parse: Parser, input: Uint8Array) {
  const copy = input.slice();
  const r = parse(input) as Result<unknown> | null | undefined;
  if (r && typeof r === "object" && "ok" in r) {
    assert.ok(
      r.ok === true || (r.ok === false && typeof r.reason === "string" && r.reason.length > 0),
    );
  }
  assert.deepEqual(input, copy);
}

for (const { name, parse, seed, prefix } of corpus()) {
  Deno.test(`fuzz ${name}: random bytes never throw`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), (tail) => {
        check(parse, new Uint8Array([...prefix, ...tail]));
        check(parse, tail);
      }),
      { seed: 0x51c3, numRuns: fuzzRuns(RUNS) },
    );
  });

  Deno.test(`fuzz ${name}: real bytes with bit flips and cuts never throw`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: seed.length * 8 - 1 }), { maxLength: 8 }),
        fc.nat({ max: seed.length }),
        (flips, cut) => {
          const b = seed.slice(0, Math.max(cut, 1));
          for (const f of flips) if (f >> 3 < b.length) b[f >> 3] ^= 0x80 >> (f & 7);
          check(parse, b);
        },
      ),
      { seed: 0x51c4, numRuns: fuzzRuns(RUNS) },
    );
  });
}

Deno.test("fuzz rtpmap: random strings never throw", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (s) => {
      const r = parseRtpmapValue(s);
      assert.ok(r === undefined || (r.clockRate > 0 && r.encoding.length > 0));
    }),
    { seed: 0x51c5, numRuns: fuzzRuns(RUNS) },
  );
});
