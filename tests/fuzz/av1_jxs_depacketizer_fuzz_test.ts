/**
 * Fuzz: the AV1 and JPEG XS RTP depacketizers never throw, never emit a unit above
 * their cap, and only emit well-formed units (an OBU stream starting with a temporal
 * delimiter; a codestream SOC..EOC), on mutated real packets and on random bytes.
 * Fixed seeds, bounded runs.
 */
import { fuzzRuns } from "@tests/_helpers.ts";
import { equal, ok } from "node:assert/strict";
// deno-lint-ignore no-import-prefix -- test-only dependency, kept out of the runtime import map
import fc from "npm:fast-check@^3";
import { Av1Depacketizer } from "@lib/codecs/av1/depacketizer.ts";
import { JpegXsDepacketizer } from "@lib/codecs/jpegxs/depacketizer.ts";
import { JpegXsPacketizer } from "@lib/codecs/jpegxs/packetizer.ts";
import type { RtpDepacketizer, RtpPacket, RtpUnit } from "@lib/core/types.ts";
import { splitObus } from "@tests/unit/codecs/av1/_obu.ts";
import { codestreams } from "@tests/unit/codecs/jpegxs/_jxs.ts";
import { capturePackets } from "@tests/support/rtp.ts";
import { prng } from "@tests/support/prng.ts";

const SEED = 0xa1e5;

function jxsSeeds(): RtpPacket[] {
  const cs = codestreams().slice(0, 2);
  const out: RtpPacket[] = [];
  for (const sliceMode of [false, true]) {
    const pz = new JpegXsPacketizer({
      sliceMode,
      outOfOrder: sliceMode,
      rng: prng(7),
      maxPayloadBytes: 4000,
    });
    const a = pz.frame(cs[0], 0), b = pz.interlacedFrame(cs[0], cs[1], 3000);
    if (a.ok && b.ok) out.push(...a.value, ...b.value);
  }
  return out;
}

const TARGETS: {
  name: string;
  make: (onUnit: (u: RtpUnit) => void, cap: number) => RtpDepacketizer;
  seeds: RtpPacket[];
  /** A cap some real units exceed. */
  smallCap: number;
  check: (u: RtpUnit) => void;
}[] = [
  {
    name: "av1",
    make: (onUnit, cap) =>
      new Av1Depacketizer({ onUnit, count: () => {}, maxUnitBytes: cap, emitAfterLoss: true }),
    seeds: [
      ...capturePackets("rtp_av1_ffmpeg81.bin").slice(0, 16),
      ...capturePackets("rtp_av1_libdatachannel.bin").slice(60, 76),
    ],
    smallCap: 4000,
    check: (u) => {
      const obus = splitObus(u.data); // throws on a malformed OBU stream
      equal(obus[0].type, 2);
    },
  },
  {
    name: "jpegxs",
    make: (onUnit, cap) => new JpegXsDepacketizer({ onUnit, count: () => {}, maxUnitBytes: cap }),
    seeds: jxsSeeds(),
    smallCap: 40000,
    check: (u) => {
      equal(u.data[0] << 8 | u.data[1], 0xff10);
      equal(u.data[u.data.length - 2] << 8 | u.data[u.data.length - 1], 0xff11);
      equal(u.key, true);
    },
  },
];

/** One step: a seed packet, mutated, or random bytes. */
const step = fc.record({
  seed: fc.nat(),
  kind: fc.constantFrom("as_is", "flip", "truncate", "random", "header"),
  at: fc.nat(),
  bits: fc.integer({ min: 1, max: 255 }),
  random: fc.uint8Array({ maxLength: 64 }),
  marker: fc.boolean(),
  tsShift: fc.constantFrom(0, 0, 0, 3000, -3000),
  lost: fc.boolean(),
});

const UNCHANGED = {
  seed: 0,
  kind: "as_is",
  at: 0,
  bits: 0,
  random: new Uint8Array(0),
  marker: false,
  tsShift: 0,
  lost: false,
} as const;

for (const t of TARGETS) {
  Deno.test(`fuzz ${t.name} depacketizer: never throws, never exceeds caps`, () => {
    let emitted = 0, capped = 0;
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), fc.boolean(), (steps, smallCap) => {
        const cap = smallCap ? t.smallCap : 1 << 20;
        const units: RtpUnit[] = [];
        const d = t.make((u) => units.push(u), cap);
        // Half the runs mutate the real packet sequence, half pick packets at random.
        const inOrder = steps.length % 2 === 0;
        const n = inOrder ? t.seeds.length : steps.length;
        for (let k = 0; k < n; k++) {
          const s = inOrder
            ? (steps.find((x) => x.seed % t.seeds.length === k) ?? UNCHANGED)
            : steps[k];
          const base = t.seeds[inOrder ? k : s.seed % t.seeds.length];
          let payload = base.payload;
          if (s.kind === "random") payload = s.random;
          else if (s.kind !== "as_is") {
            payload = payload.slice();
            const i = s.kind === "header" ? s.at % 4 : s.at % Math.max(1, payload.length);
            if (s.kind === "truncate") payload = payload.subarray(0, i);
            else if (payload.length > 0) payload[i] ^= s.bits;
          }
          const ts = (base.timestamp + s.tsShift) >>> 0;
          d.push({ ...base, payload, timestamp: ts, marker: s.marker || base.marker }, s.lost);
        }
        d.flush();
        emitted += units.length;
        if (smallCap) capped += units.length;
        for (const u of units) {
          ok(u.data.length <= cap, `${u.data.length} > ${cap}`);
          t.check(u);
        }
      }),
      { seed: SEED, numRuns: fuzzRuns(250) },
    );
    console.log(`${t.name}: ${emitted} units emitted (${capped} under the small cap)`);
    ok(emitted > 50, "the runs reach the emit path");
  });

  Deno.test(`fuzz ${t.name} depacketizer: unmutated seeds still produce units`, () => {
    const units: RtpUnit[] = [];
    const d = t.make((u) => units.push(u), 1 << 20);
    for (const p of t.seeds) d.push(p, false);
    d.flush();
    ok(units.length > 0);
    units.forEach(t.check);
  });
}
