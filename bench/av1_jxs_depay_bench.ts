/**
 * AV1 and JPEG XS RTP depacketizer throughput from memory, warm, in-process.
 * Run by hand (not part of the tests):
 *
 *   deno run --allow-read bench/av1_jxs_depay_bench.ts [passes]
 *
 * Inputs: the FFmpeg 8.1 and libdatachannel AV1 captures (130 packets, 60 TUs each)
 * and the 10 SVT JPEG XS codestreams packetized by our RFC 9134 packetizer (MTU-sized
 * payloads) in codestream mode, slice mode and shuffled slice mode. Each input is
 * replayed `passes` times (default 200) after one warm-up pass; best of 3. Prints
 * packets/s, payload MB/s (10^6 bytes) and units/s per input.
 */
import { Av1Depacketizer } from "../lib/codecs/av1/depacketizer.ts";
import { JpegXsDepacketizer } from "../lib/codecs/jpegxs/depacketizer.ts";
import { JpegXsPacketizer } from "../lib/codecs/jpegxs/packetizer.ts";
import type { DepacketizerOptions, RtpDepacketizer, RtpPacket } from "../lib/core/types.ts";
import { codestreams } from "../tests/unit/codecs/jpegxs/_jxs.ts";
import { emit } from "./_bench.ts";
import { capturePackets } from "../tests/support/rtp.ts";
import { prng } from "../tests/support/prng.ts";

/** One input's result. */
export interface DepayBenchLine {
  name: string;
  packetsPerS: number;
  mbPerS: number;
  unitsPerS: number;
}

function jxsPackets(sliceMode: boolean, outOfOrder: boolean): RtpPacket[] {
  const pz = new JpegXsPacketizer({ sliceMode, outOfOrder, rng: prng(1) });
  return codestreams().flatMap((cs, i) => {
    const r = pz.frame(cs, i * 3000);
    return r.ok ? r.value : [];
  });
}

/** Times `passes` replays of `pkts` through a fresh depacketizer; best of 3. */
export function benchOne(
  name: string,
  make: (o: DepacketizerOptions) => RtpDepacketizer,
  pkts: RtpPacket[],
  passes: number,
): DepayBenchLine {
  const bytes = pkts.reduce((n, p) => n + p.payload.length, 0);
  let units = 0;
  const d = make({ onUnit: () => units++, count: () => {} });
  for (const p of pkts) d.push(p, false); // warm-up
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    units = 0;
    const t0 = performance.now();
    for (let k = 0; k < passes; k++) for (const p of pkts) d.push(p, false);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  d.flush();
  return {
    name,
    packetsPerS: (pkts.length * passes) / best,
    mbPerS: (bytes * passes) / best / 1e6,
    unitsPerS: units / best,
  };
}

if (import.meta.main) {
  const passes = Number(Deno.args.find((a) => !a.startsWith("--")) ?? 200);
  const av1 = (o: DepacketizerOptions) => new Av1Depacketizer(o);
  const jxs = (o: DepacketizerOptions) => new JpegXsDepacketizer(o);
  const lines = [
    benchOne("av1 ffmpeg81", av1, capturePackets("rtp_av1_ffmpeg81.bin"), passes),
    benchOne("av1 libdatachannel", av1, capturePackets("rtp_av1_libdatachannel.bin"), passes),
    benchOne("jpegxs codestream", jxs, jxsPackets(false, false), passes),
    benchOne("jpegxs slice", jxs, jxsPackets(true, false), passes),
    benchOne("jpegxs slice shuffled", jxs, jxsPackets(true, true), passes),
  ];
  for (const l of lines) {
    console.log(
      `${l.name.padEnd(24)} ${(l.packetsPerS / 1e3).toFixed(0).padStart(7)} kpackets/s ` +
        `${l.mbPerS.toFixed(0).padStart(6)} MB/s ${l.unitsPerS.toFixed(0).padStart(8)} units/s`,
    );
    emit({
      name: `depay ${l.name}`,
      unit: "packets/s",
      sluice: l.packetsPerS,
      note: "no peer (GStreamer 1.22 here has no rtpav1depay/rtpjxsdepay)",
    });
  }
}
