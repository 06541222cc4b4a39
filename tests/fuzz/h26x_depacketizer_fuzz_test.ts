/**
 * Fuzz: the H.264 (RFC 6184) and H.265 (RFC 7798) depacketizers never throw, never emit a
 * unit over the byte cap (plus the out-of-band parameter sets they insert), emit only
 * Annex B starting with a 4-byte start code, count reasons as snake_case names and never
 * mutate the packets they are given. Random packets biased to the payload types, and
 * mutated real captures. Fixed seeds, bounded runs.
 */
import { fuzzRuns } from "@tests/_helpers.ts";
import assert from "node:assert/strict";
import fc from "npm:fast-check@^3";
import { H264Depacketizer } from "@lib/codecs/h264/depacketizer.ts";
import { H265Depacketizer } from "@lib/codecs/h265/depacketizer.ts";
import type { DepacketizerOptions, RtpDepacketizer, RtpPacket } from "@lib/core/types.ts";
import { pkt } from "@tests/unit/codecs/_rtp.ts";
import { h264StapB, h265Donl, oracleUnits, sequence } from "@tests/unit/codecs/_h26x_pack.ts";
import { capturePackets } from "@tests/support/rtp.ts";

interface Config {
  name: string;
  make: (o: DepacketizerOptions) => RtpDepacketizer;
  fmtp?: Record<string, string>;
  /** Bytes of sprop parameter sets (each with its start code) that may be added to a unit. */
  spropBytes: number;
  firstBytes: number[];
  /** Real packets to mutate. */
  real: () => RtpPacket[];
  /** A well-formed aggregation packet carrying `nal` with decoding order number `don`. */
  wrap: (nal: number[], don: number) => number[];
}

const h264Types = [1, 5, 7, 8, 9, 24, 25, 26, 27, 28, 29, 0, 30, 31].map((t) => 0x60 | t);
const h265Types = [1, 19, 21, 32, 33, 34, 35, 48, 49, 50, 51, 63].map((t) => t << 1);

const cap = (name: string) => () => capturePackets(name).slice(0, 60);
const stapA = (n: number[]) => [24, n.length >> 8, n.length & 0xff, ...n];
const stapB = (
  n: number[],
  d: number,
) => [25, d >> 8, d & 0xff, n.length >> 8, n.length & 0xff, ...n];
const ap = (n: number[]) => [0x60, 1, n.length >> 8, n.length & 0xff, ...n];
const apDon = (
  n: number[],
  d: number,
) => [0x60, 1, d >> 8, d & 0xff, n.length >> 8, n.length & 0xff, ...n];

const CONFIGS: Config[] = [
  {
    name: "h264 mode 1",
    make: (o) => new H264Depacketizer(o),
    spropBytes: 0,
    firstBytes: h264Types,
    real: cap("rtp_h264_gst.bin"),
    wrap: stapA,
  },
  {
    name: "h264 mode 1 + sprop",
    make: (o) => new H264Depacketizer(o),
    fmtp: { "sprop-parameter-sets": "Z0IAHpWoFAFuQA==,aM48gA==" },
    spropBytes: 4 + atob("Z0IAHpWoFAFuQA==").length + 4 + atob("aM48gA==").length,
    firstBytes: h264Types,
    real: cap("rtp_h264_ffmpeg.bin"),
    wrap: stapA,
  },
  {
    name: "h264 mode 2",
    make: (o) => new H264Depacketizer(o),
    fmtp: { "packetization-mode": "2", "sprop-interleaving-depth": "2" },
    spropBytes: 0,
    firstBytes: h264Types,
    real: () =>
      sequence(
        h264StapB(oracleUnits("es/oracle_h264.h264", "rtp_h264_ffmpeg.bin").slice(0, 40), 65500)
          .flat(),
      ),
    wrap: stapB,
  },
  {
    name: "h265",
    make: (o) => new H265Depacketizer(o),
    spropBytes: 0,
    firstBytes: h265Types,
    real: cap("rtp_h265_gst.bin"),
    wrap: ap,
  },
  {
    name: "h265 DON",
    make: (o) => new H265Depacketizer(o),
    fmtp: { "sprop-max-don-diff": "3" },
    spropBytes: 0,
    firstBytes: h265Types,
    real: () =>
      sequence(
        h265Donl(oracleUnits("es/oracle_h265.hevc", "rtp_h265_gst.bin").slice(0, 40), 65530).flat(),
      ),
    wrap: apDon,
  },
];

/** Cap for random packets; mutated captures use one above their largest unit. */
const MAX = 2048;
const MAX_REAL = 16384;

/** Run packets through a fresh depacketizer and check every invariant; returns units emitted. */
function check(c: Config, packets: RtpPacket[], lost: boolean[], max = MAX): number {
  const before = packets.map((p) => p.payload.slice());
  let units = 0;
  const d = c.make({
    onUnit: (u) => {
      units++;
      assert.ok(u.data.length <= max + c.spropBytes, `unit of ${u.data.length} bytes over the cap`);
      assert.ok(u.data.length >= 5);
      assert.deepEqual([...u.data.subarray(0, 4)], [0, 0, 0, 1]);
    },
    count: (r) => assert.match(r, /^[a-z0-9_]+$/),
    maxUnitBytes: max,
    fmtp: c.fmtp,
  });
  packets.forEach((p, i) => d.push(p, lost[i] ?? false));
  d.flush();
  packets.forEach((p, i) => assert.deepEqual(p.payload, before[i]));
  return units;
}

for (const c of CONFIGS) {
  Deno.test(`fuzz ${c.name}: random packets biased to the payload types`, () => {
    const packet = fc.record({
      first: fc.constantFrom(...c.firstBytes),
      rest: fc.uint8Array({ maxLength: 700 }),
      shape: fc.constantFrom("raw", "typed", "typed", "wrapped"),
      marker: fc.boolean(),
      tsStep: fc.constantFrom(0, 0, 0, 3000, -3000),
      lost: fc.nat(4).map((n) => n === 0),
    });
    let emitted = 0;
    fc.assert(
      fc.property(fc.array(packet, { minLength: 4, maxLength: 40, size: "max" }), (spec) => {
        let ts = 90000;
        const packets = spec.map((s, i) => {
          ts = (ts + s.tsStep) >>> 0;
          const nal = [c.firstBytes[i % 3], ...s.rest.subarray(0, 40)];
          const payload = s.shape === "raw" ? s.rest : Uint8Array.from(
            s.shape === "typed" ? [s.first, ...s.rest] : c.wrap(nal, (65534 + i) & 0xffff),
          );
          return pkt(i, ts, s.marker, payload);
        });
        emitted += check(c, packets, spec.map((s) => s.lost));
      }),
      { seed: 0x5eed264, numRuns: fuzzRuns(200) },
    );
    assert.ok(emitted > 0, "the random packets must produce some units");
  });

  Deno.test(`fuzz ${c.name}: mutated real capture (bit flips, truncation, drops)`, () => {
    const real = c.real();
    const mutation = fc.record({
      index: fc.nat(real.length - 1),
      kind: fc.constantFrom("flip", "truncate", "drop", "dup"),
      pos: fc.nat(1500),
      bit: fc.nat(7),
    });
    let emitted = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 8 }), (muts) => {
        const packets = real.map((p) => ({ ...p, payload: p.payload.slice() }));
        const lost: boolean[] = [];
        for (const m of muts) {
          const p = packets[m.index % packets.length];
          if (!p) continue;
          if (m.kind === "flip" && p.payload.length > 0) {
            p.payload[m.pos % p.payload.length] ^= 1 << m.bit;
          } else if (m.kind === "truncate") {
            p.payload = p.payload.subarray(0, m.pos % (p.payload.length + 1));
          } else if (m.kind === "drop") {
            packets.splice(m.index % packets.length, 1);
            lost[m.index % packets.length] = m.bit % 2 === 0;
          } else packets.splice(m.index % packets.length, 0, { ...p });
        }
        emitted += check(c, packets, lost, MAX_REAL);
      }),
      { seed: 0x5eed265, numRuns: fuzzRuns(100) },
    );
    assert.ok(emitted > 0);
  });
}
