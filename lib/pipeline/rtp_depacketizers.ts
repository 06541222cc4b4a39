/**
 * Depacketizer per codec for an RTP payload type, and a sniffing front that decides
 * the codec of an unmapped dynamic payload type from its first packets (the track is
 * then marked `inferred`; MediaMTX needs a hand-written SDP for this).
 */
import { codecSpec } from "../codecs/registry.ts";
import { type CodecGuess, sniffRtpPayloads } from "../codecs/sniff.ts";
import type {
  Codec,
  Counter,
  DepacketizerOptions,
  RtpDepacketizer,
  RtpPacket,
  TrackKind,
} from "../core/types.ts";

/** What a payload type carries, however it was learned. */
export interface PayloadDescription {
  codec: Codec;
  kind: TrackKind;
  clockRate: number;
  channels?: number;
  /** Encoding name (MPEG4-GENERIC vs MP4A-LATM decide the AAC framing). */
  encoding?: string;
  fmtp?: Record<string, string>;
  source: "rtp_static" | "config" | "sdp" | "inferred";
}

/** Packets a sniffing front holds before deciding. */
export const SNIFF_PACKETS = 8;

/** The codec's depacketizer (lib/codecs/registry.ts) for a payload; undefined when unsupported. */
export function createDepacketizer(
  d: PayloadDescription,
  o: DepacketizerOptions,
): RtpDepacketizer | undefined {
  return codecSpec(d.codec)?.depacketizer?.({ ...o, fmtp: d.fmtp ?? o.fmtp }, d.encoding);
}

/** Description from a sniffed guess. */
export function fromGuess(g: CodecGuess): PayloadDescription {
  return {
    codec: g.codec,
    kind: g.kind,
    clockRate: g.clockRate || 90000,
    channels: g.channels,
    source: "inferred",
  };
}

/**
 * Holds the first packets of an unmapped payload type, sniffs the codec, then builds
 * the real depacketizer through `decide` and replays the held packets into it.
 */
export class SniffingDepacketizer implements RtpDepacketizer {
  #held: { pkt: RtpPacket; lost: boolean }[] = [];
  #inner: RtpDepacketizer | undefined;
  #failed = false;

  constructor(
    private decide: (guess: CodecGuess | undefined) => RtpDepacketizer | undefined,
    private count: Counter,
  ) {}

  push(pkt: RtpPacket, lostBefore: boolean): void {
    if (this.#inner) return this.#inner.push(pkt, lostBefore);
    if (this.#failed) return this.count("rtp_codec_unknown");
    this.#held.push({ pkt, lost: lostBefore });
    if (this.#held.length >= SNIFF_PACKETS) this.#resolve();
  }

  #resolve(): void {
    const held = this.#held;
    this.#held = [];
    const guess = sniffRtpPayloads(held.map((h) => h.pkt.payload));
    this.#inner = this.decide(guess);
    if (!this.#inner) {
      this.#failed = true;
      this.count("rtp_codec_unknown", held.length);
      return;
    }
    for (const h of held) this.#inner.push(h.pkt, h.lost);
  }

  flush(): void {
    if (!this.#inner && this.#held.length) this.#resolve();
    this.#inner?.flush();
  }
}
