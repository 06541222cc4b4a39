/**
 * One timer for the periodic housekeeping of every component (stream manager, SRT and RTP
 * adapters, outputs, stats sampler, memory trimmer). Waking the event loop from idle
 * costs ~0.2 ms of CPU on a VM whatever the callback does (bench/README.md, one SRT
 * stream): seven 0.25-1 s intervals, each with its own phase, woke an idle sluice 16
 * times a second; on one 250 ms tick they wake it 4 times.
 *
 * Periods are whole multiples of the tick (rounded, at least one tick); the first call
 * comes one period after `every`. A callback that throws is reported like an uncaught
 * error (`reportError`) and the others still run. The timer runs only while something
 * is registered.
 */

interface Sub {
  ticks: number;
  phase: number;
  fn: () => void;
}

/** Runs callbacks at multiples of one tick from a single interval timer. */
export class Ticker {
  readonly #subs = new Set<Sub>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #count = 0;

  constructor(readonly tickMs: number) {}

  /** Calls `fn` every `ms` (rounded to whole ticks) until the returned function is called. */
  every(ms: number, fn: () => void): () => void {
    const sub = { ticks: Math.max(1, Math.round(ms / this.tickMs)), phase: this.#count, fn };
    this.#subs.add(sub);
    this.#timer ??= setInterval(() => this.tick(), this.tickMs);
    return () => {
      this.#subs.delete(sub);
      if (this.#subs.size === 0 && this.#timer !== undefined) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    };
  }

  /** Callbacks registered. */
  get size(): number {
    return this.#subs.size;
  }

  /** One tick: runs the callbacks that are due (the timer calls it; tests call it directly). */
  tick(): void {
    const n = ++this.#count;
    for (const s of [...this.#subs]) {
      if ((n - s.phase) % s.ticks !== 0 || !this.#subs.has(s)) continue;
      try {
        s.fn();
      } catch (e) {
        reportError(e);
      }
    }
  }
}

/** Tick of {@link HOUSEKEEPING}, ms: the shortest housekeeping period. */
export const HOUSEKEEPING_TICK_MS = 250;

/** The process's housekeeping clock. */
export const HOUSEKEEPING = new Ticker(HOUSEKEEPING_TICK_MS);
