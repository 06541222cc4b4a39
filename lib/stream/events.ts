/**
 * The event bus: one home for what happens to streams and the box (opened, state changes,
 * closed, refusals, memory pressure; later output state, sync corrections, GOP boundaries,
 * per-second stats). Producers call `emit`; consumers (the SSE route, the NATS link, tests)
 * `subscribe`. Emitting never waits and never throws into the producer: a subscriber that
 * throws is counted and skipped. The last `ringSize` events are kept with increasing ids so
 * a reconnecting reader can resume (`since(id)`).
 */
import type { SyncEvents } from "../sync/types.ts";
import type { RefusalReason } from "../core/reasons/catalogue.ts";

/** Event types and their payloads. Add a type here before emitting it. */
export interface EventMap extends SyncEvents {
  "stream.opened": { stream: string; protocol: string; remote: string; sessions: number };
  "stream.state": { stream: string; from: string; to: string; reason?: string };
  "stream.closed": { stream: string; reason: string };
  "stream.removed": { stream: string; reason: string };
  "stream.refused": { stream?: string; protocol: string; reason: RefusalReason; remote?: string };
  /**
   * A new publisher session continues a live stream: an SRT takeover ("recovering",
   * "override"; lib/stream/takeover.ts) or an RTP sender restarting ("ssrc_change",
   * "port_change"). `previousRemote` is the old session's address; `silentMs` how long
   * the old session had sent nothing.
   */
  "stream.takeover": {
    stream: string;
    protocol: string;
    reason: string;
    remote: string;
    previousRemote: string;
    sessions: number;
    silentMs: number;
  };
  "memory.pressure": { bufferedBytes: number; limitBytes: number; freedBytes: number };
  /** Once a second per live stream (lib/stream/stream_stats.ts); lost/dropped/errors: that second's. */
  "stream.stats": {
    stream: string;
    state: string;
    bitrateBps: number;
    fps: number | null;
    bufferedBytes: number;
    lost: number;
    dropped: number;
    errors: number;
  };
  /**
   * A video keyframe reached the GOP buffer (a new preview). At most 4 a second per track
   * (lib/stream/gop_events.ts); `skipped` counts boundaries folded into this one.
   */
  "stream.gop": {
    stream: string;
    track: number;
    codec: string;
    pts: number;
    keyBytes: number;
    /** The GOP this keyframe ended: frames and duration (null for the first). */
    lastFrames: number | null;
    lastDurationMs: number | null;
    skipped: number;
  };
  "output.state": {
    output: string;
    stream: string;
    target: string;
    from: string;
    to: string;
    reason?: string;
    /** With `to: "backoff"`: the delay before the next attempt, ms. */
    retryInMs?: number;
  };
  /** A link that leaves the box (the NATS fleet link) changed state. */
  "link.state": { link: string; from: string; to: string; error?: string };
}

/** Every event type name. */
export type EventType = keyof EventMap;

/** One event as delivered: id (increasing), wall time (ms since epoch), type and data. */
export interface BusEvent<T extends EventType = EventType> {
  id: number;
  time: number;
  type: T;
  data: EventMap[T];
}

/** A subscriber callback. */
export type EventListener = (e: BusEvent) => void;

/** Default number of events kept for resumption (per-second stats of 25 streams: ~1 min). */
export const DEFAULT_EVENT_RING = 4096;

/** The bus. */
export class EventBus {
  #ring: (BusEvent | undefined)[];
  #next = 1;
  #listeners = new Set<EventListener>();
  /** Subscriber callbacks that threw (the event still reached the others). */
  listenerErrors = 0;

  constructor(readonly ringSize: number = DEFAULT_EVENT_RING) {
    this.#ring = new Array(Math.max(1, ringSize));
  }

  /** Publishes an event to every subscriber and keeps it in the ring. */
  emit<T extends EventType>(type: T, data: EventMap[T]): BusEvent<T> {
    const e: BusEvent<T> = { id: this.#next++, time: Date.now(), type, data };
    this.#ring[e.id % this.#ring.length] = e as BusEvent;
    for (const l of this.#listeners) {
      try {
        l(e as BusEvent);
      } catch {
        this.listenerErrors++;
      }
    }
    return e;
  }

  /** Subscribes; returns the unsubscribe function. */
  subscribe(l: EventListener): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  /** Subscribers now. */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  /** Id of the newest event (0 before the first). */
  get lastId(): number {
    return this.#next - 1;
  }

  /**
   * Events with id > `afterId` still in the ring, oldest first. `missed` counts the ones
   * that were already overwritten.
   */
  since(afterId: number): { events: BusEvent[]; missed: number } {
    const last = this.#next - 1;
    const first = Math.max(1, last - this.#ring.length + 1);
    const from = Math.max(afterId + 1, first);
    const events: BusEvent[] = [];
    for (let id = from; id <= last; id++) {
      const e = this.#ring[id % this.#ring.length];
      if (e && e.id === id) events.push(e);
    }
    return { events, missed: Math.max(0, first - (afterId + 1)) };
  }
}
