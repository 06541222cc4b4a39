/**
 * What one RTP source (SSRC) writes into: the stream it belongs to, as one or more tracks.
 * An RTP stream may be fed by several sources joined by CNAME, SDP or config
 * (lib/pipeline/rtp_join.ts); each source's payload types become track ids of that stream
 * (the payload type itself unless another source of the stream uses it, else the next free
 * id from 128; a reconnecting sender gets its old ids back), and a source can be
 * moved to another stream (`retarget`), which then learns its tracks and parameter sets.
 */
import type { AccessUnit, TrackInfo } from "../core/types.ts";
import type { StreamSink, TransportStats } from "../stream/ports.ts";
import type { DataReason, DropReason, ErrorReason } from "../core/reasons/catalogue.ts";

/** First track id used when a joined source's payload type is taken. */
export const JOINED_TRACK_BASE = 128;

/** A source's view of its stream; see the module doc. */
export class TrackSink implements StreamSink {
  #stream: StreamSink;
  /** payload type -> track id in the current stream. */
  readonly #ids = new Map<number, number>();
  readonly #infos = new Map<number, TrackInfo>();
  readonly #sets = new Map<number, { codec: AccessUnit["codec"]; sets: Uint8Array[] }>();
  #sr = new Map<number, { ntpUnixMs: number; rtpTimestamp: number }>();

  /** `others` lists the track ids the stream's other sources use now. */
  constructor(stream: StreamSink, private others: (self: TrackSink) => Iterable<number>) {
    this.#stream = stream;
  }

  /** Track ids this source uses in its stream. */
  ids(): IterableIterator<number> {
    return this.#ids.values();
  }

  /** The stream written to. */
  get stream(): StreamSink {
    return this.#stream;
  }

  get id(): string {
    return this.#stream.id;
  }

  get paused(): boolean {
    return this.#stream.paused;
  }

  get sessions(): number {
    return this.#stream.sessions;
  }

  /** Track id of a payload type in the current stream (allocated on first use). */
  trackId(pt: number): number {
    let id = this.#ids.get(pt);
    if (id !== undefined) return id;
    const used = new Set<number>(this.others(this));
    id = pt;
    if (used.has(id)) {
      id = JOINED_TRACK_BASE;
      while (used.has(id)) id++;
    }
    this.#ids.set(pt, id);
    return id;
  }

  /** Moves this source to `stream`: its tracks, parameter sets and SRs go along. */
  retarget(stream: StreamSink): void {
    this.#stream = stream;
    this.#ids.clear();
    for (const [pt, info] of this.#infos) this.setTrack({ ...info, id: pt });
    for (const [pt, s] of this.#sets) this.addParameterSets(pt, s.codec, s.sets);
    for (const [pt, sr] of this.#sr) this.senderReport(pt, sr);
  }

  received(bytes: number, packets: number, nowMs: number): void {
    this.#stream.received(bytes, packets, nowMs);
  }

  inputAt(nowMs: number): void {
    this.#stream.inputAt(nowMs);
  }

  error(reason: ErrorReason, n?: number): void {
    this.#stream.error(reason, n);
  }

  drop(reason: DropReason, n?: number): void {
    this.#stream.drop(reason, n);
  }

  count(reason: DataReason, n?: number): void {
    this.#stream.count(reason, n);
  }

  setTrack(info: TrackInfo): void {
    this.#infos.set(info.id, info);
    this.#stream.setTrack({ ...info, id: this.trackId(info.id) });
  }

  pushFrame(au: AccessUnit): void {
    au.trackId = this.trackId(au.trackId);
    this.#stream.pushFrame(au);
  }

  addParameterSets(pt: number, codec: AccessUnit["codec"], sets: Uint8Array[]): void {
    this.#sets.set(pt, { codec, sets });
    this.#stream.addParameterSets(this.trackId(pt), codec, sets);
  }

  senderReport(pt: number, sr: { ntpUnixMs: number; rtpTimestamp: number } | undefined): void {
    if (sr) this.#sr.set(pt, sr);
    else this.#sr.delete(pt);
    this.#stream.senderReport?.(this.trackId(pt), sr);
  }

  setTransport(stats: TransportStats): void {
    this.#stream.setTransport(stats);
  }

  close(reason: string): void {
    this.#stream.close(reason);
  }
}
