/**
 * One RTP source's receive state (RFC 3550 6.2.1 per-source state): sequencer
 * (A.1, with probation packets held and released once valid), jitter buffer, the
 * latest sender report (6.4.1), CNAME (6.5.1) and counters. Sequenced packets go to
 * a depacketizer made by an injected factory (`RtpDepacketizer`, lib/core/types.ts).
 */
import type { Counter, RtpDepacketizer, RtpPacket } from "../../core/types.ts";
import { JitterBuffer } from "./jitter.ts";
import type { RtcpPacket } from "./rtcp.ts";
import {
  type LastSenderReport,
  ntpToUnixMs,
  type ReportBlockInput,
  rtpToUnixMs,
} from "./rtcp_report.ts";
import {
  MIN_SEQUENTIAL,
  SEQ_BAD,
  SEQ_DUPLICATE,
  SEQ_LATE,
  SEQ_PROBATION,
  SEQ_RESYNC,
  Sequencer,
} from "./sequencer.ts";

/** Options of {@link RtpSession}. */
export interface RtpSessionOptions {
  ssrc: number;
  /** RTP clock rate, Hz (default 90000; see setClockRate). */
  clockRate?: number;
  /** Reorder window, ms (`rtp.jitter_latency`, default 50). */
  jitterLatencyMs?: number;
  /** Jitter buffer byte cap (default MAX_JITTER_BYTES). */
  maxJitterBytes?: number;
  /**
   * Makes the depacketizer for a payload type, called on the first released packet
   * of that type; undefined = no depacketizer (packets counted "rtp_no_depacketizer").
   */
  createDepacketizer?: (payloadType: number, first: RtpPacket) => RtpDepacketizer | undefined;
  /** Counts errors/drops by reason. */
  count?: Counter;
  /**
   * Sequential packets before the source is valid (RFC 3550 A.1, default 2); 1 when the
   * demux already held the source on probation and hands its packets over in order.
   */
  minSequential?: number;
}

/** Counters of one source (units in names where not obvious). */
export interface RtpSessionStats {
  ssrc: number;
  /** Unique valid packets received. */
  packets: number;
  /** Payload bytes of those packets. */
  bytes: number;
  expected: number;
  lost: number;
  duplicated: number;
  reordered: number;
  /** Too old for the sequencer or arrived after the jitter buffer moved past them. */
  late: number;
  /** Packets the jitter buffer declared lost. */
  gapPackets: number;
  jitter: number;
  jitter_ms: number;
  resyncs: number;
  ssrcChanges: number;
  cname?: string;
}

/** Per-source state gluing sequencer, jitter buffer, SR and depacketizer. */
export class RtpSession {
  /** Current SSRC (changes on a sender restart, see changeSsrc). */
  ssrc: number;
  /** RTCP SDES CNAME when seen. */
  cname?: string;
  /** Latest sender report of this source. */
  lastSr?: LastSenderReport;
  #clockRate: number;
  #seq: Sequencer;
  #jb: JitterBuffer;
  #held: RtpPacket[] = [];
  #count: Counter;
  #factory: RtpSessionOptions["createDepacketizer"];
  #depack: RtpDepacketizer | undefined;
  #depackPt = -1;
  #discontinuity = false;
  #bytes = 0;
  #ssrcChanges = 0;

  constructor(opts: RtpSessionOptions) {
    this.ssrc = opts.ssrc;
    this.#clockRate = opts.clockRate ?? 90000;
    this.#count = opts.count ?? (() => {});
    this.#factory = opts.createDepacketizer;
    this.#seq = new Sequencer(this.#clockRate, opts.minSequential);
    this.#jb = new JitterBuffer({
      latencyMs: opts.jitterLatencyMs,
      maxBytes: opts.maxJitterBytes,
      count: this.#count,
      onPacket: (p, lost) => this.#deliver(p, lost),
    });
  }

  /** RTP clock rate, Hz. */
  get clockRate(): number {
    return this.#clockRate;
  }

  /** Sets the clock rate once the payload type is resolved. */
  setClockRate(hz: number): void {
    this.#clockRate = hz;
    this.#seq.setClockRate(hz);
  }

  /** One parsed RTP packet of this source (its payload must stay valid while held). */
  pushRtp(pkt: RtpPacket, nowMs: number): void {
    const v = this.#seq.update(pkt.seq, pkt.timestamp, pkt.arrivalMs);
    if (v === SEQ_PROBATION) {
      const last = this.#held[this.#held.length - 1];
      if (last && pkt.seq !== ((last.seq + 1) & 0xffff)) {
        this.#count("rtp_probation", this.#held.length);
        this.#held.length = 0;
      }
      if (this.#held.length >= MIN_SEQUENTIAL) this.#held.shift();
      this.#held.push(pkt);
      return;
    }
    if (v === SEQ_DUPLICATE) return this.#count("rtp_duplicate");
    if (v === SEQ_LATE) return this.#count("rtp_late");
    if (v === SEQ_BAD) return this.#count("rtp_seq_jump");
    const ext = this.#seq.lastExtSeq;
    if (v === SEQ_RESYNC) this.#restartBuffer();
    const held = this.#held;
    for (let i = 0; i < held.length; i++) {
      held[i].extSeq = ext - held.length + i;
      this.#bytes += held[i].payload.length;
      this.#jb.push(held[i], nowMs);
    }
    held.length = 0;
    pkt.extSeq = ext;
    this.#bytes += pkt.payload.length;
    this.#jb.push(pkt, nowMs);
  }

  /** One RTCP packet about this source: SR (6.4.1), SDES CNAME (6.5.1). */
  pushRtcp(p: RtcpPacket, nowMs: number): void {
    if (p.type === "sr" && p.ssrc === this.ssrc) {
      this.lastSr = {
        ssrc: p.ssrc,
        ntpSec: p.ntpSec,
        ntpFrac: p.ntpFrac,
        ntpUnixMs: ntpToUnixMs(p.ntpSec, p.ntpFrac),
        rtpTimestamp: p.rtpTimestamp,
        packetCount: p.packetCount,
        octetCount: p.octetCount,
        arrivalMs: nowMs,
      };
    } else if (p.type === "sdes") {
      for (const c of p.chunks) if (c.ssrc === this.ssrc && c.cname) this.cname = c.cname;
    }
  }

  /** Sender's wall clock (Unix ms) of RTP timestamp `ts` by the latest SR, if any. */
  wallClockOf(ts: number): number | undefined {
    return this.lastSr ? rtpToUnixMs(this.lastSr, ts, this.#clockRate) : undefined;
  }

  /**
   * The sender restarted with a new SSRC (demux "ssrc_change"): release what is held,
   * start a new sequence space, keep counters; the next packet has lostBefore = true.
   */
  changeSsrc(ssrc: number): void {
    this.ssrc = ssrc;
    this.#ssrcChanges++;
    this.restart();
  }

  /**
   * The sender restarted keeping its SSRC (from a new source port, demux "new_port"): what
   * is held is released, a new sequence space starts, counters stay.
   */
  restart(): void {
    this.lastSr = undefined;
    this.#held.length = 0;
    this.#seq.restart();
    this.#restartBuffer();
    // the restarted sender's timestamps have a new origin: a fresh depacketizer (and DTS
    // derivation) for its first packet, after what the old one held went out
    this.#depack?.flush();
    this.#depack = undefined;
    this.#depackPt = -1;
  }

  /** Releases packets whose reorder window passed; call at nextDeadline(). */
  poll(nowMs: number): void {
    this.#jb.poll(nowMs);
  }

  /** When poll has work (ms), or undefined. */
  nextDeadline(): number | undefined {
    return this.#jb.nextDeadline();
  }

  /** End of stream: release everything held and flush the depacketizer. */
  flush(): void {
    this.#jb.flush();
    this.#depack?.flush();
  }

  /** Figures for an RTCP RR block about this source (RFC 3550 6.4.1, A.3). */
  reportBlock(): ReportBlockInput {
    return { ssrc: this.ssrc, ...this.#seq.reportInterval(), lastSr: this.lastSr };
  }

  /** Current counters. */
  stats(): RtpSessionStats {
    const s = this.#seq.stats();
    const out: RtpSessionStats = {
      ssrc: this.ssrc,
      packets: s.received,
      bytes: this.#bytes,
      expected: s.expected,
      lost: s.lost,
      duplicated: s.duplicated + this.#jb.duplicated,
      reordered: s.reordered,
      late: s.late + this.#jb.late,
      gapPackets: this.#jb.lost,
      jitter: s.jitter,
      jitter_ms: s.jitterMs,
      resyncs: s.resyncs,
      ssrcChanges: this.#ssrcChanges,
    };
    if (this.cname !== undefined) out.cname = this.cname;
    return out;
  }

  #restartBuffer(): void {
    this.#jb.flush();
    this.#jb.reset();
    this.#discontinuity = true;
  }

  #deliver(pkt: RtpPacket, lostBefore: boolean): void {
    if (this.#discontinuity) {
      lostBefore = true;
      this.#discontinuity = false;
    }
    if (pkt.payloadType !== this.#depackPt) {
      if (this.#depackPt >= 0) {
        this.#count("rtp_payload_type_change");
        this.#depack?.flush();
        lostBefore = true;
      }
      this.#depackPt = pkt.payloadType;
      this.#depack = this.#factory?.(pkt.payloadType, pkt);
    }
    if (this.#depack) this.#depack.push(pkt, lostBefore);
    else this.#count("rtp_no_depacketizer");
  }
}
