/** Counters by reason name: errors, drops, refusals. */

/** Counters by reason, as `{ reason: count }`. */
export class ReasonCounter {
  readonly counts: Map<string, number> = new Map();
  add(reason: string, n = 1): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + n);
  }
  get total(): number {
    let t = 0;
    for (const v of this.counts.values()) t += v;
    return t;
  }
  toJSON(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
