/**
 * Event-loop lag: every 100 ms, how late the process clock's wake-up came (lib/core/ticker.ts
 * `lateMs`: the time the loop spent on other work past the clock's period) goes into
 * `sluice_event_loop_lag_seconds`, and the last minute of samples is kept for the API's
 * `eventLoopLagP99Ms`. The sample rides the clock the rest of sluice runs on: no timer of
 * its own, no wake-up of its own.
 */
import { HOUSEKEEPING, type Ticker } from "../ticker.ts";
import { type HistogramFamily, METRICS, type Registry } from "./registry.ts";

/** Lag samples kept for the percentile: one minute at the 100 ms period. */
export const LAG_WINDOW_SAMPLES = 600;

/** Observes how late a periodic timer fires. */
export class LagMonitor {
  /** Lag of the last tick, ms. */
  lastMs = 0;
  /** Decaying maximum lag, ms (the API's `eventLoopLagMaxMs`). */
  maxMs = 0;
  #stop?: () => void;
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

  /** Samples `clock`'s lateness every `periodMs` until stop(). */
  start(periodMs = 100, clock: Ticker = HOUSEKEEPING): void {
    if (this.#stop !== undefined) return;
    const h = this.#family.child({});
    this.#stop = clock.every(periodMs, () => {
      const lag = clock.lateMs;
      this.record(lag);
      h.observe(lag / 1000);
    });
  }

  stop(): void {
    this.#stop?.();
    this.#stop = undefined;
  }
}
