/**
 * Output fan-out: one publisher, many consumers, each with its own bounded queue (frames
 * and bytes). The publisher never waits: `publish` is O(1) amortized per consumer and
 * never blocks on a slow reader (docs/ARCHITECTURE.md, rule 2).
 *
 * A consumer whose queue overflows loses whole GOPs: everything queued before the next
 * queued key frame is dropped (the queue then starts at that key frame); when no key frame
 * is queued, the queue is emptied and incoming frames are dropped until the next key frame,
 * where the consumer resumes. Resynchronisation points are video key frames (any key frame
 * while no video has been published). Drops are counted per consumer as
 * "consumer_overflow" (frames).
 */
import { pin } from "../core/slabs.ts";
import type { AccessUnit, Counter } from "../core/types.ts";

/** Default per-consumer caps. */
export const DEFAULT_CONSUMER_MAX_BYTES = 32 * 1024 * 1024;
/** Default per-consumer frame cap. */
export const DEFAULT_CONSUMER_MAX_FRAMES = 1024;

/** Options of {@link OutputQueue.subscribe}. */
export interface SubscribeOptions {
  /** Byte cap of this consumer's queue; default 32 MiB. */
  maxBytes?: number;
  /** Frame cap of this consumer's queue; default 1024. */
  maxFrames?: number;
  /** Also told about this consumer's drops (e.g. the stream's counters). */
  count?: Counter;
  /**
   * Frames to queue before live ones (e.g. the GOP buffer from its newest key frame);
   * like live frames, they count only from the first resync point on.
   */
  backlog?: readonly AccessUnit[];
}

/** Per-consumer counters. */
export interface ConsumerStats {
  delivered: number;
  queuedFrames: number;
  queuedBytes: number;
  /** Frames dropped by reason ("consumer_overflow"). */
  drops: Record<string, number>;
  /** Times the queue head was dropped up to the next resync point (whole GOPs). */
  gopsDropped: number;
}

/** A reader of an {@link OutputQueue}: pull with `next()` or `for await`. */
export class Consumer implements AsyncIterable<AccessUnit> {
  readonly stats: ConsumerStats = {
    delivered: 0,
    queuedFrames: 0,
    queuedBytes: 0,
    drops: {},
    gopsDropped: 0,
  };
  #q: (AccessUnit | undefined)[] = [];
  #head = 0;
  #keys: number[] = []; // absolute positions of resync points in #q (head-relative math)
  #keyHead = 0;
  #base = 0; // absolute position of #q[0]
  #skipping = false;
  #started = false; // a new consumer waits (uncounted) for its first resync point
  #closed = false;
  #wake: (() => void) | undefined;
  readonly #maxBytes: number;
  readonly #maxFrames: number;
  readonly #count: Counter | undefined;

  /** @internal created by OutputQueue.subscribe */
  constructor(opts: SubscribeOptions, readonly onClose: (c: Consumer) => void) {
    this.#maxBytes = opts.maxBytes ?? DEFAULT_CONSUMER_MAX_BYTES;
    this.#maxFrames = opts.maxFrames ?? DEFAULT_CONSUMER_MAX_FRAMES;
    if (!(this.#maxBytes > 0) || !(this.#maxFrames > 0)) {
      throw new RangeError("subscribe: maxBytes and maxFrames must be > 0");
    }
    this.#count = opts.count;
  }

  /** True once closed (by `close()` or the queue's `close()`). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Takes the next queued access unit, or undefined when the queue is empty. */
  next(): AccessUnit | undefined {
    if (this.#head >= this.#q.length) return undefined;
    const au = this.#q[this.#head]!;
    this.#q[this.#head++] = undefined;
    const abs = this.#base + this.#head - 1;
    if (this.#keyHead < this.#keys.length && this.#keys[this.#keyHead] === abs) this.#keyHead++;
    this.stats.queuedFrames--;
    this.stats.queuedBytes -= au.data.length;
    this.stats.delivered++;
    this.#compact();
    return au;
  }

  /** Stops this consumer; pending iterations end. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#q = [];
    this.#head = 0;
    this.stats.queuedFrames = this.stats.queuedBytes = 0;
    this.onClose(this);
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AccessUnit> {
    while (!this.#closed) {
      const au = this.next();
      if (au) {
        yield au;
        continue;
      }
      await this.wait();
    }
  }

  /** Resolves once a frame is queued or the consumer is closed (one waiter at a time). */
  wait(): Promise<void> {
    if (this.#closed || this.#head < this.#q.length) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#wake = () => {
        this.#wake = undefined;
        resolve();
      };
    });
  }

  /** @internal called by OutputQueue.publish; O(1) amortized, never waits. */
  offer(au: AccessUnit, resync: boolean): void {
    if (this.#closed) return;
    if (!this.#started) {
      if (!resync) return;
      this.#started = true;
    }
    if (this.#skipping) {
      if (!resync) return this.#drop(1);
      this.#skipping = false;
    }
    const abs = this.#base + this.#q.length;
    this.#q.push(au);
    if (resync) this.#keys.push(abs);
    this.stats.queuedFrames++;
    this.stats.queuedBytes += au.data.length;
    while (
      this.stats.queuedFrames > this.#maxFrames || this.stats.queuedBytes > this.#maxBytes
    ) this.#overflow();
    const w = this.#wake;
    if (w && this.#head < this.#q.length) {
      this.#wake = undefined;
      w();
    }
  }

  /** Drops the queue head up to the next resync point after it, or everything. */
  #overflow(): void {
    const headAbs = this.#base + this.#head;
    while (this.#keyHead < this.#keys.length && this.#keys[this.#keyHead] <= headAbs) {
      this.#keyHead++;
    }
    const next = this.#keyHead < this.#keys.length ? this.#keys[this.#keyHead] : undefined;
    const end = next === undefined ? this.#base + this.#q.length : next;
    let n = 0;
    while (this.#base + this.#head < end) {
      const au = this.#q[this.#head]!;
      this.#q[this.#head++] = undefined;
      this.stats.queuedFrames--;
      this.stats.queuedBytes -= au.data.length;
      n++;
    }
    if (next === undefined) this.#skipping = true;
    if (n > 0) this.stats.gopsDropped++;
    this.#drop(n);
    this.#compact();
  }

  #drop(n: number): void {
    if (n === 0) return;
    this.stats.drops.consumer_overflow = (this.stats.drops.consumer_overflow ?? 0) + n;
    this.#count?.("consumer_overflow", n);
  }

  /** Releases the consumed prefix once it is at least half the array. */
  #compact(): void {
    if (this.#head < 64 || this.#head * 2 < this.#q.length) return;
    this.#q = this.#q.slice(this.#head);
    this.#base += this.#head;
    this.#head = 0;
    this.#keys = this.#keys.slice(this.#keyHead);
    this.#keyHead = 0;
  }
}

/** Fans published access units out to bounded consumer queues; see the module comment. */
export class OutputQueue {
  readonly #consumers = new Set<Consumer>();
  #sawVideo = false;
  /** Access units published. */
  published = 0;

  /** Adds a consumer; it receives frames from the next resync point on. */
  subscribe(opts: SubscribeOptions = {}): Consumer {
    const c = new Consumer(opts, (x) => this.#consumers.delete(x));
    this.#consumers.add(c);
    for (const au of opts.backlog ?? []) c.offer(au, this.#resync(au));
    return c;
  }

  /** Number of live consumers. */
  get consumers(): number {
    return this.#consumers.size;
  }

  /**
   * Delivers one access unit to every consumer; never waits. A frame a consumer gets is
   * pinned: its queue keeps it on the consumer's clock, so its slab is never reused
   * (lib/core/slabs.ts).
   */
  publish(au: AccessUnit): void {
    this.published++;
    if (au.kind === "video") this.#sawVideo = true;
    if (this.#consumers.size === 0) return;
    pin(au.data);
    const resync = this.#resync(au);
    for (const c of this.#consumers) c.offer(au, resync);
  }

  #resync(au: AccessUnit): boolean {
    return au.key && (au.kind === "video" || !this.#sawVideo);
  }

  /** Closes every consumer. */
  close(): void {
    for (const c of [...this.#consumers]) c.close();
  }
}
