/**
 * The global memory limit (`ingestion.memory.global_limit`) as the manager applies it
 * (lib/stream/manager.ts): a running total of the bytes all streams buffer, kept per
 * frame, checked when a frame is admitted, and the shedding of whole GOPs from the largest
 * holders (lib/buffer/memory.ts) when the total would pass the limit.
 */
import type { Logger } from "../core/log.ts";
import { enforceGlobalLimit } from "../buffer/memory.ts";
import type { EventBus } from "./events.ts";
import type { Stream } from "./stream.ts";

/** Bytes held in the buffers of `streams`. */
export function bufferedIn(streams: Iterable<Stream>): number {
  let n = 0;
  for (const s of streams) n += s.bufferedBytes;
  return n;
}

/**
 * The limit at frame admission (a stream's `memory` option, lib/stream/stream.ts): a frame
 * that would take the total past the limit first makes the largest holders shed whole
 * GOPs; if that is not enough it is refused. So the limit is never exceeded (the
 * manager's 500 ms tick only re-syncs).
 */
export class GlobalMemory {
  /** Bytes buffered by all streams, kept per frame (exact again after every shed). */
  #buffered = 0;
  readonly #streams: ReadonlyMap<string, Stream>;
  readonly #limit: () => number;
  readonly #log: Logger;
  readonly #events: EventBus;

  constructor(
    streams: ReadonlyMap<string, Stream>,
    limit: () => number,
    log: Logger,
    events: EventBus,
  ) {
    this.#streams = streams;
    this.#limit = limit;
    this.#log = log;
    this.#events = events;
  }

  /** Whether a frame of `bytes` may go into a stream's buffer. */
  admit(_s: Stream, bytes: number): boolean {
    const limit = this.#limit();
    if (this.#buffered + bytes <= limit) return true;
    this.shed(Math.max(0, limit - bytes));
    return this.#buffered + bytes <= limit;
  }

  /** A stream's buffer changed by `delta` bytes. */
  stored(_s: Stream, delta: number): void {
    this.#buffered += delta;
  }

  /** Re-syncs the running total from the streams (after one left). */
  resync(): void {
    this.#buffered = bufferedIn(this.#streams.values());
  }

  /** Sheds GOPs until at most `target` bytes are buffered; re-syncs the running total. */
  shed(target: number): void {
    const freed = enforceGlobalLimit(this.#streams.values(), target);
    this.resync();
    if (freed > 0) {
      this.#log.warn("memory.global_limit", { freedBytes: freed });
      this.#events.emit("memory.pressure", {
        bufferedBytes: this.#buffered,
        limitBytes: this.#limit(),
        freedBytes: freed,
      });
    }
  }
}
