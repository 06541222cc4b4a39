/**
 * Routes datagrams of the shared RTP port to per-source sessions, without sockets.
 * Identity is SSRC + source address, and a sender restarting with a new SSRC
 * ("ssrc_change") or from a new source port ("new_port") continues its source by the rules
 * in source_identity.ts; SSRCs sent concurrently from one address are separate sources,
 * which the owner may join into one stream (lib/pipeline/rtp_join.ts). RTCP is recognised
 * on the RTP port by its packet type (RFC 5761 4: second byte 192..223, i.e. RTP payload
 * types 64..95 with the marker) and also taken on rtp_port + 1, where it is matched by
 * SSRC and host (its source port differs). New sources are rate-limited (token bucket,
 * "new_source_rate") and offered to the owner, which may refuse them (max_connections,
 * naming). Idle sources time out; BYE (RFC 3550 6.6) closes a source. With `probation`, a
 * new source is offered to the owner only once two of its packets lie close in sequence
 * (source_gate.ts: RFC 3550 A.1 made tolerant of a reordered start); its packets are held
 * meanwhile and then delivered in sequence order, so random datagrams never become streams
 * and a reordered, duplicated start keeps its first packets. Held packets not confirmed
 * within `refuseTtlMs` are counted "source_probation".
 */
import type { Counter, RtpPacket } from "../../core/types.ts";
import { CopyArena } from "../../core/copy_arena.ts";
import { parseRtp } from "./packet.ts";
import type { RtcpPacket } from "./rtcp.ts";
import { RtcpRoute } from "./rtcp_route.ts";
import { SourceGate } from "./source_gate.ts";
import {
  type Restart,
  type RtpRemote,
  type SourceEntry,
  type SourceKey,
  SourceTable,
  ssrcAtHost,
} from "./source_identity.ts";

/** What the demux drives for one source; RtpSession implements it. */
export interface RtpSourceSink {
  pushRtp(pkt: RtpPacket, nowMs: number): void;
  pushRtcp?(p: RtcpPacket, nowMs: number): void;
  changeSsrc?(ssrc: number): void;
  /** The sender restarted from a new port keeping its SSRC. */
  restart?(): void;
  flush?(): void;
}

/** Why a source went away. */
export type CloseReason = "timeout" | "bye" | "removed";

/** Options of {@link RtpDemux}. */
export interface RtpDemuxOptions<S extends RtpSourceSink> {
  /**
   * A new source sent its first packet (already copied, with arrival time). Return its
   * session, or undefined to refuse (remembered for `refuseTtlMs`, counted "source_refused").
   * The demux pushes `first` to the returned session itself.
   */
  onNewSource(key: SourceKey, first: RtpPacket): S | undefined;
  /** A source was closed (after its session was flushed). */
  onSourceClosed?(key: SourceKey, session: S, reason: CloseReason): void;
  /** The sender behind `session` restarted with a new SSRC. */
  onSsrcChange?(oldKey: SourceKey, newKey: SourceKey, session: S): void;
  /**
   * The sender behind `session` restarted (a new SSRC, a new source port or both) after
   * `silentMs` without packets; called after the session was reset.
   */
  onSenderRestart?(oldKey: SourceKey, newKey: SourceKey, session: S, silentMs: number): void;
  /** Counts demux-level errors and drops by reason. */
  count?: Counter;
  /** New sources admitted per second (`rtp.new_stream_rate`, default 10); a function is read per use. */
  newSourcesPerSec?: number | (() => number);
  /** Bucket depth, sources (default = newSourcesPerSec). */
  newSourceBurst?: number;
  /** Window after the old SSRC's last packet for a restart (default 2000 ms). */
  ssrcChangeWindowMs?: number;
  /** Idle time after which a source is closed (default 10000 ms). */
  idleTimeoutMs?: number;
  /** How long a refusal is remembered (default 1000 ms). */
  refuseTtlMs?: number;
  /** Cap on live sources (default MAX_RTP_SOURCES). */
  maxSources?: number;
  /**
   * Copy each datagram (default true: the UDP receiver reuses its buffers), into a
   * shared slab (lib/core/copy_arena.ts); packets of sources not yet admitted get their own buffer.
   */
  copy?: boolean;
  /** Admit a new source only after two packets in sequence (default false). */
  probation?: boolean;
}

/** Default cap on live sources of one demux. */
export const MAX_RTP_SOURCES = 1024;
/** True when a datagram on the RTP port is RTCP (RFC 5761 4). */
export function isRtcp(data: Uint8Array): boolean {
  return data.length >= 2 && data[1] >= 192 && data[1] <= 223;
}

/** SSRC + address demultiplexer; see the module doc. */
export class RtpDemux<S extends RtpSourceSink> {
  #o: RtpDemuxOptions<S>;
  #count: Counter;
  #sources = new SourceTable<S>();
  #gate: SourceGate;
  #rtcp: RtcpRoute<S>;
  #lastExpire = -Infinity;
  #arena: CopyArena | undefined;

  constructor(opts: RtpDemuxOptions<S>) {
    this.#o = opts;
    this.#arena = opts.copy === false ? undefined : new CopyArena();
    this.#count = opts.count ?? (() => {});
    const maxSources = opts.maxSources ?? MAX_RTP_SOURCES;
    this.#gate = new SourceGate({ ...opts, maxSources }, this.#count);
    this.#rtcp = new RtcpRoute(this.#sources, this.#count, (e) => this.#close(e, "bye"));
  }

  /** Live sources. */
  get size(): number {
    return this.#sources.size;
  }

  /** Live sources and their sessions. */
  *sources(): IterableIterator<[SourceKey, S]> {
    for (const e of this.#sources.values()) yield [e.id, e.session];
  }

  /** One datagram from the RTP port (RTP, or RTCP when multiplexed). Never throws on input. */
  onDatagram(data: Uint8Array, remote: RtpRemote, arrivalMs: number): void {
    if (arrivalMs - this.#lastExpire >= 1000) this.expire(arrivalMs);
    if (isRtcp(data)) return this.onRtcpDatagram(data, remote, arrivalMs, true);
    // Copied first (receiver buffers are reused), so the packet's views point into the copy.
    const own = this.#arena ? this.#arena.copy(data) : data;
    const r = parseRtp(own, arrivalMs);
    if (!r.ok) return this.#count(r.reason);
    let pkt = r.value;
    // Consecutive datagrams mostly come from one source: no key string built for those.
    let e = this.#sources.last;
    if (
      e === undefined || e.id.ssrc !== pkt.ssrc || e.id.remote.port !== remote.port ||
      e.id.remote.hostname !== remote.hostname
    ) {
      const addr = `${remote.hostname}:${remote.port}`;
      const key = `${pkt.ssrc}@${addr}`;
      e = this.#sources.get(key);
      if (e === undefined) {
        const id = {
          key,
          ssrc: pkt.ssrc,
          remote: { hostname: remote.hostname, port: remote.port },
        };
        e = this.#ssrcChange(pkt, addr, id, arrivalMs) ??
          this.#portChange(pkt, addr, id, arrivalMs);
        if (e === undefined) {
          pkt = this.#alone(own, pkt);
          e = this.#admit(pkt, addr, id, arrivalMs);
          if (e !== undefined) this.#sources.last = e;
          return; // #admit delivered `pkt` with the held ones, in order
        }
      }
      this.#sources.last = e;
    }
    const gap = arrivalMs - e.lastMs;
    e.maxGapMs = gap > e.maxGapMs ? gap : e.maxGapMs - e.maxGapMs / 64;
    e.lastMs = arrivalMs;
    e.pt = pkt.payloadType;
    e.session.pushRtp(pkt, arrivalMs);
  }

  /**
   * One RTCP datagram (rtp_port + 1, or demultiplexed from the RTP port: `muxed`). Never
   * throws on input. RTCP about a source is taken only from that source's ports
   * (rtcp_route.ts); the rest is counted "rtcp_spoofed" and changes nothing.
   */
  onRtcpDatagram(data: Uint8Array, remote: RtpRemote, arrivalMs: number, muxed = false): void {
    this.#rtcp.datagram(data, remote, arrivalMs, muxed);
  }

  /** Where a source's RTCP comes from, once learned (receiver reports go there). */
  rtcpRemote(key: string): RtpRemote | undefined {
    return this.#rtcp.remote(key);
  }

  /** Closes sources idle for longer than idleTimeoutMs; returns how many. */
  expire(nowMs: number): number {
    this.#lastExpire = nowMs;
    const idle = this.#o.idleTimeoutMs ?? 10_000;
    let n = 0;
    for (const e of [...this.#sources.values()]) {
      if (nowMs - e.lastMs > idle) {
        this.#close(e, "timeout");
        n++;
      }
    }
    this.#gate.expire(nowMs);
    this.#rtcp.expire(nowMs, idle);
    return n;
  }

  /** Closes one source by key (API DELETE); false when unknown. */
  remove(key: string): boolean {
    const e = this.#sources.get(key);
    if (e) this.#close(e, "removed");
    return e !== undefined;
  }

  /**
   * A packet of a source not yet admitted may be held for long (probation, refusal
   * memory): it gets a buffer of its own so it does not pin an arena slab.
   */
  #alone(data: Uint8Array, pkt: RtpPacket): RtpPacket {
    if (this.#arena === undefined) return pkt;
    const copy = data.slice();
    const base = data.byteOffset;
    pkt.payload = copy.subarray(
      pkt.payload.byteOffset - base,
      pkt.payload.byteOffset - base + pkt.payload.length,
    );
    if (pkt.extensionData) {
      const o = pkt.extensionData.byteOffset - base;
      pkt.extensionData = copy.subarray(o, o + pkt.extensionData.length);
    }
    return pkt;
  }

  /** A live sender at `addr` restarted with a new SSRC (source_identity.ts): re-keyed as `id`. */
  #ssrcChange(
    pkt: RtpPacket,
    addr: string,
    id: SourceKey,
    now: number,
  ): SourceEntry<S> | undefined {
    const r = this.#sources.ssrcRestart(pkt, addr, id, now, this.#o.ssrcChangeWindowMs ?? 2000);
    if (!r) return undefined;
    this.#count("ssrc_change");
    r.entry.session.changeSsrc?.(pkt.ssrc);
    this.#o.onSsrcChange?.(r.old, r.entry.id, r.entry.session);
    return this.#restarted(r);
  }

  /** Same host, new source port, same SSRC: the sender restarted (source_identity.ts). */
  #portChange(
    pkt: RtpPacket,
    addr: string,
    id: SourceKey,
    now: number,
  ): SourceEntry<S> | undefined {
    const r = this.#sources.portRestart(pkt, addr, id, now, this.#o.ssrcChangeWindowMs ?? 2000);
    if (!r) return undefined;
    r.entry.session.restart?.();
    return this.#restarted(r);
  }

  #restarted(r: Restart<S>): SourceEntry<S> {
    this.#o.onSenderRestart?.(r.old, r.entry.id, r.entry.session, r.silentMs);
    return r.entry;
  }

  /** A new source: past the gate, offered to the owner; held RTCP and RTP delivered. */
  #admit(pkt: RtpPacket, addr: string, id: SourceKey, now: number): SourceEntry<S> | undefined {
    const ok = this.#gate.admit(id.key, pkt, this.#sources.size, now);
    if (ok === undefined) return undefined;
    const pkts = ok.pkts;
    const session = this.#o.onNewSource(id, pkts[0].pkt);
    if (session === undefined) {
      this.#gate.refuse(id.key, now, pkts.length);
      return undefined;
    }
    const e: SourceEntry<S> = {
      id,
      session,
      lastMs: now,
      pt: pkt.payloadType,
      retired: [],
      maxGapMs: 0,
    };
    this.#sources.add(e, addr);
    const sh = ssrcAtHost(pkt.ssrc, id.remote.hostname);
    for (const x of this.#rtcp.takeHeld(sh)) session.pushRtcp?.(x.p, x.ms);
    for (const h of pkts) session.pushRtp(h.pkt, h.ms);
    return e;
  }

  #close(e: SourceEntry<S>, reason: CloseReason): void {
    this.#sources.drop(e);
    e.session.flush?.();
    this.#o.onSourceClosed?.(e.id, e.session, reason);
  }
}
