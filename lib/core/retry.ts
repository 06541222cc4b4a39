/**
 * Recovery for links that leave the box (push outputs, the NATS link): exponential backoff
 * with jitter and a circuit breaker. Both are plain state machines driven by the caller's
 * clock (monotonic ms), so they are testable without timers and hold no handles.
 *
 * Backoff: the n-th consecutive failure waits `initial * multiplier^(n-1)`, capped at `max`,
 * with "equal jitter" (half fixed, half random) so many outputs failing together do not
 * retry in lockstep. A success resets it.
 *
 * Breaker: after `failures` consecutive failures the circuit is `open` for `cooldown` ms (no
 * attempts); then `half-open` allows exactly one attempt, whose success closes the circuit
 * and whose failure opens it again for another cooldown.
 */

/** Backoff settings (ms). */
export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
  multiplier: number;
}

/** Breaker settings. */
export interface BreakerPolicy {
  failures: number;
  cooldownMs: number;
}

/** The defaults of `retry:` and `breaker:` in an output's config. */
export const DEFAULT_RETRY: RetryPolicy = { initialMs: 500, maxMs: 30_000, multiplier: 2 };
/** Default breaker: five consecutive failures open it for a minute. */
export const DEFAULT_BREAKER: BreakerPolicy = { failures: 5, cooldownMs: 60_000 };

/** Exponential backoff with equal jitter. */
export class Backoff {
  /** Consecutive failures since the last success. */
  attempt = 0;
  constructor(readonly policy: RetryPolicy = DEFAULT_RETRY, readonly random = Math.random) {}

  /** Records a failure; returns the delay (ms) before the next attempt. */
  fail(): number {
    this.attempt++;
    const p = this.policy;
    const raw = Math.min(p.maxMs, p.initialMs * Math.pow(p.multiplier, this.attempt - 1));
    return raw / 2 + this.random() * (raw / 2);
  }

  /** Records a success. */
  reset(): void {
    this.attempt = 0;
  }
}

/** Circuit states. */
export type BreakerState = "closed" | "open" | "half-open";

/** A circuit breaker on consecutive failures. */
export class Breaker {
  state: BreakerState = "closed";
  /** Consecutive failures (reset by a success). */
  failures = 0;
  /** Times the circuit opened. */
  opened = 0;
  /** When an open circuit lets one attempt through (monotonic ms). */
  openUntil = 0;

  constructor(readonly policy: BreakerPolicy = DEFAULT_BREAKER) {}

  /** May an attempt be made at `now`? Moves open -> half-open when the cooldown is over. */
  allow(now: number): boolean {
    if (this.state === "open") {
      if (now < this.openUntil) return false;
      this.state = "half-open";
    }
    return true;
  }

  /** An attempt succeeded. */
  success(): void {
    this.failures = 0;
    this.state = "closed";
  }

  /** An attempt failed at `now`; true when this failure opened the circuit. */
  failure(now: number): boolean {
    this.failures++;
    if (this.state === "half-open" || this.failures >= this.policy.failures) {
      const wasOpen = this.state === "open";
      this.state = "open";
      this.openUntil = now + this.policy.cooldownMs;
      if (!wasOpen) this.opened++;
      return true;
    }
    return false;
  }
}
