/**
 * Opus RTP depacketizer (RFC 7587 4.2: exactly one Opus packet per RTP payload, clock
 * 48 kHz whatever the coded bandwidth) with the packet structure checks of RFC 6716
 * 3.1-3.4 (requirements R1-R7) on the TOC byte:
 *
 * ```
 *  0 1 2 3 4 5 6 7
 * +-+-+-+-+-+-+-+-+
 * | config  |s| c |   config: mode and frame size, s: stereo, c: frames code 0-3
 * +-+-+-+-+-+-+-+-+
 * ```
 * Each valid packet is emitted as one RtpUnit whose data is `pkt.payload` (zero-copy).
 */
import type { DepacketizerOptions } from "../../core/types.ts";
import { FramePerPacketDepacketizer } from "../frame_per_packet.ts";
import { opusConfig, parseOpusToc } from "./toc.ts";
import { ok, type Result } from "../../core/result.ts";
import type { DataReason } from "../../core/reasons/catalogue.ts";

/** Samples at 48 kHz of one frame for a TOC config (RFC 6716 Table 2). */
export function opusFrameSamples(config: number): number {
  return opusConfig(config).frameSamples;
}

/**
 * Validates an Opus packet (RFC 6716 3.4, R1-R7) and returns its duration in 48 kHz
 * samples; reasons "opus_empty", "opus_invalid".
 */
export function opusPacketSamples(d: Uint8Array): Result<number, DataReason> {
  const r = parseOpusToc(d);
  return r.ok ? ok(r.value.packetSamples) : r;
}

/** RFC 7587 depacketizer: one RtpUnit per RTP packet that passes R1-R7. */
export class OpusDepacketizer extends FramePerPacketDepacketizer {
  constructor(opts: DepacketizerOptions) {
    super(opts, (payload) => {
      const r = opusPacketSamples(payload);
      return r.ok ? undefined : r.reason;
    });
  }
}
