/**
 * A quantile of a Prometheus histogram read from /metrics text, the way PromQL's
 * histogram_quantile() computes it: the `_bucket` series of every label set summed per
 * `le`, then linear interpolation inside the bucket that holds the rank (the +Inf bucket
 * answers its lower bound). For the scale ladder's frame-latency column.
 */

/** The q-quantile (0..1) of histogram `name` across all its series, in its unit; null if empty. */
export function histogramQuantile(text: string, name: string, q: number): number | null {
  const byLe = new Map<number, number>();
  const re = new RegExp(`^${name}_bucket\\{(.*)\\} (\\S+)$`, "gm");
  for (const m of text.matchAll(re)) {
    const le = /(?:^|,)le="([^"]+)"/.exec(m[1])?.[1];
    if (le === undefined) continue;
    const bound = le === "+Inf" ? Infinity : Number(le);
    byLe.set(bound, (byLe.get(bound) ?? 0) + Number(m[2]));
  }
  const buckets = [...byLe].sort((a, b) => a[0] - b[0]);
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let prevLe = 0, prevCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      if (count === prevCount) return le;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / (count - prevCount);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}
