/**
 * Routes datagrams of the shared RTP port to per-source sessions, without sockets.
 * Identity is SSRC + source address (RFC 3550 8: SSRC alone may collide). RTCP is
 * recognised on the RTP port by its packet type (RFC 5761 4: second byte 192..223,
 * i.e. RTP payload types 64..95 with the marker) and also taken on rtp_port + 1,
 * where it is matched by SSRC and host (its source port differs). New sources are
 * rate-limited (token bucket, "new_source_rate") and offered to the owner, which may
 * refuse them (max_connections, naming). A sender restarting with a new SSRC from the
 * same address and payload type continues the same session ("ssrc_change") only when the
 * old SSRC has gone silent (longer than max(RESTART_SILENT_MS, twice its longest recent
 * gap)) and within `ssrcChangeWindowMs` of its last packet: SSRCs sent concurrently from
 * one address (gateways, SFUs, an A/V sender on one socket) are separate sources, which the
 * owner may join into one stream (lib/pipeline/rtp_join.ts). So does a sender restarting from a
 * new source port of the same host with its SSRC, within the same window, once the old
 * source has been silent for RESTART_SILENT_MS ("new_port"); while the old one still sends
 * it is an SSRC collision, a separate source. A new port and a new SSRC together are a new
 * sender (many senders run one after another from one host). Idle sources time out; BYE
 * (RFC 3550 6.6) closes a source. With `probation`, a new source is offered to the owner
 * only once two of its packets lie close in sequence (source_gate.ts: RFC 3550 A.1 made
 * tolerant of a reordered start); its packets are held meanwhile and then delivered in
 * sequence order, so random datagrams never become streams and a reordered, duplicated
 * start keeps its first packets. Held packets not confirmed within `refuseTtlMs` are
 * counted "source_probation".
 */
import type { Counter, RtpPacket } from "../../core/types.ts";
import { CopyArena } from "../../core/copy_arena.ts";
import { parseRtp } from "./packet.ts";
import { PendingRtcp } from "./pending_rtcp.ts";
import { parseRtcp, type RtcpPacket } from "./rtcp.ts";
import { SourceGate } from "./source_gate.ts";

/** Source address of a datagram. */
export interface RtpRemote {
  hostname: string;
  port: number;
}

/** What the demux drives for one source; RtpSession implements it. */
export interface RtpSourceSink {
  pushRtp(pkt: RtpPacket, nowMs: number): void;
  pushRtcp?(p: RtcpPacket, nowMs: number): void;
  changeSsrc?(ssrc: number): void;
  /** The sender restarted from a new port keeping its SSRC. */
  restart?(): void;
  flush?(): void;
}

/** Identity of a source: `key` is "<ssrc>@<host>:<port>". */
export interface SourceKey {
  key: string;
  ssrc: number;
  remote: RtpRemote;
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

/** Where an RTCP datagram came from, and the SSRCs it carries an SR or RR of. */
interface RtcpFrom {
  remote: RtpRemote;
  muxed: boolean;
  reporters: number[];
}

/** Default cap on live sources of one demux. */
export const MAX_RTP_SOURCES = 1024;
/**
 * Least silence of a source before a new source port of its host may be its restart, ms
 * (longer than any gap of a live video or audio sender; a sender restart takes longer).
 */
export const RESTART_SILENT_MS = 500;
/** SSRCs remembered per sender as used before (not a restart when they come back). */
const MAX_RETIRED = 4;

interface Entry<S> {
  id: SourceKey;
  session: S;
  lastMs: number;
  pt: number;
  /** SSRCs this sender used before (not a restart if they come back). */
  retired: number[];
  /** The port this source sends RTCP from, once learned (see #rtcpFrom). */
  rtcpPort?: number;
  /** Longest recent gap between two packets, ms (decays by 1/64 per packet). */
  maxGapMs: number;
}

/** True when a datagram on the RTP port is RTCP (RFC 5761 4). */
export function isRtcp(data: Uint8Array): boolean {
  return data.length >= 2 && data[1] >= 192 && data[1] <= 223;
}

/** SSRC + address demultiplexer; see the module doc. */
export class RtpDemux<S extends RtpSourceSink> {
  #o: RtpDemuxOptions<S>;
  #count: Counter;
  #byKey = new Map<string, Entry<S>>();
  #byAddr = new Map<string, Entry<S>[]>();
  #bySsrcHost = new Map<string, Entry<S>>();
  /** Live entries per sending host (any port), for restarts from a new port. */
  #byHost = new Map<string, Entry<S>[]>();
  #gate: SourceGate;
  #pending = new PendingRtcp();
  #lastExpire = -Infinity;
  #arena: CopyArena | undefined;
  /** The entry of the previous RTP datagram (cleared when it is unindexed). */
  #last: Entry<S> | undefined;

  constructor(opts: RtpDemuxOptions<S>) {
    this.#o = opts;
    this.#arena = opts.copy === false ? undefined : new CopyArena();
    this.#count = opts.count ?? (() => {});
    const maxSources = opts.maxSources ?? MAX_RTP_SOURCES;
    this.#gate = new SourceGate({ ...opts, maxSources }, this.#count);
  }

  /** Live sources. */
  get size(): number {
    return this.#byKey.size;
  }

  /** Live sources and their sessions. */
  *sources(): IterableIterator<[SourceKey, S]> {
    for (const e of this.#byKey.values()) yield [e.id, e.session];
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
    let e = this.#last;
    if (
      e === undefined || e.id.ssrc !== pkt.ssrc || e.id.remote.port !== remote.port ||
      e.id.remote.hostname !== remote.hostname
    ) {
      const addr = `${remote.hostname}:${remote.port}`;
      const key = `${pkt.ssrc}@${addr}`;
      e = this.#byKey.get(key);
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
          if (e !== undefined) this.#last = e;
          return; // #admit delivered `pkt` with the held ones, in order
        }
      }
      this.#last = e;
    }
    const gap = arrivalMs - e.lastMs;
    e.maxGapMs = gap > e.maxGapMs ? gap : e.maxGapMs - e.maxGapMs / 64;
    e.lastMs = arrivalMs;
    e.pt = pkt.payloadType;
    e.session.pushRtp(pkt, arrivalMs);
  }

  /**
   * One RTCP datagram (rtp_port + 1, or demultiplexed from the RTP port: `muxed`). Never
   * throws on input. RTCP about a source is taken only from that source's ports (see
   * #rtcpFrom); the rest is counted "rtcp_spoofed" and changes nothing.
   */
  onRtcpDatagram(data: Uint8Array, remote: RtpRemote, arrivalMs: number, muxed = false): void {
    const r = parseRtcp(data);
    if (!r.ok) return this.#count(r.reason);
    const reporters: number[] = [];
    for (const p of r.value) if (p.type === "sr" || p.type === "rr") reporters.push(p.ssrc);
    const from = { remote, muxed, reporters };
    for (const p of r.value) {
      if (p.type === "sr" || p.type === "rr") {
        this.#rtcpTo(p.ssrc, from, p, arrivalMs);
      } else if (p.type === "sdes") {
        for (const c of p.chunks) this.#rtcpTo(c.ssrc, from, p, arrivalMs);
      } else if (p.type === "bye") {
        for (const ssrc of p.ssrcs) {
          const e = this.#bySsrcHost.get(`${ssrc}@${remote.hostname}`);
          if (e && this.#rtcpFrom(e, from)) this.#close(e, "bye");
        }
      }
    }
  }

  /** Where a source's RTCP comes from, once learned (receiver reports go there). */
  rtcpRemote(key: string): RtpRemote | undefined {
    const e = this.#byKey.get(key);
    if (!e) return undefined;
    if (e.rtcpPort !== undefined) return { hostname: e.id.remote.hostname, port: e.rtcpPort };
    return undefined;
  }

  /**
   * True when RTCP from `from` may speak for source `e`: on the RTP port only from the
   * source's own RTP port (RFC 5761); on the RTCP port from the port learned for it, which
   * is learned once, from the first datagram that comes from the RTP port + 1 (RFC 3550
   * 11) or carries an SR/RR of that SSRC. Anything else is counted "rtcp_spoofed".
   */
  #rtcpFrom(e: Entry<S>, from: RtcpFrom): boolean {
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

  /** Closes sources idle for longer than idleTimeoutMs; returns how many. */
  expire(nowMs: number): number {
    this.#lastExpire = nowMs;
    const idle = this.#o.idleTimeoutMs ?? 10_000;
    let n = 0;
    for (const e of [...this.#byKey.values()]) {
      if (nowMs - e.lastMs > idle) {
        this.#close(e, "timeout");
        n++;
      }
    }
    this.#gate.expire(nowMs);
    this.#pending.expire(nowMs, idle);
    return n;
  }

  /** Closes one source by key (API DELETE); false when unknown. */
  remove(key: string): boolean {
    const e = this.#byKey.get(key);
    if (e) this.#close(e, "removed");
    return e !== undefined;
  }

  #rtcpTo(ssrc: number, from: RtcpFrom, p: RtcpPacket, nowMs: number): void {
    const sh = `${ssrc}@${from.remote.hostname}`;
    const e = this.#bySsrcHost.get(sh);
    if (e) {
      if (this.#rtcpFrom(e, from)) e.session.pushRtcp?.(p, nowMs);
      return;
    }
    // RTCP before the first RTP packet: keep the latest few for the source's arrival
    if (this.#pending.hold(sh, p, nowMs)) this.#count("rtcp_unknown_source");
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

  /** A live sender at `addr` restarted with a new SSRC: its entry is re-keyed as `id`. */
  #ssrcChange(pkt: RtpPacket, addr: string, id: SourceKey, now: number): Entry<S> | undefined {
    const list = this.#byAddr.get(addr);
    if (!list) return undefined;
    const win = this.#o.ssrcChangeWindowMs ?? 2000;
    const e = list.find((x) => {
      const quiet = now - x.lastMs;
      return x.pt === pkt.payloadType && quiet <= win && !x.retired.includes(pkt.ssrc) &&
        quiet > Math.max(RESTART_SILENT_MS, 2 * x.maxGapMs);
    });
    if (!e) return undefined;
    const old = e.id;
    const silent = now - e.lastMs;
    this.#unindex(e);
    e.retired.push(old.ssrc);
    if (e.retired.length > MAX_RETIRED) e.retired.shift();
    e.id = id;
    this.#index(e, addr);
    this.#count("ssrc_change");
    e.session.changeSsrc?.(pkt.ssrc);
    this.#o.onSsrcChange?.(old, e.id, e.session);
    this.#o.onSenderRestart?.(old, e.id, e.session, silent);
    return e;
  }

  /**
   * A sender of the same host restarted from a new source port keeping its SSRC: the
   * source of that host with this SSRC and payload type, silent for RESTART_SILENT_MS and
   * within the window, is re-keyed as `id`. None when it still sends (an SSRC collision)
   * or when two such sources would fit (ambiguous).
   */
  #portChange(pkt: RtpPacket, addr: string, id: SourceKey, now: number): Entry<S> | undefined {
    const list = this.#byHost.get(id.remote.hostname);
    if (!list) return undefined;
    const win = this.#o.ssrcChangeWindowMs ?? 2000;
    let found: Entry<S> | undefined;
    for (const x of list) {
      if (x.id.ssrc !== pkt.ssrc || x.pt !== pkt.payloadType) continue;
      const quiet = now - x.lastMs;
      if (quiet < RESTART_SILENT_MS) return undefined;
      if (quiet > win) continue;
      if (found) return undefined;
      found = x;
    }
    if (!found) return undefined;
    const old = found.id;
    this.#drop(found);
    found.id = id;
    found.rtcpPort = undefined; // a new source port: its RTCP port is learned again
    this.#index(found, addr);
    found.session.restart?.();
    this.#o.onSenderRestart?.(old, found.id, found.session, now - found.lastMs);
    return found;
  }

  /** A new source: past the gate, offered to the owner; held RTCP and RTP delivered. */
  #admit(pkt: RtpPacket, addr: string, id: SourceKey, now: number): Entry<S> | undefined {
    const ok = this.#gate.admit(id.key, pkt, this.#byKey.size, now);
    if (ok === undefined) return undefined;
    const pkts = ok.pkts;
    const session = this.#o.onNewSource(id, pkts[0].pkt);
    if (session === undefined) {
      this.#gate.refuse(id.key, now, pkts.length);
      return undefined;
    }
    const e: Entry<S> = {
      id,
      session,
      lastMs: now,
      pt: pkt.payloadType,
      retired: [],
      maxGapMs: 0,
    };
    this.#index(e, addr);
    const sh = `${pkt.ssrc}@${id.remote.hostname}`;
    for (const x of this.#pending.take(sh)) session.pushRtcp?.(x.p, x.ms);
    for (const h of pkts) session.pushRtp(h.pkt, h.ms);
    return e;
  }

  #index(e: Entry<S>, addr: string): void {
    this.#byKey.set(e.id.key, e);
    this.#bySsrcHost.set(`${e.id.ssrc}@${e.id.remote.hostname}`, e);
    const list = this.#byAddr.get(addr);
    if (list) {
      if (!list.includes(e)) list.push(e);
    } else this.#byAddr.set(addr, [e]);
    const host = this.#byHost.get(e.id.remote.hostname);
    if (host) {
      if (!host.includes(e)) host.push(e);
    } else this.#byHost.set(e.id.remote.hostname, [e]);
  }

  #unindex(e: Entry<S>): void {
    if (this.#last === e) this.#last = undefined;
    this.#byKey.delete(e.id.key);
    const sh = `${e.id.ssrc}@${e.id.remote.hostname}`;
    if (this.#bySsrcHost.get(sh) === e) this.#bySsrcHost.delete(sh);
  }

  /** Takes an entry out of every index. */
  #drop(e: Entry<S>): void {
    this.#unindex(e);
    const addr = `${e.id.remote.hostname}:${e.id.remote.port}`;
    without(this.#byAddr, addr, e);
    without(this.#byHost, e.id.remote.hostname, e);
  }

  #close(e: Entry<S>, reason: CloseReason): void {
    this.#drop(e);
    e.session.flush?.();
    this.#o.onSourceClosed?.(e.id, e.session, reason);
  }
}

/** Removes `e` from the list at `key`, and the list when it empties. */
function without<E>(m: Map<string, E[]>, key: string, e: E): void {
  const list = m.get(key);
  if (!list) return;
  const i = list.indexOf(e);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) m.delete(key);
}
