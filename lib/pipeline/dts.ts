/**
 * Decode timestamps for streams that carry only presentation times (RTP, RFC 6184 /
 * RFC 7798: the RTP timestamp is the PTS; frames arrive in decode order).
 *
 * Method (sorted-window, no added latency): with a reorder depth of R frames, the DTS of
 * the n-th frame in decode order is the (n-R)-th smallest PTS of the stream (true for any
 * encoder whose decode delay is R frames, ISO/IEC 14496-10 C.4 / H.265 C.5: x264 and x265
 * write exactly this). The deriver keeps the not-yet-used PTS values in a sorted window;
 * once it holds more than R values, the smallest is popped and is the frame's DTS. For the
 * first R frames it extrapolates backwards by the frame duration (the smallest positive
 * PTS step seen, at most `defaultDuration`).
 *
 * Guarantees: DTS never decreases and is never above the frame's PTS while the stream's
 * reorder depth is at most R. A frame whose PTS lies below the last DTS shows a deeper
 * reorder: R grows by one (up to {@link MAX_REORDER_DEPTH}, counted "dts_reorder_grown")
 * and that frame repeats the last DTS (the one case where dts > pts). A PTS jump of more
 * than `resetTicks` restarts the deriver (counted "dts_reset").
 * Give `reorderDepth` from the SPS when known (H.264 VUI max_num_reorder_frames, H.265
 * sps_max_num_reorder_pics); the default 2 covers x264/x265 defaults.
 */
import type { Counter } from "../core/types.ts";

/** Cap on the reorder window, frames (H.264 allows at most 16 reordered frames). */
export const MAX_REORDER_DEPTH = 16;

/** Options of {@link DtsDeriver}. */
export interface DtsDeriverOptions {
  /** Clock of the timestamps, Hz. */
  clockRate: number;
  /** Initial reorder depth in frames; default 2. */
  reorderDepth?: number;
  /** Frame duration in ticks until one is measured; default clockRate / 30. */
  defaultDuration?: number;
  /** A PTS step larger than this (either way) restarts the deriver; default 10 s. */
  resetTicks?: number;
  count?: Counter;
}

/** Derives monotonic DTS from PTS in decode order; see the module comment. */
export class DtsDeriver {
  #r: number;
  readonly #defaultDuration: number;
  readonly #resetTicks: number;
  readonly #count: Counter;
  #window: number[] = []; // sorted ascending, unused pts values
  #lastPopped: number | undefined;
  #prevPts: number | undefined;
  #prevDts: number | undefined;
  #duration: number | undefined;

  constructor(opts: DtsDeriverOptions) {
    this.#r = Math.min(MAX_REORDER_DEPTH, Math.max(0, opts.reorderDepth ?? 2));
    this.#defaultDuration = opts.defaultDuration ?? Math.round(opts.clockRate / 30);
    this.#resetTicks = opts.resetTicks ?? opts.clockRate * 10;
    this.#count = opts.count ?? (() => {});
  }

  /** Current reorder depth, frames. */
  get reorderDepth(): number {
    return this.#r;
  }

  /** Frame duration in use, ticks. */
  get frameDuration(): number {
    return this.#duration ?? this.#defaultDuration;
  }

  /** Returns the DTS of the next frame in decode order, given its PTS (integer ticks). */
  push(pts: number): number {
    if (this.#prevPts !== undefined && Math.abs(pts - this.#prevPts) > this.#resetTicks) {
      this.#count("dts_reset");
      this.reset();
    }
    this.#prevPts = pts;
    this.#insert(pts);
    const prev = this.#prevDts;
    if (prev !== undefined && pts < prev) {
      if (this.#r < MAX_REORDER_DEPTH) {
        this.#r++;
        this.#count("dts_reorder_grown");
      }
      this.#trimWindow();
      return prev;
    }
    const w = this.#window;
    let cand: number;
    if (w.length > this.#r) {
      cand = w.shift()!;
      this.#lastPopped = cand;
    } else {
      // warm-up: never step by more than defaultDuration (the first steps seen may span
      // reordered frames and overstate the frame duration)
      const step = Math.min(this.frameDuration, this.#defaultDuration);
      cand = w[0] - (this.#r - w.length + 1) * step;
    }
    let dts = cand > pts ? pts : cand;
    if (prev !== undefined && dts < prev) dts = prev;
    this.#prevDts = dts;
    return dts;
  }

  /** Forgets all state (after a discontinuity). */
  reset(): void {
    this.#window = [];
    this.#lastPopped = undefined;
    this.#prevPts = undefined;
    this.#prevDts = undefined;
  }

  #insert(pts: number): void {
    const w = this.#window;
    let i = w.length;
    while (i > 0 && w[i - 1] > pts) i--;
    w.splice(i, 0, pts);
    // frame duration: the smallest positive step between neighbours (incl. the last popped)
    const lo = i > 0 ? w[i - 1] : this.#lastPopped;
    const hi = i + 1 < w.length ? w[i + 1] : undefined;
    for (const step of [lo === undefined ? 0 : pts - lo, hi === undefined ? 0 : hi - pts]) {
      if (step > 0 && (this.#duration === undefined || step < this.#duration)) {
        this.#duration = step;
      }
    }
    this.#trimWindow();
  }

  #trimWindow(): void {
    // bound the window: never more than MAX_REORDER_DEPTH + 1 values
    while (this.#window.length > MAX_REORDER_DEPTH + 1) {
      this.#lastPopped = this.#window.shift();
    }
  }
}
