/**
 * Counters by reason (lib/core/reasons/catalogue.ts): errors, drops, refusals. Only catalogue
 * members are accepted, so a misspelt reason fails `deno check`.
 */
import type { Reason } from "../core/reasons/catalogue.ts";

/** Counters by reason, as `{ reason: count }`. */
export class ReasonCounter<R extends Reason = Reason> {
  readonly counts: Map<R, number> = new Map();
  add(reason: R, n = 1): void {
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

/**
 * Counters by a label (a protocol or listener name, never input bytes) and reason: the
 * manager's refusals and port errors. The API shows them flat as `"<label>_<reason>"`;
 * /metrics has the label and the reason as separate labels.
 */
export class LabeledReasonCounter<L extends string, R extends Reason = Reason> {
  readonly byLabel: Map<L, ReasonCounter<R>> = new Map();
  add(label: L, reason: R, n = 1): void {
    let c = this.byLabel.get(label);
    if (!c) this.byLabel.set(label, c = new ReasonCounter<R>());
    c.add(reason, n);
  }
  /** Count of one label and reason (0 when never counted). */
  get(label: L, reason: R): number {
    return this.byLabel.get(label)?.counts.get(reason) ?? 0;
  }
  /** Every count as [label, reason, n]. */
  *entries(): IterableIterator<[L, R, number]> {
    for (const [l, c] of this.byLabel) for (const [r, n] of c.counts) yield [l, r, n];
  }
  get total(): number {
    let t = 0;
    for (const c of this.byLabel.values()) t += c.total;
    return t;
  }
  toJSON(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [l, r, n] of this.entries()) out[`${l}_${r}`] = n;
    return out;
  }
}
