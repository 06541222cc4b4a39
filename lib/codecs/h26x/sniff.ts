/** Sniffing H.264/H.265 RTP payloads: the aggregation packet walk both use (RFC 6184 5.7.1, RFC 7798 4.4.2). */
import type { SniffScore } from "../spec.ts";

/**
 * An aggregation packet: (size(16) NAL unit)+ from `o`, which must cover the payload
 * exactly, every unit plausible; conclusive when one is.
 */
export function aggregate(
  p: Uint8Array,
  o: number,
  unit: (nal: Uint8Array) => SniffScore,
): SniffScore {
  let best: SniffScore = 1;
  while (o + 2 < p.length) {
    const n = (p[o] << 8) | p[o + 1];
    if (n === 0 || o + 2 + n > p.length) return -1;
    const s = unit(p.subarray(o + 2, o + 2 + n));
    if (s < 0) return -1;
    if (s === 2) best = 2;
    o += 2 + n;
  }
  return o === p.length ? best : -1;
}
