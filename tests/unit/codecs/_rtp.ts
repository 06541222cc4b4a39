/**
 * Test-only RTP helpers for depacketizer tests: a packet builder for hand-made vectors
 * (RFC 3550 5.1 fields), byte concatenation and a run with dropped packets. Captures: tests/support/rtp.ts capturePackets.
 */
import type { DepacketizerOptions, RtpDepacketizer, RtpPacket, RtpUnit } from "@lib/core/types.ts";

/** A hand-made packet for vectors. */
export function pkt(
  seq: number,
  timestamp: number,
  marker: boolean,
  payload: number[] | Uint8Array,
): RtpPacket {
  return {
    version: 2,
    padding: false,
    extension: false,
    marker,
    payloadType: 96,
    seq,
    extSeq: seq,
    timestamp,
    ssrc: 1,
    csrcs: [],
    payload: payload instanceof Uint8Array ? payload : Uint8Array.from(payload),
    arrivalMs: seq,
  };
}

/** Concatenate byte arrays. */
export { concatBytes as concat } from "@lib/core/bits.ts";

/** Collects units (copies unless `copy` is false) and counted reasons from a depacketizer. */
export function collector(copy = true): {
  units: RtpUnit[];
  counts: Record<string, number>;
  onUnit: (u: RtpUnit) => void;
  count: (reason: string, n?: number) => void;
} {
  const units: RtpUnit[] = [];
  const counts: Record<string, number> = {};
  return {
    units,
    counts,
    onUnit: (u) => units.push(copy ? { ...u, data: u.data.slice() } : u),
    count: (r, n = 1) => {
      counts[r] = (counts[r] ?? 0) + n;
    },
  };
}

/**
 * Feeds `pkts` to a new depacketizer without the indexes in `lost` (the packet after a
 * gap is pushed with lostBefore = true), flushes, and returns its units and counted reasons.
 */
export function runDropping(
  make: (o: DepacketizerOptions) => RtpDepacketizer,
  pkts: RtpPacket[],
  lost: Set<number> = new Set(),
  opts: Partial<DepacketizerOptions> = {},
): { units: RtpUnit[]; counts: Record<string, number> } {
  const c = collector(false);
  const d = make({ onUnit: c.onUnit, count: c.count, ...opts });
  let gap = false;
  pkts.forEach((p, i) => {
    if (lost.has(i)) gap = true;
    else {
      d.push(p, gap);
      gap = false;
    }
  });
  d.flush();
  return { units: c.units, counts: c.counts };
}
