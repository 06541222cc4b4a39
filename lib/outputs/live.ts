/**
 * Live pull over HTTP (`GET /api/v1/streams/{id}/live.ts`): each client gets a remux
 * feed (feed.ts) starting at the newest keyframe in the GOP buffer, as a chunked
 * `video/mp2t` body pulled at the client's pace. A slow client loses whole GOPs in its
 * own byte-capped queue (counted per client as `drops.slow_output`); ingest and other
 * clients never wait. A client that goes away is unsubscribed at once (the body's
 * cancel), and the stream closing or being removed ends every response on it.
 */
import type { BusEvent } from "../stream/events.ts";
import type { Manager } from "../stream/manager.ts";
import type { Stream } from "../stream/stream.ts";
import { TsFeed } from "./feed.ts";

/** One connected live client. */
export interface LiveClient {
  id: number;
  stream: string;
  remote: string;
  since: Date;
  feed: TsFeed;
}

/** Counters of the clients of one stream that have gone (so totals stay monotonic). */
interface Totals {
  clients: number;
  bytes: number;
  slowDrops: number;
  gopsDropped: number;
}

/** The live clients of a server. */
export class LiveHub {
  readonly clients: Map<number, LiveClient> = new Map();
  readonly #gone = new Map<string, Totals>();
  #next = 1;

  constructor(private readonly manager: Manager) {}

  /** Starts a client on `stream`; the body ends with the stream or the client. */
  open(stream: Stream, remote: string): ReadableStream<Uint8Array> | string {
    const feed = TsFeed.open(stream, {
      mode: "remux",
      maxBytes: this.manager.config.api.liveQueueSize,
      fromBuffer: true,
    });
    if (typeof feed === "string") return feed;
    const c: LiveClient = { id: this.#next++, stream: stream.id, remote, since: new Date(), feed };
    this.clients.set(c.id, c);
    const off = this.manager.events.subscribe((e: BusEvent) => {
      const t = e.type;
      const sid = (e.data as { stream?: string }).stream;
      if ((t === "stream.closed" || t === "stream.removed") && sid === stream.id) {
        feed.close();
      }
    });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      off();
      feed.close();
      this.clients.delete(c.id);
      const g = this.#gone.get(c.stream) ?? { clients: 0, bytes: 0, slowDrops: 0, gopsDropped: 0 };
      g.clients++;
      g.bytes += feed.bytes;
      g.slowDrops += feed.slowDrops;
      g.gopsDropped += feed.gopsDropped;
      this.#gone.set(c.stream, g);
      this.manager.log.info("live.client_closed", {
        stream: c.stream,
        remote,
        bytes: feed.bytes,
        slowDrops: feed.slowDrops,
      });
    };
    this.manager.log.info("live.client_opened", { stream: c.stream, remote });
    return new ReadableStream<Uint8Array>({
      pull: async (ctl) => {
        for (;;) {
          const b = feed.next();
          if (b) return ctl.enqueue(b as Uint8Array<ArrayBuffer>);
          if (feed.closed) {
            finish();
            return ctl.close();
          }
          await feed.wait();
        }
      },
      cancel: finish,
    }, { highWaterMark: 0 });
  }

  /** Clients as the API shows them. */
  toJSON(): Record<string, unknown>[] {
    return [...this.clients.values()].map((c) => ({
      id: c.id,
      stream: c.stream,
      remote: c.remote,
      since: c.since.toISOString(),
      bytes: c.feed.bytes,
      frames: c.feed.frames,
      queuedBytes: c.feed.queuedBytes,
      drops: c.feed.slowDrops ? { slow_output: c.feed.slowDrops } : {},
      gopsDropped: c.feed.gopsDropped,
    }));
  }

  /** Per-stream totals (gone + connected clients), for /metrics. */
  totals(): Map<string, Totals & { connected: number }> {
    const out = new Map<string, Totals & { connected: number }>();
    for (const [s, g] of this.#gone) {
      if (!this.manager.streams.has(s)) this.#gone.delete(s);
      else out.set(s, { ...g, connected: 0 });
    }
    for (const c of this.clients.values()) {
      const t = out.get(c.stream) ??
        { clients: 0, bytes: 0, slowDrops: 0, gopsDropped: 0, connected: 0 };
      t.connected++;
      t.clients++;
      t.bytes += c.feed.bytes;
      t.slowDrops += c.feed.slowDrops;
      t.gopsDropped += c.feed.gopsDropped;
      out.set(c.stream, t);
    }
    return out;
  }

  /** Ends every response (shutdown). */
  close(): void {
    for (const c of this.clients.values()) c.feed.close();
  }
}
