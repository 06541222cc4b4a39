/**
 * Which RTP sources (SSRCs) form one stream. A/V senders (ffmpeg, GStreamer rtpbin, WebRTC
 * gateways, SMPTE 2110-style senders) use one SSRC per medium; their SSRCs are joined into
 * one stream, the first source's stream keeping its id and the others becoming its tracks:
 * - config: `rtp.streams[].ssrc` lists several SSRCs under one name;
 * - SDP: one session description with several `m=` lines (rtp.sdp or the stream's own
 *   `sdp`): a source from the same host whose payload type belongs to another `m=` line
 *   of the SDP a live stream was opened with joins it (one source per `m=` line);
 * - CNAME: RTCP SDES CNAME (RFC 3550 6.5.1 binds the SSRCs of one participant) equal to
 *   a live stream's from the same host: the younger stream is merged into the older.
 * Everything else is its own stream, also when several SSRCs come from one socket. The
 * table holds live streams only: a group goes when its last source leaves or it is merged.
 */
import type { StreamSink } from "../stream/ports.ts";
import type { SdpSession } from "../transport/rtp/sdp.ts";
import type { SourceKey } from "../transport/rtp/source_identity.ts";
import type { TrackSink } from "./rtp_track_sink.ts";

/** What the join table needs of a source. */
export interface JoinMember {
  key: SourceKey;
  sink: TrackSink;
  cname?: string;
}

/** The sources of one stream. */
export interface Group<M extends JoinMember> {
  stream: StreamSink;
  /** Sources, the first one the stream's own. */
  members: M[];
  /** The multi-`m=` SDP the stream was opened with, and the `m=` lines taken. */
  sdp?: SdpSession;
  mlines: Set<number>;
  /** Opening order (older streams absorb younger ones). */
  order: number;
}

/** Index of the `m=` line of `sdp` carrying payload type `pt`, or -1. */
export function mlineOf(sdp: SdpSession, pt: number): number {
  return sdp.media.findIndex((m) => m.payloadTypes.includes(pt));
}

/** Live streams and their sources; see the module doc. */
export class JoinTable<M extends JoinMember> {
  readonly #groups = new Map<StreamSink, Group<M>>();
  #order = 0;

  /** The group of a stream. */
  of(stream: StreamSink): Group<M> | undefined {
    return this.#groups.get(stream);
  }

  /** Every group. */
  groups(): IterableIterator<Group<M>> {
    return this.#groups.values();
  }

  /** A new stream with its first source; `sdp` when opened by a multi-`m=` SDP. */
  open(stream: StreamSink, m: M, sdp?: SdpSession, pt?: number): Group<M> {
    const g: Group<M> = { stream, members: [m], mlines: new Set(), order: this.#order++ };
    if (sdp && sdp.media.length > 1 && pt !== undefined && mlineOf(sdp, pt) >= 0) {
      g.sdp = sdp;
      g.mlines.add(mlineOf(sdp, pt));
    }
    this.#groups.set(stream, g);
    return g;
  }

  /** Adds a source to an existing group (as tracks of its stream). */
  join(g: Group<M>, m: M, pt?: number): void {
    g.members.push(m);
    if (g.sdp && pt !== undefined) g.mlines.add(mlineOf(g.sdp, pt));
    const list = g.stream.ssrcs ??= [];
    if (!list.includes(m.key.ssrc)) list.push(m.key.ssrc);
  }

  /** A live group from `host` whose SDP has a free `m=` line for `pt`. */
  bySdp(host: string, pt: number): Group<M> | undefined {
    let best: Group<M> | undefined;
    for (const g of this.#groups.values()) {
      if (!g.sdp) continue;
      if (g.members[0]?.key.remote.hostname !== host) continue;
      const i = mlineOf(g.sdp, pt);
      if (i < 0 || g.mlines.has(i)) continue;
      if (!best || g.order > best.order) best = g;
    }
    return best;
  }

  /** The live group of a stream named `name`. */
  byName(name: string): Group<M> | undefined {
    for (const g of this.#groups.values()) {
      if (g.stream.id === name) return g;
    }
    return undefined;
  }

  /** Another live group with a source of `m`'s CNAME from the same host. */
  byCname(m: M): Group<M> | undefined {
    if (!m.cname) return undefined;
    for (const g of this.#groups.values()) {
      if (g.members.includes(m)) continue;
      const match = g.members.some((x) =>
        x.cname === m.cname && x.key.remote.hostname === m.key.remote.hostname
      );
      if (match) return g;
    }
    return undefined;
  }

  /** Moves every source of `from` into `into`; `from` is forgotten (its stream to close). */
  merge(from: Group<M>, into: Group<M>): void {
    for (const m of from.members) {
      m.sink.retarget(into.stream);
      this.join(into, m);
    }
    from.members = [];
    this.#groups.delete(from.stream);
  }

  /** Removes a source; returns its group and whether it was the last one. */
  leave(m: M): { group?: Group<M>; last: boolean } {
    const g = this.#groups.get(m.sink.stream);
    if (!g) return { last: true };
    const i = g.members.indexOf(m);
    if (i >= 0) g.members.splice(i, 1);
    const s = g.stream;
    if (g.members.length === 0) {
      this.#groups.delete(s);
      return { group: g, last: true };
    }
    s.ssrcs = (s.ssrcs ?? []).filter((x) => x !== m.key.ssrc);
    s.ssrc = g.members[0].key.ssrc;
    return { group: g, last: false };
  }
}
