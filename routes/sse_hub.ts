/**
 * Server-Sent Events from the event bus (lib/stream/events.ts) to HTTP clients, bounded per
 * client: each client has a queue of at most `queueEvents` events; when a client reads
 * slower than events come, the oldest queued events are dropped and counted, and the
 * client gets an `event: dropped` line at the gap (`{"dropped": n, "totalDropped": m}`).
 * The server never waits for a client and never holds more than the queue: the body is
 * a pull stream (highWaterMark 0), so nothing is encoded until the socket takes it.
 * A reconnecting client sends `Last-Event-ID` and is resumed from the bus's ring; events
 * already gone from the ring are reported as dropped. A comment line every
 * `heartbeatMs` keeps proxies from closing an idle connection.
 */
import type { BusEvent, EventBus } from "../lib/stream/events.ts";

/** Events queued per client before the oldest are dropped. */
export const SSE_QUEUE_EVENTS = 512;
/** Idle time before a `: ping` comment, ms. */
export const SSE_HEARTBEAT_MS = 15_000;
/** Events written to the socket in one chunk at most. */
const BATCH = 64;

/** Which events a client wants: event types and/or one stream id. */
export interface SseFilter {
  types?: ReadonlySet<string>;
  stream?: string;
}

/** Counters of the hub, for /api/v1/stats and /metrics. */
export interface SseStats {
  clients: number;
  connections: number;
  queuedEvents: number;
  queueLimit: number;
  sentEvents: number;
  droppedEvents: number;
}

const enc = new TextEncoder();

/** One SSE line block for a bus event: `data` is the payload with `time` added. */
export function formatEvent(e: BusEvent): string {
  return `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify({ time: e.time, ...e.data })}\n\n`;
}

class Client {
  readonly #ring: (BusEvent | undefined)[];
  #head = 0;
  size = 0;
  #pendingDrops = 0;
  totalDropped = 0;
  #wake?: () => void;
  closed = false;

  constructor(readonly hub: SseHub, readonly filter: SseFilter, cap: number) {
    this.#ring = new Array(cap);
  }

  wants(e: BusEvent): boolean {
    const f = this.filter;
    if (f.types && !f.types.has(e.type)) return false;
    if (f.stream !== undefined && (e.data as { stream?: string }).stream !== f.stream) return false;
    return true;
  }

  push(e: BusEvent): void {
    const cap = this.#ring.length;
    if (this.size === cap) {
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) % cap;
      this.size--;
      this.drop(1);
    }
    this.#ring[(this.#head + this.size) % cap] = e;
    this.size++;
    this.#wakeUp();
  }

  drop(n: number): void {
    this.#pendingDrops += n;
    this.totalDropped += n;
    this.hub.droppedEvents += n;
    this.#wakeUp();
  }

  #wakeUp(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  close(): void {
    this.closed = true;
    this.#wakeUp();
  }

  /** Waits for something to send (or the heartbeat); returns the next chunk, "" when closed. */
  async next(heartbeatMs: number): Promise<string> {
    if (!this.closed && this.size === 0 && this.#pendingDrops === 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        timer = setTimeout(resolve, heartbeatMs);
      });
      clearTimeout(timer);
      this.#wake = undefined;
    }
    if (this.closed) return "";
    let out = "";
    if (this.#pendingDrops > 0) {
      out += `event: dropped\ndata: ${
        JSON.stringify({ dropped: this.#pendingDrops, totalDropped: this.totalDropped })
      }\n\n`;
      this.#pendingDrops = 0;
    }
    let n = 0;
    while (this.size > 0 && n < BATCH) {
      const e = this.#ring[this.#head]!;
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.#ring.length;
      this.size--;
      out += formatEvent(e);
      n++;
    }
    this.hub.sentEvents += n;
    return out || ": ping\n\n";
  }
}

/** Fans bus events out to SSE clients; see the module comment. */
export class SseHub {
  readonly #clients = new Set<Client>();
  readonly #off: () => void;
  readonly #queueEvents: number;
  readonly #heartbeatMs: number;
  connections = 0;
  sentEvents = 0;
  droppedEvents = 0;

  constructor(
    readonly bus: EventBus,
    opts: { queueEvents?: number; heartbeatMs?: number } = {},
  ) {
    this.#queueEvents = Math.max(1, opts.queueEvents ?? SSE_QUEUE_EVENTS);
    this.#heartbeatMs = opts.heartbeatMs ?? SSE_HEARTBEAT_MS;
    this.#off = bus.subscribe((e) => {
      for (const c of this.#clients) if (c.wants(e)) c.push(e);
    });
  }

  /**
   * A new client's body stream. With `lastEventId` the events after it still in the
   * ring are queued first (those no longer there count as dropped).
   */
  open(filter: SseFilter, lastEventId?: number): ReadableStream<Uint8Array> {
    const c = new Client(this, filter, this.#queueEvents);
    const hello = `retry: 3000\nevent: hello\ndata: ${
      JSON.stringify({ lastId: this.bus.lastId, queueLimit: this.#queueEvents })
    }\n\n`;
    if (lastEventId !== undefined) {
      const { events, missed } = this.bus.since(lastEventId);
      if (missed > 0) c.drop(missed);
      for (const e of events) if (c.wants(e)) c.push(e);
    }
    this.#clients.add(c);
    this.connections++;
    let first = true;
    const hb = this.#heartbeatMs;
    return new ReadableStream<Uint8Array>({
      pull: async (ctrl) => {
        if (first) {
          first = false;
          ctrl.enqueue(enc.encode(hello));
          return;
        }
        const chunk = await c.next(hb);
        if (chunk === "") {
          this.#clients.delete(c);
          ctrl.close();
          return;
        }
        ctrl.enqueue(enc.encode(chunk));
      },
      cancel: () => {
        c.close();
        this.#clients.delete(c);
      },
    }, { highWaterMark: 0 });
  }

  stats(): SseStats {
    let queued = 0;
    for (const c of this.#clients) queued += c.size;
    return {
      clients: this.#clients.size,
      connections: this.connections,
      queuedEvents: queued,
      queueLimit: this.#queueEvents,
      sentEvents: this.sentEvents,
      droppedEvents: this.droppedEvents,
    };
  }

  /** Ends every client's stream (server shutdown) and leaves the bus. */
  close(): void {
    for (const c of this.#clients) c.close();
    this.#clients.clear();
    this.#off();
  }
}
