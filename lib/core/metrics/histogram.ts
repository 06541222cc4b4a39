/**
 * A fixed-bucket histogram (Prometheus semantics: cumulative `le` buckets, +Inf, sum,
 * count) and the quantile estimate PromQL's histogram_quantile() makes from it, for
 * benchmarks that report what a dashboard would show.
 */

/** One histogram series: counts per bucket, sum and count. */
export class Histogram {
  /** Non-cumulative counts; the last slot is (last bound, +Inf). */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** Records one value (NaN is ignored). */
  observe(v: number): void {
    if (Number.isNaN(v)) return;
    const b = this.bounds;
    let lo = 0;
    let hi = b.length;
    while (lo < hi) { // first bound >= v
      const mid = (lo + hi) >> 1;
      if (b[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    this.counts[lo]++;
    this.sum += v;
    this.count++;
  }

  /** Cumulative counts per bound, +Inf last (what the `_bucket` lines carry). */
  cumulative(): number[] {
    const out: number[] = [];
    let acc = 0;
    for (const c of this.counts) out.push(acc += c);
    return out;
  }

  /** Adds another histogram with the same bounds into this one. */
  merge(o: Histogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += o.counts[i];
    this.sum += o.sum;
    this.count += o.count;
  }

  /** Estimated quantile (0..1) by linear interpolation within a bucket, as histogram_quantile(). */
  quantile(q: number): number {
    return quantileOf(this.bounds, this.cumulative(), q);
  }
}

/**
 * histogram_quantile() over cumulative counts (+Inf last): NaN without observations; in
 * the +Inf bucket the answer is the highest finite bound.
 */
export function quantileOf(bounds: readonly number[], cumulative: number[], q: number): number {
  const total = cumulative[cumulative.length - 1] ?? 0;
  if (total === 0 || q < 0 || q > 1) return NaN;
  const rank = q * total;
  let i = cumulative.findIndex((c) => c >= rank);
  if (i < 0) i = cumulative.length - 1;
  if (i >= bounds.length) return bounds[bounds.length - 1];
  const lower = i === 0 ? 0 : bounds[i - 1];
  const below = i === 0 ? 0 : cumulative[i - 1];
  const inBucket = cumulative[i] - below;
  if (inBucket === 0) return bounds[i];
  return lower + (bounds[i] - lower) * ((rank - below) / inBucket);
}
