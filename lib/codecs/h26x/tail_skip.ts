/**
 * When the Annex B assembler may leave the rest of a PES payload unscanned.
 *
 * Muxers put one access unit in each video PES, starting at the payload's first byte
 * (ffmpeg's and GStreamer's do: the captures in tests/fixtures/ts). Then everything an
 * access unit needs from its NAL headers (AUD, parameter sets, SEI, the first slice's
 * header) lies before its first slice, and the next access unit starts with the next PES.
 * Slice data is almost all of the bytes, so the start-code scan of the slices is half the
 * cost of the TS path (bench/README.md, the TS path's floor). H.222.0 2.4.3.7 still
 * allows several access units in one PES (its PTS is the first one's), so the skip is
 * earned and checked:
 * - the first {@link TRUST_PES} PES with timestamps are scanned whole, and every
 *   {@link CHECK_EVERY}th one after them;
 * - a skipped tail is scanned after all (before its unit is emitted) when the next PES
 *   has no timestamp, or its DTS is not 0 < gap < 1.5 x the least of the last
 *   {@link GAP_HISTORY} gaps: a PES holding two pictures of a constant-rate stream is
 *   followed by a gap of two frame durations;
 * - a unit found starting inside a PES turns the skip off for the track's life.
 * The limit: a variable-rate stream that only now and then packs two pictures into one
 * PES, whose gap stays under 1.5x the least gap, has them as one unit until a sampled PES
 * shows a second picture (no sender seen does this; the full scan would cut them).
 * Otherwise the assembler's units are the same with or without the skip
 * (tests/unit/codecs/h26x/tail_skip_test.ts).
 */

/** PES with timestamps scanned whole before the first tail is skipped. */
export const TRUST_PES = 8;
/** After that, one PES in this many is scanned whole. */
export const CHECK_EVERY = 16;
/** DTS gaps remembered for the reference gap. */
export const GAP_HISTORY = 32;

/** Per-track skip policy of the assembler; see the module comment. */
export class TailSkip {
  /** A unit started inside a PES: scan everything from now on. */
  #off = false;
  #pes = 0;
  #prevDts: number | undefined;
  readonly #gaps = new Float64Array(GAP_HISTORY);
  #gapCount = 0;
  /** Bytes left unscanned, and skipped tails scanned after all. */
  skippedBytes = 0;
  rescans = 0;

  constructor(private readonly enabled = true) {}

  /** False once a PES held more than one unit (or when built disabled). */
  get on(): boolean {
    return this.enabled && !this.#off;
  }

  /** A unit began inside a PES payload. */
  turnOff(): void {
    this.#off = true;
  }

  /**
   * A PES with timestamps begins, DTS `dts` (90 kHz). Returns whether the gap from the
   * previous such PES is regular (the previous PES held one unit, if the stream's rate is
   * constant), and records the gap.
   */
  next(dts: number): boolean {
    this.#pes++;
    const prev = this.#prevDts;
    this.#prevDts = dts;
    if (prev === undefined) return false;
    const gap = dts - prev;
    if (!(gap > 0)) return false;
    let ref = Infinity;
    const n = Math.min(this.#gapCount, GAP_HISTORY);
    for (let i = 0; i < n; i++) if (this.#gaps[i] < ref) ref = this.#gaps[i];
    this.#gaps[this.#gapCount++ % GAP_HISTORY] = gap;
    return n > 0 && gap * 2 < ref * 3;
  }

  /** May the PES that {@link next} just announced have its tail skipped? */
  get mayskip(): boolean {
    return this.on && this.#pes > TRUST_PES && this.#pes % CHECK_EVERY !== 0;
  }
}
