/**
 * Rate over sliding windows (1 s and 10 s by default) from per-second buckets, O(1) per
 * sample. Used for stream and track bitrates (bits per second) and frame rates.
 */
export class RateMeter {
  readonly #buckets: Float64Array;
  #second = -1;
  #first = -1;
  #total = 0;

  /** `windowS` is the longest window kept, in seconds. */
  constructor(readonly windowS = 10) {
    this.#buckets = new Float64Array(windowS + 1);
  }

  #advance(nowMs: number): void {
    const sec = Math.floor(nowMs / 1000);
    if (this.#second < 0) this.#second = this.#first = sec;
    const gap = Math.min(sec - this.#second, this.#buckets.length);
    for (let i = 1; i <= gap; i++) this.#buckets[(this.#second + i) % this.#buckets.length] = 0;
    if (sec > this.#second) this.#second = sec;
  }

  /** Adds `amount` (bytes, frames ...) at time `nowMs` (monotonic ms). */
  add(amount: number, nowMs: number): void {
    this.#advance(nowMs);
    this.#buckets[this.#second % this.#buckets.length] += amount;
    this.#total += amount;
  }

  /** Everything ever added. */
  get total(): number {
    return this.#total;
  }

  /**
   * Average per second over the last `seconds` whole seconds before `nowMs` (fewer
   * when the meter has not run that long, so a young stream is not under-reported).
   */
  rate(nowMs: number, seconds = 1): number {
    if (this.#second < 0) return 0;
    this.#advance(nowMs);
    const n = Math.max(1, Math.min(seconds, this.windowS, this.#second - this.#first));
    let sum = 0;
    for (let i = 1; i <= n; i++) {
      sum += this.#buckets[(this.#second - i + this.#buckets.length) % this.#buckets.length];
    }
    return sum / n;
  }
}
