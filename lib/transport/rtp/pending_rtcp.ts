/**
 * RTCP of sources the demux (rtcp_route.ts) has not seen RTP from yet: senders often send
 * their first SR (RFC 3550 6.4.1) before or with the first RTP packet. Kept per
 * "<ssrc>@<host>", the latest few per source, a bounded number of sources.
 */
import type { RtcpPacket } from "./rtcp.ts";

/** Cap on sources whose RTCP is kept until their first RTP packet. */
export const MAX_PENDING_RTCP = 64;
/** RTCP packets kept per such source (the latest). */
export const MAX_PENDING_RTCP_PER_SOURCE = 4;

/** One held RTCP packet and its arrival time, ms. */
export interface HeldRtcp {
  p: RtcpPacket;
  ms: number;
}

/** RTCP held for not-yet-seen sources; see the module doc. */
export class PendingRtcp {
  readonly #bySource = new Map<string, HeldRtcp[]>();

  /** Holds `p` for `source`; returns true when an older source was evicted to make room. */
  hold(source: string, p: RtcpPacket, ms: number): boolean {
    let evicted = false;
    let list = this.#bySource.get(source);
    if (!list) {
      if (this.#bySource.size >= MAX_PENDING_RTCP) {
        this.#bySource.delete(this.#bySource.keys().next().value!);
        evicted = true;
      }
      list = [];
      this.#bySource.set(source, list);
    }
    if (list.length >= MAX_PENDING_RTCP_PER_SOURCE) list.shift();
    list.push({ p, ms });
    return evicted;
  }

  /** Removes and returns what is held for `source`, oldest first. */
  take(source: string): HeldRtcp[] {
    const list = this.#bySource.get(source) ?? [];
    this.#bySource.delete(source);
    return list;
  }

  /** Drops sources whose latest RTCP is older than `idleMs`. */
  expire(now: number, idleMs: number): void {
    for (const [k, l] of this.#bySource) {
      if (now - l[l.length - 1].ms > idleMs) this.#bySource.delete(k);
    }
  }
}
