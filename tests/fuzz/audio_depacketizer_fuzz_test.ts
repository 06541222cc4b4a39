/** Fuzz: audio depacketizers never throw on arbitrary or mutated real packets (fixed seed). */
import { fuzzRuns } from "@tests/_helpers.ts";
import assert from "node:assert/strict";
// deno-lint-ignore no-import-prefix
import fc from "npm:fast-check@^3";
import { Rfc3640Depacketizer } from "@lib/codecs/aac/rfc3640.ts";
import { LatmDepacketizer } from "@lib/codecs/aac/latm.ts";
import { OpusDepacketizer } from "@lib/codecs/opus/depacketizer.ts";
import { G711Depacketizer } from "@lib/codecs/g711/depacketizer.ts";
import type { DepacketizerOptions, RtpDepacketizer, RtpPacket } from "@lib/core/types.ts";
import {
  FULL_HEADER_FMTP,
  latmInBand,
  rfc3640FullHeader,
  withPayload,
} from "@tests/unit/codecs/_rtp_audio.ts";
import { hexBytes } from "@lib/codecs/aac/latm.ts";
import { capturePackets, sdpMedia } from "@tests/support/rtp.ts";

const SEED = 0x5109e;

/** Real AUs of a capture (the RFC 3640 depacketizer's output on it). */
function realAus(): { pkt: RtpPacket; aus: Uint8Array[] }[] {
  const out: { pkt: RtpPacket; aus: Uint8Array[] }[] = [];
  for (const pkt of capturePackets("rtp_aac_ffmpeg.bin").slice(0, 8)) {
    const aus: Uint8Array[] = [];
    new Rfc3640Depacketizer({
      onUnit: (u) => aus.push(u.data.slice()),
      count: () => {},
      fmtp: sdpMedia("rtp_aac_ffmpeg.sdp").fmtp,
    }).push(pkt, false);
    out.push({ pkt, aus });
  }
  return out;
}

/** Real AUs re-packed with every optional RFC 3640 AU-header field. */
function fullHeaderSeeds(): RtpPacket[] {
  return realAus().map(({ pkt, aus }) => withPayload(pkt, rfc3640FullHeader(aus)));
}

/** LATM elements with an in-band StreamMuxConfig (first) and "same config" (rest). */
function inBandSeeds(): RtpPacket[] {
  const cfg = hexBytes(sdpMedia("rtp_aac_latm_ffmpeg.sdp").fmtp.config);
  return realAus().map(({ pkt, aus }, i) =>
    withPayload(pkt, latmInBand(aus[0], i % 3 === 0 ? cfg : undefined, 44))
  );
}
const MAX_BYTES = 65536;

const TARGETS: {
  name: string;
  make: (o: DepacketizerOptions) => RtpDepacketizer;
  seeds: RtpPacket[];
}[] = [
  ...["rtp_aac_ffmpeg", "rtp_aac_mp4g_gst"].map((n) => ({
    name: `rfc3640 ${n}`,
    make: (o: DepacketizerOptions) =>
      new Rfc3640Depacketizer({ ...o, fmtp: sdpMedia(`${n}.sdp`).fmtp }),
    seeds: capturePackets(`${n}.bin`).slice(0, 12),
  })),
  {
    name: "rfc3640 with every optional header field",
    make: (o) =>
      new Rfc3640Depacketizer({
        ...o,
        fmtp: FULL_HEADER_FMTP,
      }),
    seeds: fullHeaderSeeds(),
  },
  {
    name: "latm cpresent=0",
    make: (o) => new LatmDepacketizer({ ...o, fmtp: sdpMedia("rtp_aac_latm_ffmpeg.sdp").fmtp }),
    seeds: capturePackets("rtp_aac_latm_ffmpeg.bin").slice(0, 12),
  },
  {
    name: "latm cpresent=1",
    make: (o) => new LatmDepacketizer({ ...o, fmtp: { cpresent: "1" } }),
    seeds: inBandSeeds(),
  },
  {
    name: "opus",
    make: (o) => new OpusDepacketizer(o),
    seeds: capturePackets("rtp_libopus_ffmpeg.bin").slice(0, 12),
  },
  {
    name: "g711",
    make: (o) => new G711Depacketizer(o),
    seeds: capturePackets("rtp_pcm_mulaw_ffmpeg.bin").slice(0, 12),
  },
];

/** One fuzz step: a real packet mutated (flips, cut, splice) or random bytes. */
const step = fc.record({
  seed: fc.nat(),
  random: fc.option(fc.uint8Array({ maxLength: 400 }), { freq: 3 }),
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 6 }),
  cut: fc.option(fc.nat(), { freq: 2 }),
  marker: fc.boolean(),
  tsJump: fc.integer({ min: -2048, max: 2048 }),
  lost: fc.boolean(),
});

for (const t of TARGETS) {
  Deno.test(`fuzz ${t.name}: never throws, units stay within caps`, () => {
    let total = 0;
    fc.assert(
      fc.property(fc.array(step, { maxLength: 24 }), (steps) => {
        let units = 0;
        const d = t.make({
          onUnit: (u) => {
            units++;
            assert.ok(u.data.length > 0 && u.data.length <= MAX_BYTES);
            assert.ok(Number.isInteger(u.timestamp) && u.timestamp >= 0 && u.timestamp < 2 ** 32);
          },
          count: () => {},
        });
        for (const s of steps) {
          const base = t.seeds[s.seed % t.seeds.length];
          let payload = s.random ?? base.payload.slice();
          for (const [at, x] of s.flips) if (payload.length) payload[at % payload.length] ^= x;
          if (s.cut !== null) payload = payload.subarray(0, s.cut % (payload.length + 1));
          const copy = payload.slice();
          const pkt = {
            ...withPayload(base, payload, s.marker),
            timestamp: (base.timestamp + s.tsJump) >>> 0,
          };
          d.push(pkt, s.lost);
          assert.deepEqual(payload, copy, "input not mutated");
        }
        d.flush();
        total += units;
      }),
      { seed: SEED, numRuns: fuzzRuns(1000) },
    );
    assert.ok(total > 0, "the fuzz reaches the emit path");
  });
}
