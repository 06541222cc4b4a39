/**
 * One RTP source (SSRC + address, lib/transport/rtp/source_identity.ts) wired to its
 * track(s) of a stream: its session (sequencing, jitter buffer, SR;
 * lib/transport/rtp/session.ts) feeds a media input (rtp_input.ts) writing into the
 * source's TrackSink (rtp_track_sink.ts). Sender reports go on to the stream's A/V sync
 * (lib/sync) as the `rtcp` reference of the source's track; a CNAME learned from RTCP is
 * told to the adapter, which may join streams by it (rtp_join.ts).
 */
import type { RtpPacket } from "../core/types.ts";
import type { StreamSink } from "../stream/ports.ts";
import type { PayloadMap } from "../transport/rtp/payload_map.ts";
import type { RtcpPacket } from "../transport/rtp/rtcp.ts";
import { RtpSession } from "../transport/rtp/session.ts";
import type { SourceKey } from "../transport/rtp/source_identity.ts";
import type { PayloadDescription } from "./rtp_depacketizers.ts";
import { RtpInput, streamCounter } from "./rtp_input.ts";
import { TrackSink } from "./rtp_track_sink.ts";

/** One source as the demux sees it (its RtpSourceSink). */
export class RtpSource {
  session!: RtpSession;
  cname?: string;
  /** Payload type of the latest RTP packet (-1 before the first). */
  #pt = -1;
  constructor(
    public key: SourceKey,
    readonly sink: TrackSink,
    readonly onCname: (s: RtpSource) => void,
  ) {}
  get stream(): StreamSink {
    return this.sink.stream;
  }
  pushRtp(pkt: RtpPacket, nowMs: number): void {
    this.sink.received(pkt.payload.length, 1, nowMs);
    if (pkt.payloadType !== this.#pt) {
      this.#pt = pkt.payloadType;
      this.#forwardSr();
    }
    this.session.pushRtp(pkt, nowMs);
  }
  pushRtcp(p: RtcpPacket, nowMs: number): void {
    this.session.pushRtcp(p, nowMs);
    if (p.type === "sr" && p.ssrc === this.session.ssrc) this.#forwardSr();
    if (this.session.cname !== undefined && this.session.cname !== this.cname) {
      this.cname = this.session.cname;
      this.onCname(this);
    }
  }
  /** The session's latest SR to the stream's sync, as the reference of this source's track. */
  #forwardSr(): void {
    const sr = this.session.lastSr;
    if (this.#pt < 0 || !sr) return;
    this.sink.senderReport(this.#pt, { ntpUnixMs: sr.ntpUnixMs, rtpTimestamp: sr.rtpTimestamp });
  }
  changeSsrc(ssrc: number): void {
    const old = this.session.ssrc;
    this.session.changeSsrc(ssrc);
    if (this.#pt >= 0) this.sink.senderReport(this.#pt, undefined);
    const s = this.stream;
    s.ssrcs = (s.ssrcs ?? []).map((x) => (x === old ? ssrc : x));
    if (s.ssrc === old) s.ssrc = ssrc;
  }
  restart(): void {
    this.session.restart();
  }
  flush(): void {
    this.stream.inputAt(performance.now());
    this.session.flush();
  }
}

/** How {@link openRtpSource} builds a source's session and input (from the config). */
export interface RtpSourceOptions {
  /** `rtp.emit_after_loss`. */
  emitAfterLoss: boolean;
  /** `rtp.jitter_latency`, ms. */
  jitterLatencyMs: number;
  /** Cap on the jitter buffer, bytes. */
  maxJitterBytes: number;
  /** Track ids the stream's other sources use now (TrackSink's `others`). */
  others: (self: TrackSink) => Iterable<number>;
  /** The source learned its CNAME. */
  onCname: (s: RtpSource) => void;
}

/** A source's session and media input writing into `stream`. */
export function openRtpSource(
  key: SourceKey,
  first: RtpPacket,
  stream: StreamSink,
  map: PayloadMap,
  o: RtpSourceOptions,
): RtpSource {
  const sink = new TrackSink(stream, o.others);
  const lookup = (pt: number): PayloadDescription | undefined => map.lookup(pt);
  const input = new RtpInput(sink, { lookup, emitAfterLoss: o.emitAfterLoss });
  const src = new RtpSource(key, sink, o.onCname);
  src.session = new RtpSession({
    ssrc: key.ssrc,
    clockRate: lookup(first.payloadType)?.clockRate ?? 90000,
    jitterLatencyMs: o.jitterLatencyMs,
    maxJitterBytes: o.maxJitterBytes,
    createDepacketizer: (pt, p) => input.create(pt, p),
    count: streamCounter(sink),
    minSequential: 1, // the demux's source gate ran probation and delivers in order
  });
  return src;
}
