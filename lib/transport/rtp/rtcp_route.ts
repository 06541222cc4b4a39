/**
 * RTCP to the demux's sources (demux.ts): a datagram from rtp_port + 1, or demultiplexed
 * from the RTP port (RFC 5761), is delivered to the source of each SSRC it reports on
 * (SR, RR, SDES; a BYE closes the source, RFC 3550 6.6), matched by SSRC and host since
 * its source port differs from the RTP one. RTCP about a source is taken only from that
 * source's ports; the rest is counted "rtcp_spoofed" and changes nothing. RTCP of a source
 * not seen yet is held (pending_rtcp.ts) until its first RTP packet.
 */
import type { Counter } from "../../core/types.ts";
import { type HeldRtcp, PendingRtcp } from "./pending_rtcp.ts";
import { parseRtcp, type RtcpPacket } from "./rtcp.ts";
import {
  type RtpRemote,
  type SourceEntry,
  type SourceTable,
  ssrcAtHost,
} from "./source_identity.ts";

/** Where an RTCP datagram came from, and the SSRCs it carries an SR or RR of. */
interface RtcpFrom {
  remote: RtpRemote;
  muxed: boolean;
  reporters: number[];
}

/** What a source's RTCP is delivered to (the demux's RtpSourceSink). */
export interface RtcpSink {
  pushRtcp?(p: RtcpPacket, nowMs: number): void;
}

/** Routes RTCP datagrams to the sources of one demux; see the module doc. */
export class RtcpRoute<S extends RtcpSink> {
  #sources: SourceTable<S>;
  #count: Counter;
  #bye: (e: SourceEntry<S>) => void;
  #pending = new PendingRtcp();

  /** `bye` closes a source its sender said goodbye for. */
  constructor(sources: SourceTable<S>, count: Counter, bye: (e: SourceEntry<S>) => void) {
    this.#sources = sources;
    this.#count = count;
    this.#bye = bye;
  }

  /** One RTCP datagram (`muxed`: it came on the RTP port). Never throws on input. */
  datagram(data: Uint8Array, remote: RtpRemote, arrivalMs: number, muxed: boolean): void {
    const r = parseRtcp(data);
    if (!r.ok) return this.#count(r.reason);
    const reporters: number[] = [];
    for (const p of r.value) if (p.type === "sr" || p.type === "rr") reporters.push(p.ssrc);
    const from = { remote, muxed, reporters };
    for (const p of r.value) {
      if (p.type === "sr" || p.type === "rr") {
        this.#to(p.ssrc, from, p, arrivalMs);
      } else if (p.type === "sdes") {
        for (const c of p.chunks) this.#to(c.ssrc, from, p, arrivalMs);
      } else if (p.type === "bye") {
        for (const ssrc of p.ssrcs) {
          const e = this.#sources.bySsrcHost(ssrcAtHost(ssrc, remote.hostname));
          if (e && this.#from(e, from)) this.#bye(e);
        }
      }
    }
  }

  /** Where a source's RTCP comes from, once learned (receiver reports go there). */
  remote(key: string): RtpRemote | undefined {
    const e = this.#sources.get(key);
    if (!e) return undefined;
    if (e.rtcpPort !== undefined) return { hostname: e.id.remote.hostname, port: e.rtcpPort };
    return undefined;
  }

  /** Removes and returns the RTCP held for "<ssrc>@<host>" ({@link ssrcAtHost}), oldest first. */
  takeHeld(sh: string): HeldRtcp[] {
    return this.#pending.take(sh);
  }

  /** Forgets held RTCP older than `idleMs`. */
  expire(nowMs: number, idleMs: number): void {
    this.#pending.expire(nowMs, idleMs);
  }

  /**
   * True when RTCP from `from` may speak for source `e`: on the RTP port only from the
   * source's own RTP port (RFC 5761); on the RTCP port from the port learned for it, which
   * is learned once, from the first datagram that comes from the RTP port + 1 (RFC 3550
   * 11) or carries an SR/RR of that SSRC. Anything else is counted "rtcp_spoofed".
   */
  #from(e: SourceEntry<S>, from: RtcpFrom): boolean {
    const port = from.remote.port;
    let ok: boolean;
    if (from.muxed) ok = port === e.id.remote.port;
    else if (e.rtcpPort !== undefined) ok = port === e.rtcpPort;
    else if (port === e.id.remote.port + 1 || from.reporters.includes(e.id.ssrc)) {
      e.rtcpPort = port;
      ok = true;
    } else ok = false;
    if (!ok) this.#count("rtcp_spoofed");
    return ok;
  }

  #to(ssrc: number, from: RtcpFrom, p: RtcpPacket, nowMs: number): void {
    const sh = ssrcAtHost(ssrc, from.remote.hostname);
    const e = this.#sources.bySsrcHost(sh);
    if (e) {
      if (this.#from(e, from)) e.session.pushRtcp?.(p, nowMs);
      return;
    }
    // RTCP before the first RTP packet: keep the latest few for the source's arrival
    if (this.#pending.hold(sh, p, nowMs)) this.#count("rtcp_unknown_source");
  }
}
