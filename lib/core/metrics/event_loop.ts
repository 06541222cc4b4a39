/**
 * Event-loop lag: a 100 ms timer measures how late it fires (the time the loop spent on
 * other work) into `sluice_event_loop_lag_seconds`, and keeps the last minute of samples
 * for the API's `eventLoopLagP99Ms`. The timer is unref'd: it never keeps the process alive.
 */
import { type HistogramFamily, METRICS, type Registry } from "./registry.ts";

/** Lag samples kept for the percentile: one minute at the 100 ms period. */
export const LAG_WINDOW_SAMPLES = 600;

/** Observes how late a periodic timer fires. */
export class LagMonitor {
  /** Lag of the last tick, ms. */
  lastMs = 0;
  /** Decaying maximum lag, ms (the API's `eventLoopLagMaxMs`). */
  maxMs = 0;
  #timer?: ReturnType<typeof setInterval>;
  #expected = 0;
  readonly #family: HistogramFamily<"sluice_event_loop_lag_seconds">;
  readonly #ring = new Float64Array(LAG_WINDOW_SAMPLES);
  #samples = 0;

  constructor(registry: Registry = METRICS) {
    this.#family = registry.histogram("sluice_event_loop_lag_seconds");
  }

  /** Adds one sample, ms (the timer's; tests call it directly). */
  record(lag: number): void {
    this.lastMs = lag;
    this.maxMs = Math.max(this.maxMs * 0.95, lag);
    this.#ring[this.#samples++ % LAG_WINDOW_SAMPLES] = lag;
  }

  /** 99th percentile (nearest rank) of the samples in the window, ms; 0 before the first. */
  p99Ms(): number {
    const n = Math.min(this.#samples, LAG_WINDOW_SAMPLES);
    if (n === 0) return 0;
    const sorted = this.#ring.slice(0, n).sort();
    return sorted[Math.ceil(0.99 * n) - 1];
  }

  start(periodMs = 100): void {
    if (this.#timer !== undefined) return;
    const h = this.#family.child({});
    this.#expected = performance.now() + periodMs;
    const timer = setInterval(() => {
      const now = performance.now();
      const lag = Math.max(0, now - this.#expected);
      this.record(lag);
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
