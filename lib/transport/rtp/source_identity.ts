/**
 * Who an RTP datagram comes from, for the demux (demux.ts): a source is SSRC + source
 * address (RFC 3550 8: SSRC alone may collide), indexed by key, by address, by SSRC and host
 * (RTCP arrives from another port) and by host. And when a new identity is the same sender
 * restarted rather than another sender:
 * - a new SSRC from the same address and payload type continues the source only when the
 *   old SSRC has gone silent (longer than max(RESTART_SILENT_MS, twice its longest recent
 *   gap)) and within the window after its last packet; SSRCs sent concurrently from one
 *   address (gateways, SFUs, an A/V sender on one socket) are separate sources, which the
 *   owner may join into one stream (lib/pipeline/rtp_join.ts);
 * - the same SSRC and payload type from a new source port of the same host continues the
 *   source within the same window, once the old one has been silent for RESTART_SILENT_MS;
 *   while the old one still sends it is an SSRC collision, a separate source, and when two
 *   sources would fit it is ambiguous (none);
 * - a new port and a new SSRC together are a new sender (many senders run one after
 *   another from one host).
 */
import type { RtpPacket } from "../../core/types.ts";

/** Source address of a datagram. */
export interface RtpRemote {
  hostname: string;
  port: number;
}

/** Identity of a source: `key` is "<ssrc>@<host>:<port>". */
export interface SourceKey {
  key: string;
  ssrc: number;
  remote: RtpRemote;
}

/**
 * Least silence of a source before a new source port of its host may be its restart, ms
 * (longer than any gap of a live video or audio sender; a sender restart takes longer).
 */
export const RESTART_SILENT_MS = 500;
/** SSRCs remembered per sender as used before (not a restart when they come back). */
const MAX_RETIRED = 4;

/** One live source and what the demux tracks of it. */
export interface SourceEntry<S> {
  id: SourceKey;
  session: S;
  lastMs: number;
  pt: number;
  /** SSRCs this sender used before (not a restart if they come back). */
  retired: number[];
  /** The port this source sends RTCP from, once learned (rtcp_route.ts). */
  rtcpPort?: number;
  /** Longest recent gap between two packets, ms (decays by 1/64 per packet). */
  maxGapMs: number;
}

/** A source continued under a new identity: its entry (re-keyed) and its old identity. */
export interface Restart<S> {
  entry: SourceEntry<S>;
  old: SourceKey;
  /** Silence of the old identity before the new one, ms. */
  silentMs: number;
}

/** "<ssrc>@<host>": how RTCP (sent from another port) finds its source. */
export function ssrcAtHost(ssrc: number, hostname: string): string {
  return `${ssrc}@${hostname}`;
}

/** The live sources of one demux and their indexes; see the module doc. */
export class SourceTable<S> {
  #byKey = new Map<string, SourceEntry<S>>();
  #byAddr = new Map<string, SourceEntry<S>[]>();
  #bySsrcHost = new Map<string, SourceEntry<S>>();
  /** Live entries per sending host (any port), for restarts from a new port. */
  #byHost = new Map<string, SourceEntry<S>[]>();
  /** The entry of the previous RTP datagram (cleared when it is unindexed). */
  last: SourceEntry<S> | undefined;

  /** Live sources. */
  get size(): number {
    return this.#byKey.size;
  }

  /** Live entries. */
  values(): IterableIterator<SourceEntry<S>> {
    return this.#byKey.values();
  }

  /** The source of a key ("<ssrc>@<host>:<port>"). */
  get(key: string): SourceEntry<S> | undefined {
    return this.#byKey.get(key);
  }

  /** The source of an SSRC at a host (key from {@link ssrcAtHost}). */
  bySsrcHost(sh: string): SourceEntry<S> | undefined {
    return this.#bySsrcHost.get(sh);
  }

  /** Indexes a new entry sending from `addr` ("<host>:<port>"). */
  add(e: SourceEntry<S>, addr: string): void {
    this.#byKey.set(e.id.key, e);
    this.#bySsrcHost.set(ssrcAtHost(e.id.ssrc, e.id.remote.hostname), e);
    const list = this.#byAddr.get(addr);
    if (list) {
      if (!list.includes(e)) list.push(e);
    } else this.#byAddr.set(addr, [e]);
    const host = this.#byHost.get(e.id.remote.hostname);
    if (host) {
      if (!host.includes(e)) host.push(e);
    } else this.#byHost.set(e.id.remote.hostname, [e]);
  }

  /** A live sender at `addr` restarted with a new SSRC: its entry is re-keyed as `id`. */
  ssrcRestart(
    pkt: RtpPacket,
    addr: string,
    id: SourceKey,
    now: number,
    winMs: number,
  ): Restart<S> | undefined {
    const list = this.#byAddr.get(addr);
    if (!list) return undefined;
    const e = list.find((x) => {
      const quiet = now - x.lastMs;
      return x.pt === pkt.payloadType && quiet <= winMs && !x.retired.includes(pkt.ssrc) &&
        quiet > Math.max(RESTART_SILENT_MS, 2 * x.maxGapMs);
    });
    if (!e) return undefined;
    const old = e.id;
    const silentMs = now - e.lastMs;
    this.#unindex(e);
    e.retired.push(old.ssrc);
    if (e.retired.length > MAX_RETIRED) e.retired.shift();
    e.id = id;
    this.add(e, addr);
    return { entry: e, old, silentMs };
  }

  /**
   * A sender of the same host restarted from a new source port keeping its SSRC: the
   * source of that host with this SSRC and payload type, silent for RESTART_SILENT_MS and
   * within the window, is re-keyed as `id` (its RTCP port is learned again). None when it
   * still sends (an SSRC collision) or when two such sources would fit (ambiguous).
   */
  portRestart(
    pkt: RtpPacket,
    addr: string,
    id: SourceKey,
    now: number,
    winMs: number,
  ): Restart<S> | undefined {
    const list = this.#byHost.get(id.remote.hostname);
    if (!list) return undefined;
    let found: SourceEntry<S> | undefined;
    for (const x of list) {
      if (x.id.ssrc !== pkt.ssrc || x.pt !== pkt.payloadType) continue;
      const quiet = now - x.lastMs;
      if (quiet < RESTART_SILENT_MS) return undefined;
      if (quiet > winMs) continue;
      if (found) return undefined;
      found = x;
    }
    if (!found) return undefined;
    const old = found.id;
    this.drop(found);
    found.id = id;
    found.rtcpPort = undefined; // a new source port: its RTCP port is learned again
    this.add(found, addr);
    return { entry: found, old, silentMs: now - found.lastMs };
  }

  /** Takes an entry out of every index. */
  drop(e: SourceEntry<S>): void {
    this.#unindex(e);
    const addr = `${e.id.remote.hostname}:${e.id.remote.port}`;
    without(this.#byAddr, addr, e);
    without(this.#byHost, e.id.remote.hostname, e);
  }

  #unindex(e: SourceEntry<S>): void {
    if (this.last === e) this.last = undefined;
    this.#byKey.delete(e.id.key);
    const sh = ssrcAtHost(e.id.ssrc, e.id.remote.hostname);
    if (this.#bySsrcHost.get(sh) === e) this.#bySsrcHost.delete(sh);
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
