/**
 * One RTP stream's media side: for each payload type, a depacketizer (from the payload
 * map, or sniffed), then timestamps unwrapped (32-bit RTP clock), DTS derived for
 * H.264/H.265 (RTP carries only PTS), frame facts (key, RAP kind, RASL) read once,
 * and the frame handed to the stream.
 */
import { Unwrapper } from "../core/bits.ts";
import { AuInspector } from "../codecs/h26x/au_info.ts";
import { DtsDeriver } from "./dts.ts";
import { codecSpec } from "../codecs/registry.ts";
import type {
  Counter,
  DepacketizerOptions,
  RtpDepacketizer,
  RtpPacket,
  RtpUnit,
} from "../core/types.ts";
import type { StreamSink } from "../stream/ports.ts";
import {
  createDepacketizer,
  fromGuess,
  type PayloadDescription,
  SniffingDepacketizer,
} from "./rtp_depacketizers.ts";

/** Options of RtpInput. */
export interface RtpInputOptions {
  /** Payload type -> description from config/SDP/static table; undefined = sniff. */
  lookup(pt: number): PayloadDescription | undefined;
  emitAfterLoss: boolean;
}

/**
 * Counts a reason on the stream, as a drop or an error as the catalogue
 * (lib/core/reasons/catalogue.ts) says.
 */
export function streamCounter(sink: StreamSink): Counter {
  return (reason, n = 1) => sink.count(reason, n);
}

/** Media side of one RTP stream. */
export class RtpInput {
  readonly #count: Counter;

  constructor(private sink: StreamSink, private o: RtpInputOptions) {
    this.#count = streamCounter(sink);
  }

  /** The RtpSession's depacketizer factory. */
  create(pt: number, _first: RtpPacket): RtpDepacketizer | undefined {
    const d = this.o.lookup(pt);
    if (d) return this.#build(pt, d);
    return new SniffingDepacketizer(
      (g) => (g ? this.#build(pt, fromGuess(g)) : undefined),
      this.#count,
    );
  }

  /** SDP sprop parameter sets: stream info before the first keyframe arrives. */
  #outOfBandSets(pt: number, d: PayloadDescription): void {
    const sets = d.fmtp && codecSpec(d.codec)?.spropSets?.(d.fmtp, this.#count);
    if (sets?.length) this.sink.addParameterSets(pt, d.codec, sets);
  }

  #build(pt: number, d: PayloadDescription): RtpDepacketizer | undefined {
    const sink = this.sink;
    const supported = d.codec !== "unknown";
    sink.setTrack({
      id: pt,
      kind: d.kind,
      codec: d.codec,
      codecSource: d.source,
      clockRate: d.clockRate,
      payloadType: pt,
      supported,
      ...(d.kind === "audio" ? { sampleRate: d.clockRate, channels: d.channels ?? 1 } : {}),
    });
    this.#outOfBandSets(pt, d);
    const unwrap = new Unwrapper(32);
    const video = d.kind === "video";
    // Annex B codecs (H.264, H.265): frame facts read once, DTS derived (RTP carries PTS)
    const rules = codecSpec(d.codec)?.annexB;
    const annexB = rules !== undefined;
    const inspector = rules ? new AuInspector(rules.codec) : undefined;
    const dts = annexB ? new DtsDeriver({ clockRate: d.clockRate, count: this.#count }) : undefined;
    const opts: DepacketizerOptions = {
      count: this.#count,
      emitAfterLoss: this.o.emitAfterLoss,
      fmtp: d.fmtp,
      onUnit: (u: RtpUnit) => {
        const pts = unwrap.unwrap(u.timestamp);
        const facts = inspector?.inspect(u.data);
        sink.pushFrame({
          trackId: pt,
          codec: d.codec,
          kind: d.kind,
          pts,
          dts: dts ? dts.push(pts) : pts,
          clockRate: d.clockRate,
          key: video ? (facts?.key ?? u.key) : true,
          frameType: facts?.frameType,
          // H.264/H.265 units are the assembler's copies (rtp_unit.ts), others may be views
          // of packet payloads (which point into the demux's shared datagram slabs).
          data: annexB || (u.data.byteOffset === 0 && u.data.length === u.data.buffer.byteLength)
            ? u.data
            : u.data.slice(),
          arrivalMs: u.arrivalMs,
          ...(facts ? { rap: facts.rap, rasl: facts.rasl, paramSets: facts.paramSets } : {}),
        });
      },
    };
    const dp = supported ? createDepacketizer(d, opts) : undefined;
    if (!dp) this.#count("rtp_codec_unsupported");
    return dp;
  }
}
