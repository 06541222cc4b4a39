/**
 * G.711 PCMU/PCMA RTP depacketizer (RFC 3551 4.5.14: static payload types 0 and 8,
 * 8000 Hz, one octet per sample). Each RTP payload is emitted as one frame whose
 * data is `pkt.payload` (zero-copy); its duration in samples is its length.
 */
import type { DepacketizerOptions } from "../../core/types.ts";
import { FramePerPacketDepacketizer } from "../frame_per_packet.ts";

/** Samples in a G.711 payload (RFC 3551 4.5.14: 8 bits per sample, one channel). */
export function g711Samples(payload: Uint8Array, channels = 1): number {
  return Math.floor(payload.length / Math.max(1, channels));
}

/** RFC 3551 PCMU/PCMA depacketizer: one RtpUnit per RTP packet; empty ones counted. */
export class G711Depacketizer extends FramePerPacketDepacketizer {
  constructor(opts: DepacketizerOptions) {
    super(opts, (payload) => payload.length === 0 ? "g711_empty" : undefined);
  }
}
