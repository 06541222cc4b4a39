/**
 * Per-second stream statistics: once a second every live stream's bitrate, frame rate,
 * buffer and that second's losses, drops and errors go out as a `stream.stats` event on
 * the bus (lib/stream/events.ts), and into a 10-minute history per stream that the dashboard's
 * graphs read (GET /api/v1/stats/streams/{id}/history, routes/history.ts). The history is
 * columnar (one array per series, oldest first) and fixed in size: 600 samples per
 * stream, forgotten when the stream leaves the registry.
 */
import type { EventBus } from "./events.ts";
import type { Stream } from "./stream.ts";
import { HOUSEKEEPING } from "../core/ticker.ts";

/** Seconds of history kept per stream. */
export const HISTORY_SECONDS = 600;

/** The series of a history, in the JSON's order. */
export const HISTORY_SERIES = [
  "t",
  "bitrateBps",
  "fps",
  "lost",
  "dropped",
  "errors",
  "bufferedBytes",
] as const;
type Series = typeof HISTORY_SERIES[number];

/** A stream's history as the API returns it: `t` in ms since the epoch, one value per second. */
export type HistoryJSON = { intervalMs: number } & Record<Series, (number | null)[]>;

/** Fixed-size columnar ring of samples. */
class History {
  readonly #cols: Float64Array[];
  #next = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    this.#cols = HISTORY_SERIES.map(() => new Float64Array(capacity).fill(NaN));
  }

  push(values: Record<Series, number | null>): void {
    HISTORY_SERIES.forEach((k, i) => this.#cols[i][this.#next] = values[k] ?? NaN);
    this.#next = (this.#next + 1) % this.capacity;
    this.#size = Math.min(this.capacity, this.#size + 1);
  }

  toJSON(last: number): HistoryJSON {
    const n = Math.min(this.#size, Math.max(0, last));
    const start = (this.#next - n + this.capacity) % this.capacity;
    const out = { intervalMs: 1000 } as HistoryJSON;
    HISTORY_SERIES.forEach((k, i) => {
      const col: (number | null)[] = new Array(n);
      for (let j = 0; j < n; j++) {
        const v = this.#cols[i][(start + j) % this.capacity];
        col[j] = Number.isNaN(v) ? null : v;
      }
      out[k] = col;
    });
    return out;
  }
}

interface Tracked {
  stream: Stream;
  history: History;
  lost: number;
  dropped: number;
  errors: number;
}

/** What the sampler reads: the manager's registry and bus. */
export interface StatsSource {
  readonly streams: Map<string, Stream>;
  readonly events: EventBus;
}

/** Cumulative packets lost by the transport (SRT `packetsLost`, RTP `lost`). */
function transportLost(s: Stream): number {
  const v = s.transport.packetsLost ?? s.transport.lost;
  return typeof v === "number" && v > 0 ? v : 0;
}

/** Samples every stream once a second; see the module comment. */
export class StreamStatsSampler {
  readonly #tracked = new Map<string, Tracked>();
  #untick?: () => void;

  constructor(
    private readonly src: StatsSource,
    private readonly opts: { now?: () => number; historySeconds?: number } = {},
  ) {}

  /** Takes one sample of every live stream and emits its `stream.stats` event. */
  sample(): void {
    const now = this.opts.now?.() ?? performance.now();
    const wall = Date.now();
    for (const [id, t] of this.#tracked) {
      if (this.src.streams.get(id) !== t.stream) this.#tracked.delete(id);
    }
    for (const s of this.src.streams.values()) {
      if (s.state === "closed") continue;
      let t = this.#tracked.get(s.id);
      if (!t) {
        t = {
          stream: s,
          history: new History(this.opts.historySeconds ?? HISTORY_SECONDS),
          lost: transportLost(s),
          dropped: s.drops.total,
          errors: s.errors.total,
        };
        this.#tracked.set(s.id, t);
      }
      const lost = transportLost(s), dropped = s.drops.total, errors = s.errors.total;
      let fps: number | null = null;
      for (const tr of s.tracks.values()) {
        if (tr.info.kind === "video") {
          fps = tr.frameRate.rate(now, 1);
          break;
        }
      }
      const sample = {
        stream: s.id,
        state: s.state,
        bitrateBps: Math.round(s.bitrate.rate(now, 1)),
        fps,
        bufferedBytes: s.bufferedBytes,
        lost: Math.max(0, lost - t.lost),
        dropped: Math.max(0, dropped - t.dropped),
        errors: Math.max(0, errors - t.errors),
      };
      t.lost = lost;
      t.dropped = dropped;
      t.errors = errors;
      t.history.push({ ...sample, t: wall });
      this.src.events.emit("stream.stats", sample);
    }
  }

  /** The last `seconds` (default all) of a stream's history; undefined if never sampled. */
  history(id: string, seconds = HISTORY_SECONDS): HistoryJSON | undefined {
    return this.#tracked.get(id)?.history.toJSON(seconds);
  }

  /** Samples every second until stop(). */
  start(): void {
    this.#untick ??= HOUSEKEEPING.every(1000, () => this.sample());
  }

  stop(): void {
    this.#untick?.();
    this.#untick = undefined;
  }
}
