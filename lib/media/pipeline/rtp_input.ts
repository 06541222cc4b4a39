/**
 * One RTP stream's media side: for each payload type, a depacketizer (from the payload
 * map, or sniffed), then timestamps unwrapped (32-bit RTP clock), DTS derived for
 * H.264/H.265 (RTP carries only PTS), frame facts (key, RAP kind, RASL) read once,
 * and the frame handed to the stream.
 */
import { Unwrapper } from "../bits.ts";
import { AuInspector } from "../frame/au_info.ts";
import { DtsDeriver } from "../frame/dts.ts";
import { decodeSprop } from "../h264/sprop.ts";
import type {
  Counter,
  DepacketizerOptions,
  RtpDepacketizer,
  RtpPacket,
  RtpUnit,
} from "../types.ts";
import type { StreamSink } from "../../stream_types.ts";
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

/** Counts a reason on the stream, as a drop or an error as the catalogue (lib/reasons.ts) says. */
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
    const f = d.fmtp;
    if (!f) return;
    const nalType = (n: Uint8Array) => (d.codec === "h264" ? n[0] & 0x1f : (n[0] >> 1) & 0x3f);
    const values = d.codec === "h264"
      ? [f["sprop-parameter-sets"]]
      : d.codec === "h265"
      ? [f["sprop-vps"], f["sprop-sps"], f["sprop-pps"]]
      : [];
    const sets = values.flatMap((v) => decodeSprop(v, nalType, this.#count)).map((p) => p.nal);
    if (sets.length) this.sink.addParameterSets(pt, d.codec, sets);
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
    const annexB = d.codec === "h264" || d.codec === "h265";
    const inspector = annexB ? new AuInspector(d.codec as "h264" | "h265") : undefined;
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
