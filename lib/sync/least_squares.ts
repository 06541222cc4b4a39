/**
 * The arithmetic of the drift estimator's robust line fit (lib/sync/estimator.ts): least
 * squares over the kept samples of a window, residuals, the median absolute residual by
 * quickselect, and the scratch arrays they work in. No state of its own beyond the shared
 * scratch; the window, rejection rounds and step rule are the estimator's.
 */

/** A fitted line, centred on the mean x of its samples. */
export interface Line {
  slope: number;
  xMean: number;
  mean: number;
}

/**
 * Working arrays of one fit: the window unrolled oldest first, residuals, absolute
 * residuals (quickselect reorders them) and the kept flags. Fits run one at a time on
 * the one JS thread, so every estimator shares one set, grown to the largest window.
 */
export interface Scratch {
  xs: Float64Array;
  ys: Float64Array;
  res: Float64Array;
  abs: Float64Array;
  keep: Uint8Array;
}

let scratch: Scratch | undefined;

export function scratchFor(n: number): Scratch {
  if (!scratch || scratch.xs.length < n) {
    const m = Math.max(n, 2048);
    scratch = {
      xs: new Float64Array(m),
      ys: new Float64Array(m),
      res: new Float64Array(m),
      abs: new Float64Array(m),
      keep: new Uint8Array(m),
    };
  }
  return scratch;
}

/** Least squares through the kept samples of window indexes [from, n). */
export function fitLine(w: Scratch, n: number, from = 0): Line | undefined {
  const { xs, ys, keep } = w;
  let k = 0, sx = 0, sy = 0;
  for (let i = from; i < n; i++) {
    if (!keep[i]) continue;
    sx += xs[i];
    sy += ys[i];
    k++;
  }
  if (k < 2) return undefined;
  const xMean = sx / k, mean = sy / k;
  let sxx = 0, sxy = 0;
  for (let i = from; i < n; i++) {
    if (!keep[i]) continue;
    const dx = xs[i] - xMean;
    sxx += dx * dx;
    sxy += dx * (ys[i] - mean);
  }
  if (sxx <= 0) return undefined;
  return { slope: sxy / sxx, xMean, mean };
}

/** The line's value at `x`. */
export function lineAt(l: Line, x: number): number {
  return l.mean + l.slope * (x - l.xMean);
}

/** Residuals of window indexes [0, n) against `l` (into w.res). */
export function residuals(w: Scratch, n: number, l: Line): Float64Array {
  const { xs, ys, res } = w;
  for (let i = 0; i < n; i++) res[i] = ys[i] - lineAt(l, xs[i]);
  return res;
}

/** True when every residual of `res[from, to)` lies beyond `bound`, all on one side. */
export function oneSideBeyond(res: Float64Array, from: number, to: number, bound: number): boolean {
  const sign = Math.sign(res[from]);
  for (let i = from; i < to; i++) {
    if (Math.sign(res[i]) !== sign || Math.abs(res[i]) <= bound) return false;
  }
  return true;
}

/** Median absolute residual of window indexes [0, to) (after residuals). */
export function madOf(w: Scratch, to: number): number {
  const { abs, res } = w;
  for (let i = 0; i < to; i++) abs[i] = Math.abs(res[i]);
  return medianInPlace(abs, to);
}

/** Median of a list (copied, not changed); 0 when empty. */
export function median(v: number[]): number {
  return medianInPlace(Float64Array.from(v), v.length);
}

/**
 * Median of `a[0, n)` by quickselect (Hoare, middle pivot): O(n), no allocation; the
 * elements are reordered. 0 when n is 0.
 */
export function medianInPlace(a: Float64Array, n: number): number {
  if (n <= 0) return 0;
  const m = n >> 1;
  const hi = select(a, n, m);
  if (n % 2) return hi;
  // the lower middle is the largest of a[0, m) once a[m] is in place
  let lo = a[0];
  for (let i = 1; i < m; i++) if (a[i] > lo) lo = a[i];
  return (lo + hi) / 2;
}

/** Reorders a[0, n) so that a[k] is the k-th smallest, a[0, k) <= a[k] <= a(k, n). */
function select(a: Float64Array, n: number, k: number): number {
  let left = 0, right = n - 1;
  while (right > left) {
    const pivot = a[(left + right) >> 1];
    let i = left, j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return a[k];
}
