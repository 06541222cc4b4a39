/**
 * Test-only RTP helpers for depacketizer tests: a packet builder for hand-made vectors
 * (RFC 3550 5.1 fields) and byte concatenation. Captures: tests/_rtp.ts capturePackets.
 */
import type { RtpPacket } from "../../../lib/media/types.ts";

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
export function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
