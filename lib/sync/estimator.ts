/**
 * Offset and drift of one track against its stream's reference clock: a windowed
 * least-squares line through samples (x = reference time, y = media time - reference
 * time, both ms). The slope is the drift (x 1e6 = ppm, + = the track's clock runs fast),
 * the line at the newest x is the offset, the spread of the residuals the jitter.
 *
 * Robust to jitter and late packets: the fit is repeated without samples whose residual
 * lies beyond `outlierK` robust standard deviations (1.4826 x median absolute deviation).
 * A step (the newest samples all on one side of the line, far beyond the spread) restarts
 * the window at the step so the offset follows within a second instead of a window.
 *
 * Memory is bounded: at most `maxSamples` samples (ring buffer); samples closer together
 * than windowMs / maxSamples are averaged into one; samples older than `windowMs` leave
 * the window.
 */

/** Options of {@link DriftEstimator}. */
export interface EstimatorOptions {
  /** Sliding window, ms of reference time (default 60 s). */
  windowMs?: number;
  /** Cap on samples held (default 2048). */
  maxSamples?: number;
  /** Residuals beyond this many robust standard deviations are outliers (default 4). */
  outlierK?: number;
  /** Floor of the robust deviation used for rejection, ms (default 1). */
  minSigmaMs?: number;
  /** The fit is refreshed at most this often, ms of reference time (default 250). */
  refreshMs?: number;
}

/** One fit of the window. */
export interface Fit {
  /** Drift, ppm (+ = media clock fast against the reference). */
  driftPpm: number;
  /** Line value at `x`, ms. */
  offsetMs: number;
  /** Reference time the offset is taken at (the newest sample), ms. */
  x: number;
  /** Standard deviation of the kept residuals, ms. */
  jitterMs: number;
  /** Samples kept by the fit (outliers excluded). */
  samples: number;
  /** Reference time spanned by the window, ms. */
  spanMs: number;
}

/** Samples needed before an offset is reported. */
export const MIN_OFFSET_SAMPLES = 8;
/** Span needed before an offset is reported, ms. */
export const MIN_OFFSET_SPAN_MS = 500;
/** Span needed before a drift is reported, ms (a slope over less is mostly jitter). */
export const MIN_DRIFT_SPAN_MS = 5000;
/** Newest samples on one side of the line that make a step. */
const STEP_SAMPLES = 10;
/** A step is at least this far from the line, ms. */
const STEP_MIN_MS = 15;

/** Windowed least squares with outlier rejection; see the module doc. */
export class DriftEstimator {
  readonly #window: number;
  readonly #cap: number;
  readonly #k: number;
  readonly #minSigma: number;
  readonly #refresh: number;
  readonly #spacing: number;
  readonly #xs: Float64Array;
  readonly #ys: Float64Array;
  /** Residuals of the last line, by window index (scratch, reused per fit). */
  readonly #res: Float64Array;
  /** Absolute residuals for the median (scratch; quickselect reorders it). */
  readonly #abs: Float64Array;
  readonly #keep: Uint8Array;
  #head = 0;
  #n = 0;
  /** The newest sample is a bin: its first x, count and sums. */
  #binX = -Infinity;
  #binN = 0;
  #binSumX = 0;
  #binSumY = 0;
  #fit: Fit | undefined;
  #fitAt = -Infinity;
  #dirty = false;
  /** Steps detected (the window restarted at a jump of the offset). */
  steps = 0;

  constructor(o: EstimatorOptions = {}) {
    this.#window = o.windowMs ?? 60_000;
    this.#cap = Math.max(16, o.maxSamples ?? 2048);
    this.#k = o.outlierK ?? 4;
    this.#minSigma = o.minSigmaMs ?? 1;
    this.#refresh = o.refreshMs ?? 250;
    this.#spacing = this.#window / this.#cap;
    this.#xs = new Float64Array(this.#cap);
    this.#ys = new Float64Array(this.#cap);
    this.#res = new Float64Array(this.#cap);
    this.#abs = new Float64Array(this.#cap);
    this.#keep = new Uint8Array(this.#cap);
  }

  /** Samples in the window. */
  get size(): number {
    return this.#n;
  }

  /** Forgets every sample. */
  reset(): void {
    this.#head = 0;
    this.#n = 0;
    this.#fit = undefined;
    this.#fitAt = -Infinity;
    this.#dirty = false;
  }

  #at(i: number): number {
    return (this.#head + i) % this.#cap;
  }

  /** Adds a sample; x must not go backwards (a reference jump needs reset()). */
  add(x: number, y: number): void {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    if (this.#n > 0) {
      const li = this.#at(this.#n - 1);
      const last = this.#xs[li];
      if (x < last) return;
      if (x - this.#binX < this.#spacing) {
        // closer than the spacing: averaged into the newest sample (a bin)
        this.#binN++;
        this.#binSumX += x;
        this.#binSumY += y;
        this.#xs[li] = this.#binSumX / this.#binN;
        this.#ys[li] = this.#binSumY / this.#binN;
        this.#dirty = true;
        return;
      }
    }
    this.#binX = x;
    this.#binN = 1;
    this.#binSumX = x;
    this.#binSumY = y;
    if (this.#n === this.#cap) {
      this.#head = (this.#head + 1) % this.#cap;
      this.#n--;
    }
    const i = this.#at(this.#n);
    this.#xs[i] = x;
    this.#ys[i] = y;
    this.#n++;
    while (this.#n > 0 && x - this.#xs[this.#head] > this.#window) {
      this.#head = (this.#head + 1) % this.#cap;
      this.#n--;
    }
    this.#dirty = true;
  }

  /** The current fit (refreshed at most every refreshMs of x), or undefined when empty. */
  fit(): Fit | undefined {
    if (this.#n === 0) return undefined;
    const newest = this.#xs[this.#at(this.#n - 1)];
    if (this.#dirty && (newest - this.#fitAt >= this.#refresh || this.#fit === undefined)) {
      this.#fit = this.#compute();
      this.#fitAt = newest;
      this.#dirty = false;
    }
    return this.#fit;
  }

  /** The fit's offset when measurable (enough samples and span), else undefined. */
  offset(): Fit | undefined {
    const f = this.fit();
    return f && f.samples >= MIN_OFFSET_SAMPLES && f.spanMs >= MIN_OFFSET_SPAN_MS ? f : undefined;
  }

  #compute(): Fit {
    const n = this.#n;
    const keep = this.#keep.fill(1, 0, n);
    let line = this.#line(keep);
    // Two rounds of rejection: the first fit may be pulled by the outliers it rejects.
    for (let round = 0; round < 2 && line; round++) {
      const res = this.#residuals(line);
      const sigma = Math.max(this.#minSigma, 1.4826 * this.#madOf(0, n));
      let changed = false;
      for (let i = 0; i < n; i++) {
        const k = Math.abs(res[i]) <= this.#k * sigma ? 1 : 0;
        if (k !== keep[i]) changed = true;
        keep[i] = k;
      }
      if (!changed) break;
      line = this.#line(keep) ?? line;
    }
    if (line && this.#step(line)) {
      this.steps++;
      keep.fill(1);
      line = this.#line(keep);
    }
    const x = this.#xs[this.#at(this.#n - 1)];
    const first = this.#xs[this.#head];
    if (!line) {
      // One sample (or all at one x): offset only.
      let sum = 0;
      for (let i = 0; i < this.#n; i++) sum += this.#ys[this.#at(i)];
      return {
        driftPpm: 0,
        offsetMs: sum / this.#n,
        x,
        jitterMs: 0,
        samples: this.#n,
        spanMs: x - first,
      };
    }
    let ss = 0;
    let kept = 0;
    const res = this.#residuals(line);
    for (let i = 0; i < n; i++) {
      if (!keep[i]) continue;
      ss += res[i] * res[i];
      kept++;
    }
    return {
      driftPpm: line.slope * 1e6,
      offsetMs: line.mean + line.slope * (x - line.xMean),
      x,
      jitterMs: kept > 2 ? Math.sqrt(ss / (kept - 2)) : 0,
      samples: kept,
      spanMs: x - first,
    };
  }

  /** Least squares through the kept samples (centred on their mean x). */
  #line(keep: Uint8Array): { slope: number; xMean: number; mean: number } | undefined {
    let n = 0, sx = 0, sy = 0;
    for (let i = 0; i < this.#n; i++) {
      if (!keep[i]) continue;
      const j = this.#at(i);
      sx += this.#xs[j];
      sy += this.#ys[j];
      n++;
    }
    if (n < 2) return undefined;
    const xMean = sx / n, mean = sy / n;
    let sxx = 0, sxy = 0;
    for (let i = 0; i < this.#n; i++) {
      if (!keep[i]) continue;
      const j = this.#at(i);
      const dx = this.#xs[j] - xMean;
      sxx += dx * dx;
      sxy += dx * (this.#ys[j] - mean);
    }
    if (sxx <= 0) return undefined;
    return { slope: sxy / sxx, xMean, mean };
  }

  /** Residuals of the window's samples against `l`, by window index (into #res). */
  #residuals(l: { slope: number; xMean: number; mean: number }): Float64Array {
    const out = this.#res;
    for (let i = 0; i < this.#n; i++) {
      const j = this.#at(i);
      out[i] = this.#ys[j] - (l.mean + l.slope * (this.#xs[j] - l.xMean));
    }
    return out;
  }

  /** Median absolute residual of window indexes [from, to) (after #residuals). */
  #madOf(from: number, to: number): number {
    const a = this.#abs;
    for (let i = from; i < to; i++) a[i - from] = Math.abs(this.#res[i]);
    return medianInPlace(a, to - from);
  }

  /**
   * True (and the window restarted at the step) when the newest STEP_SAMPLES samples all
   * lie on one side of the line, farther than max(4 sigma, STEP_MIN_MS).
   */
  #step(l: { slope: number; xMean: number; mean: number }): boolean {
    if (this.#n < STEP_SAMPLES * 3) return false;
    const n = this.#n;
    const res = this.#residuals(l);
    const sigma = Math.max(this.#minSigma, 1.4826 * this.#madOf(0, n - STEP_SAMPLES));
    const bound = Math.max(4 * sigma, STEP_MIN_MS);
    const sign = Math.sign(res[n - STEP_SAMPLES]);
    for (let i = n - STEP_SAMPLES; i < n; i++) {
      if (Math.sign(res[i]) !== sign || Math.abs(res[i]) <= bound) return false;
    }
    // Keep from the first sample of the run beyond the bound.
    let from = n - STEP_SAMPLES;
    while (from > 0 && Math.sign(res[from - 1]) === sign && Math.abs(res[from - 1]) > bound) {
      from--;
    }
    this.#head = this.#at(from);
    this.#n -= from;
    return true;
  }
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
