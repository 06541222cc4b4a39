/**
 * Event-loop lag: a 100 ms timer measures how late it fires (the time the loop spent on
 * other work) into `sluice_event_loop_lag_seconds`. The timer is unref'd: it never keeps
 * the process alive.
 */
import { type HistogramFamily, METRICS, type Registry } from "./registry.ts";

/** Observes how late a periodic timer fires. */
export class LagMonitor {
  /** Lag of the last tick, ms. */
  lastMs = 0;
  /** Decaying maximum lag, ms (the API's `eventLoopLagMaxMs`). */
  maxMs = 0;
  #timer?: ReturnType<typeof setInterval>;
  #expected = 0;
  readonly #family: HistogramFamily<"sluice_event_loop_lag_seconds">;

  constructor(registry: Registry = METRICS) {
    this.#family = registry.histogram("sluice_event_loop_lag_seconds");
  }

  start(periodMs = 100): void {
    if (this.#timer !== undefined) return;
    const h = this.#family.child({});
    this.#expected = performance.now() + periodMs;
    const timer = setInterval(() => {
      const now = performance.now();
      const lag = Math.max(0, now - this.#expected);
      this.lastMs = lag;
      this.maxMs = Math.max(this.maxMs * 0.95, lag);
      h.observe(lag / 1000);
      this.#expected = now + periodMs;
    }, periodMs);
    Deno.unrefTimer(timer as unknown as number);
    this.#timer = timer;
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
