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
 *
 * Cost is bounded too. The robust fit reads the whole window about ten times (least
 * squares, residuals, three medians): ~60 us for a full 60 s window, and two tracks per
 * stream refreshing every 250 ms made it ~15% of the whole MPEG-TS ingest path
 * (bench/README.md). So the window is refitted when the samples added since the last fit
 * span REFIT_FRACTION of it (every 250 ms up to a 4 s span, every 3.75 s at 60 s: by then
 * they weigh 1/16 of the fit), or at once when the newest samples look like a step
 * against the last line; the refreshes in between carry the last line to the newest
 * sample (offset, x and span move; drift, jitter and sample count are the last fit's).
 */

import {
  fitLine,
  type Line,
  lineAt,
  madOf,
  oneSideBeyond,
  residuals,
  type Scratch,
  scratchFor,
} from "./least_squares.ts";

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
/** The window is refitted once the samples since the last fit span this share of it. */
export const REFIT_FRACTION = 1 / 16;

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
  /** The last full fit: its line, its x and the distance from the line a step needs. */
  #line: Line | undefined;
  /** Residuals of the newest STEP_SAMPLES against #line (#stepLikely's scratch). */
  readonly #newest = new Float64Array(STEP_SAMPLES);
  #fullAt = -Infinity;
  #stepBound = Infinity;
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
    this.#line = undefined;
    this.#fullAt = -Infinity;
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
    const last = this.#fit;
    if (this.#dirty && (newest - this.#fitAt >= this.#refresh || last === undefined)) {
      const line = this.#line;
      if (
        last === undefined || line === undefined || this.#n < STEP_SAMPLES * 3 ||
        newest - this.#fullAt >= Math.max(this.#refresh, last.spanMs * REFIT_FRACTION) ||
        this.#stepLikely(line)
      ) {
        this.#fit = this.#compute();
        this.#fullAt = newest;
      } else {
        this.#fit = {
          ...last,
          offsetMs: lineAt(line, newest),
          x: newest,
          spanMs: newest - this.#xs[this.#head],
        };
      }
      this.#fitAt = newest;
      this.#dirty = false;
    }
    return this.#fit;
  }

  /** The newest STEP_SAMPLES samples all on one side of `l`, beyond the last fit's bound. */
  #stepLikely(l: Line): boolean {
    const r = this.#newest;
    for (let i = 0; i < STEP_SAMPLES; i++) {
      const j = this.#at(this.#n - STEP_SAMPLES + i);
      r[i] = this.#ys[j] - lineAt(l, this.#xs[j]);
    }
    return oneSideBeyond(r, 0, STEP_SAMPLES, this.#stepBound);
  }

  /** The fit's offset when measurable (enough samples and span), else undefined. */
  offset(): Fit | undefined {
    const f = this.fit();
    return f && f.samples >= MIN_OFFSET_SAMPLES && f.spanMs >= MIN_OFFSET_SPAN_MS ? f : undefined;
  }

  #compute(): Fit {
    const n = this.#n;
    const w = scratchFor(n);
    // the window, oldest first, into the linear scratch (two copies: the ring may wrap)
    const tail = Math.min(n, this.#cap - this.#head);
    w.xs.set(this.#xs.subarray(this.#head, this.#head + tail));
    w.ys.set(this.#ys.subarray(this.#head, this.#head + tail));
    if (tail < n) {
      w.xs.set(this.#xs.subarray(0, n - tail), tail);
      w.ys.set(this.#ys.subarray(0, n - tail), tail);
    }
    const keep = w.keep.fill(1, 0, n);
    // w.res holds the residuals of `resLine` (not computed again for the same line)
    let resLine: Line | undefined;
    const resOf = (l: Line) => l === resLine ? w.res : residuals(w, n, resLine = l);
    let line = fitLine(w, n);
    // Two rounds of rejection: the first fit may be pulled by the outliers it rejects.
    for (let round = 0; round < 2 && line; round++) {
      const res = resOf(line);
      const sigma = Math.max(this.#minSigma, 1.4826 * madOf(w, n));
      const bound = this.#k * sigma;
      let changed = false;
      for (let i = 0; i < n; i++) {
        const k = Math.abs(res[i]) <= bound ? 1 : 0;
        if (k !== keep[i]) changed = true;
        keep[i] = k;
      }
      if (!changed) break;
      line = fitLine(w, n) ?? line;
    }
    let from = 0;
    this.#stepBound = Infinity;
    if (line) {
      from = this.#step(w, n, resOf(line));
      if (from > 0) {
        this.steps++;
        keep.fill(1, from, n);
        line = fitLine(w, n, from);
      }
    }
    this.#line = line;
    const x = w.xs[n - 1];
    const first = w.xs[from];
    if (!line) {
      // One sample (or all at one x): offset only.
      let sum = 0;
      for (let i = from; i < n; i++) sum += w.ys[i];
      return {
        driftPpm: 0,
        offsetMs: sum / (n - from),
        x,
        jitterMs: 0,
        samples: n - from,
        spanMs: x - first,
      };
    }
    let ss = 0;
    let kept = 0;
    const res = resOf(line);
    for (let i = from; i < n; i++) {
      if (!keep[i]) continue;
      ss += res[i] * res[i];
      kept++;
    }
    return {
      driftPpm: line.slope * 1e6,
      offsetMs: lineAt(line, x),
      x,
      jitterMs: kept > 2 ? Math.sqrt(ss / (kept - 2)) : 0,
      samples: kept,
      spanMs: x - first,
    };
  }

  /**
   * Window index where a step starts (the window restarted there), or 0 when the newest
   * STEP_SAMPLES samples do not all lie on one side of the line, farther than
   * max(4 sigma, STEP_MIN_MS). `res`: the window's residuals against the line (w.res).
   */
  #step(w: Scratch, n: number, res: Float64Array): number {
    if (n < STEP_SAMPLES * 3) return 0;
    const sigma = Math.max(this.#minSigma, 1.4826 * madOf(w, n - STEP_SAMPLES));
    const bound = this.#stepBound = Math.max(4 * sigma, STEP_MIN_MS);
    if (!oneSideBeyond(res, n - STEP_SAMPLES, n, bound)) return 0;
    const sign = Math.sign(res[n - STEP_SAMPLES]);
    // Keep from the first sample of the run beyond the bound.
    let from = n - STEP_SAMPLES;
    while (from > 0 && Math.sign(res[from - 1]) === sign && Math.abs(res[from - 1]) > bound) {
      from--;
    }
    this.#head = this.#at(from);
    this.#n -= from;
    return from;
  }
}
