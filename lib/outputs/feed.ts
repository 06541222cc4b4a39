/**
 * A TS feed: one consumer's view of a stream as MPEG-TS bytes, the common part of live
 * HTTP clients and push relays. `remux` subscribes to the stream's frame queue
 * (lib/buffer/output.ts) and runs its own TsMuxer (continuity counters are per consumer);
 * `passthrough` subscribes to the input's packet tap (lib/pipeline/ts_tap.ts). Either
 * way the queue is byte-capped and loses whole GOPs when the consumer falls behind; the
 * publisher (ingest) never waits.
 */
import type { Consumer } from "../buffer/output.ts";
import { TsMuxer } from "../container/mpegts/muxer.ts";
import type { FrameStore } from "../pipeline/frame_store.ts";
import type { Stream } from "../stream/stream.ts";

/** How an output builds its TS. */
export type OutputMode = "remux" | "passthrough";

/** Options of a feed. */
export interface FeedOptions {
  mode: OutputMode;
  /** Byte cap of the consumer queue. */
  maxBytes: number;
  /** Start at the newest buffered keyframe instead of the next one (remux only). */
  fromBuffer?: boolean;
}

/** Why a feed could not be opened. */
export type FeedError = "no_frame_store" | "passthrough_needs_ts_input";

/** One consumer of a stream as TS. */
export class TsFeed {
  /** Access units (remux) or packet chunks (passthrough) sent. */
  frames = 0;
  bytes = 0;
  /** Access units the muxer could not carry, by reason. */
  readonly muxErrors: Record<string, number> = {};
  readonly #muxer: TsMuxer | undefined;

  private constructor(
    readonly consumer: Consumer,
    private readonly stream: Stream,
    remux: boolean,
  ) {
    if (!remux) return;
    this.#muxer = new TsMuxer({
      alignTracks: stream.protocol === "rtp",
      paramSets: (id) => stream.params.get(id)?.sets,
      count: (r, n = 1) => void (this.muxErrors[r] = (this.muxErrors[r] ?? 0) + n),
    });
    this.#muxer.declare([...stream.tracks.values()].map((t) => t.info));
  }

  /** Opens a feed on a stream, or says why not. */
  static open(stream: Stream, o: FeedOptions): TsFeed | FeedError {
    const store = stream.frameSink as FrameStore | undefined;
    if (!store || typeof store.fromLatestKey !== "function") return "no_frame_store";
    if (o.mode === "passthrough") {
      if (stream.protocol !== "srt") return "passthrough_needs_ts_input";
      return new TsFeed(store.tsTap.queue.subscribe({ maxBytes: o.maxBytes }), stream, false);
    }
    const backlog = o.fromBuffer ? store.fromLatestKey() : undefined;
    return new TsFeed(store.output.subscribe({ maxBytes: o.maxBytes, backlog }), stream, true);
  }

  /** The frame last returned by `next` did not go out (the link broke under it): uncount it. */
  unsent(): void {
    if (this.frames > 0) this.frames--;
  }

  /** Frames dropped because this consumer was too slow. */
  get slowDrops(): number {
    return this.consumer.stats.drops.consumer_overflow ?? 0;
  }

  /** Whole GOPs dropped because this consumer was too slow. */
  get gopsDropped(): number {
    return this.consumer.stats.gopsDropped;
  }

  /** Bytes waiting in the queue. */
  get queuedBytes(): number {
    return this.consumer.stats.queuedBytes;
  }

  /** TS bytes ready now (one frame's or chunk's worth), or undefined. */
  next(): Uint8Array | undefined {
    for (let au = this.consumer.next(); au; au = this.consumer.next()) {
      const b = this.#bytes(au);
      if (b.length) return b;
    }
    return undefined;
  }

  #bytes(au: Parameters<TsMuxer["mux"]>[0]): Uint8Array {
    const b = this.#muxer ? this.#muxer.mux(au, this.stream.tracks.get(au.trackId)?.info) : au.data;
    this.frames++;
    this.bytes += b.length;
    return b;
  }

  /** The TS bytes as they come; ends when the feed is closed. */
  async *chunks(): AsyncGenerator<Uint8Array> {
    for await (const au of this.consumer) {
      const b = this.#bytes(au);
      if (b.length) yield b;
    }
  }

  /** Resolves once something is queued or the feed is closed. */
  wait(): Promise<void> {
    return this.consumer.wait();
  }

  /** Stops the feed (unsubscribes). */
  close(): void {
    this.consumer.close();
  }

  get closed(): boolean {
    return this.consumer.closed;
  }
}
