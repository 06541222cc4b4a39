/**
 * The process clock: one repeating timer for every periodic step of every component (the
 * SRT read loop while data flows, RTP polls, the event-loop lag sample, the stream manager,
 * adapters, outputs, stats sampler, watchdog heartbeat). Each timer of its own, with its own
 * phase, woke the event loop once per period; on one clock the steps that fall due together
 * share a wake-up. With one SRT stream flowing sluice's JS thread woke 126 times a second
 * and now 115, idle 30 and now 25 (bench/README.md; the rest are the runtime's own).
 *
 * The timer runs at the shortest period registered (and only while something is): each
 * callback is due `ms` after its last run and runs on the first wake-up at or after half a
 * timer period before that, so a 250 ms step on a 100 ms clock runs at 200, 500, 700, 1000,
 * ... ms: 250 ms on average, never drifting. A step that falls a whole period behind (a
 * stall) runs once, not once per missed period. A callback that throws is reported like an
 * uncaught error (`reportError`) and the others still run; a `repeatWhile` step's throw
 * rejects its promise instead. A wake-up that overran the period is followed at once (the
 * runtime keeps an interval's cadence), never overlapped: timers run on the one JS thread.
 */

interface Sub {
  ms: number;
  /** When it is next due, ms (performance.now()). */
  next: number;
  fn: () => void;
}

/** Runs periodic callbacks from a single interval timer; see the module doc. */
export class Ticker {
  readonly #subs = new Set<Sub>();
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Period the timer runs at, ms (0: no timer). */
  #period = 0;
  /** When the timer last fired (or was armed), ms. */
  #last = 0;
  #lateMs = 0;

  /** `now`: the clock (tests pass their own). */
  constructor(readonly now: () => number = () => performance.now()) {}

  /** Calls `fn` every `ms` (at least 1) until the returned function is called; first in `ms`. */
  every(ms: number, fn: () => void): () => void {
    const p = Math.max(1, ms);
    return this.#add({ ms: p, next: this.now() + p, fn });
  }

  /**
   * Calls `step` every `periodMs()` ms until it returns false (resolves) or throws (rejects
   * with its error): the read loops' "busy" phase (lib/transport/srt/listener.ts). The
   * period is read after each step: a change (a live config reload) takes effect from the
   * next one. The first call comes one period after the call to repeatWhile.
   */
  repeatWhile(periodMs: () => number, step: () => boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const ms0 = Math.max(1, periodMs());
      const sub: Sub = {
        ms: ms0,
        next: this.now() + ms0,
        fn: () => {
          let more: boolean;
          try {
            more = step();
          } catch (e) {
            stop();
            return reject(e);
          }
          if (!more) {
            stop();
            return resolve();
          }
          const ms = Math.max(1, periodMs());
          if (ms !== sub.ms) {
            sub.next += ms - sub.ms;
            sub.ms = ms;
            this.#arm();
          }
        },
      };
      const stop = this.#add(sub);
    });
  }

  /** Callbacks registered. */
  get size(): number {
    return this.#subs.size;
  }

  /** Period the timer runs at now, ms; 0 when it is stopped. */
  get periodMs(): number {
    return this.#period;
  }

  /** How late the current (or last) wake-up came after its period, ms: the event-loop lag. */
  get lateMs(): number {
    return this.#lateMs;
  }

  /**
   * One wake-up at `now`: runs the callbacks that are due (the timer calls it; tests call
   * it directly with their own clock).
   */
  tick(now: number = this.now()): void {
    const period = this.#period || 1;
    this.#lateMs = Math.max(0, now - (this.#last + period));
    this.#last = now;
    const soon = now + period / 2;
    for (const s of [...this.#subs]) {
      if (s.next > soon || !this.#subs.has(s)) continue;
      s.next += s.ms;
      if (s.next <= now) s.next = now + s.ms; // a whole period behind: once, not a burst
      try {
        s.fn();
      } catch (e) {
        reportError(e);
      }
    }
  }

  /** Registers `sub`; the returned function takes it off (idempotent). */
  #add(sub: Sub): () => void {
    this.#subs.add(sub);
    this.#arm();
    return () => {
      if (this.#subs.delete(sub)) this.#arm();
    };
  }

  /** Runs the timer at the shortest registered period, or stops it when nothing is left. */
  #arm(): void {
    let p = Infinity;
    for (const s of this.#subs) if (s.ms < p) p = s.ms;
    if (p === Infinity) p = 0;
    if (p === this.#period) return;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#period = p;
    if (p === 0) return;
    this.#last = this.now();
    this.#timer = setInterval(() => this.tick(), p);
  }
}

/** The process's clock: every periodic step in sluice runs on it. */
export const HOUSEKEEPING = new Ticker();
