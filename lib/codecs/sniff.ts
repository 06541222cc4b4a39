/**
 * Codec detection by sniffing RTP payloads when neither SDP nor a static payload type
 * says: each payload format the registry lists (lib/codecs/registry.ts; the formats of
 * RFC 6184, RFC 7798, AV1 RTP 4.4, RFC 9134, RFC 3640, RFC 6416, RFC 7587, each scored in
 * its codec's sniff.ts) scores how plausible each payload is.
 */
import type { Codec, CodecSource, TrackKind } from "../core/types.ts";
import { SNIFFERS } from "./registry.ts";
import type { CodecSpec } from "./spec.ts";

/** What a detector decided about one track. `clockRate` 0 means "unknown here". */
export interface CodecGuess {
  codec: Codec;
  kind: TrackKind;
  /** Timestamp clock, Hz: 90000 for MPEG-TS and RTP video, the RTP clock for RTP audio. */
  clockRate: number;
  source: CodecSource;
  /** Audio channels when the rtpmap or static table says. */
  channels?: number;
}

/** Payloads looked at by sniffRtpPayloads at most. */
export const MAX_SNIFF_PACKETS = 64;

/** Added to a candidate's total once any payload was conclusive for it. */
const CONCLUSIVE_BONUS = 1_000_000;

function toGuess(c: CodecSpec): CodecGuess {
  return { codec: c.name, kind: c.kind, clockRate: c.rtp?.clockRate ?? 0, source: "inferred" };
}

/**
 * Guesses the codec of an RTP stream from its payloads (consecutive packets in sequence
 * order; AV1 fragments are checked across packets: Y of one is Z of the next). Each
 * candidate scores each payload (impossible / weak / plausible / conclusive, e.g. an
 * STAP-A whose sizes cover the payload and whose SPS parses); a candidate impossible for
 * more than 1 in 10 payloads (and more than one) is out; a candidate with a conclusive payload beats one
 * without; then the highest total wins, ties in the order H.264,
 * H.265, AV1, JPEG XS, AAC (RFC 3640 hbr), AAC (LATM), Opus. Undefined when nothing fits.
 * PCM (PCMU/PCMA/L16) cannot be told from its bytes: use the static payload type.
 * An AAC guess has clockRate 0 (the rate comes from the SDP config).
 */
export function sniffRtpPayloads(payloads: Uint8Array[]): CodecGuess | undefined {
  const list = payloads.slice(0, MAX_SNIFF_PACKETS).filter((p) => p.length > 0);
  if (list.length === 0) return undefined;
  let best: CodecSpec | undefined;
  let bestScore = 0;
  for (const { codec, sniffer } of SNIFFERS) {
    let total = 0;
    let impossible = 0;
    let conclusive = false;
    for (let i = 0; i < list.length; i++) {
      let s = sniffer.score(list[i]);
      // a format whose packets chain (AV1 4.4: Y of one is Z of the next) checks the link
      if (sniffer.follows && s >= 0 && i > 0) {
        s = sniffer.follows(list[i - 1], list[i]) ? (s || 1) : -1;
      }
      if (s < 0) impossible++;
      else total += s;
      if (s === 2) conclusive = true;
    }
    // one damaged packet in a small window must not rule the real codec out
    if (impossible > Math.max(1, Math.floor(list.length / 10))) continue;
    if (conclusive) total += CONCLUSIVE_BONUS;
    if (total > bestScore) {
      best = codec;
      bestScore = total;
    }
  }
  return best === undefined ? undefined : toGuess(best);
}

/** sniffRtpPayloads for a single payload. */
export function sniffRtpPayload(payload: Uint8Array): CodecGuess | undefined {
  return sniffRtpPayloads([payload]);
}
