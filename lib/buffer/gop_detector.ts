/**
 * GOP detection for one video track, fed access units in decode order. A GOP runs from
 * one random access point (AccessUnit.key) to the next.
 *
 * Closed vs open (H.264 8.2.1 / D.2.8; H.265 7.4.2.2, 8.1.3 NoRaslOutputFlag):
 * - an IDR starts a closed GOP;
 * - an H.264 recovery point SEI on an I picture starts an open GOP;
 * - an H.265 CRA or BLA starts a GOP that is closed until a RASL picture (types 8, 9)
 *   follows it, which references pictures before the CRA: then the GOP is open.
 * Without an explicit `rap` kind (e.g. AV1, JPEG XS) every key frame starts a closed GOP.
 */
import type { FrameInfo, RapKind } from "../codecs/h26x/au_info.ts";
import type { AccessUnit } from "../core/types.ts";

/** One GOP as the detector saw it. */
export interface GopSummary {
  /** Sequence number within the track, from 0. */
  seq: number;
  trackId: number;
  /** Random access point kind that started it ("idr" when unknown). */
  rap: RapKind;
  /** PTS of the key frame, ticks. */
  startPts: number;
  /** Frames so far (all of them once complete). */
  frames: number;
  bytes: number;
  /** Duration in ticks: to the next GOP's start once complete, else the PTS span so far. */
  duration: number;
  /** False for an open GOP (see the module comment). */
  closed: boolean;
  /** True once the next GOP has started. */
  complete: boolean;
}

/** What one access unit did to the GOP structure. */
export interface GopStep {
  /** GOP the unit belongs to. */
  gop: GopSummary;
  /** True when this unit started a new GOP. */
  start: boolean;
  /** The GOP that this unit's start completed. */
  ended?: GopSummary;
}

/** Per-track GOP statistics. */
export interface GopStats {
  /** GOPs started. */
  gops: number;
  openGops: number;
  /** Frames seen before the first key frame. */
  framesBeforeKey: number;
  lastLengthFrames: number;
  avgLengthFrames: number;
  /** Ticks of the track clock. */
  lastDuration: number;
  avgDuration: number;
}

/** Detects GOP boundaries and keeps statistics for one video track. */
export class GopDetector {
  #cur: GopSummary | undefined;
  #minPts = 0;
  #maxPts = 0;
  #lastPts = 0;
  #step = 0; // smallest positive pts step within the GOP, ticks
  #completed = 0;
  #sumFrames = 0;
  #sumDuration = 0;
  readonly stats: GopStats = {
    gops: 0,
    openGops: 0,
    framesBeforeKey: 0,
    lastLengthFrames: 0,
    avgLengthFrames: 0,
    lastDuration: 0,
    avgDuration: 0,
  };

  constructor(readonly trackId: number) {}

  /** The GOP in progress, if any. */
  get current(): GopSummary | undefined {
    return this.#cur;
  }

  /** Feeds one access unit; undefined while waiting for the first key frame. */
  push(au: AccessUnit & FrameInfo): GopStep | undefined {
    const size = au.data.length;
    if (au.key) {
      const ended = this.#cur;
      if (ended) this.#finish(ended, au.pts);
      const rap = au.rap ?? "idr";
      const gop: GopSummary = {
        seq: this.stats.gops++,
        trackId: this.trackId,
        rap,
        startPts: au.pts,
        frames: 1,
        bytes: size,
        duration: 0,
        closed: rap !== "recovery",
        complete: false,
      };
      if (!gop.closed) this.stats.openGops++;
      this.#cur = gop;
      this.#minPts = this.#maxPts = this.#lastPts = au.pts;
      this.#step = 0;
      return { gop, start: true, ended };
    }
    const gop = this.#cur;
    if (!gop) {
      this.stats.framesBeforeKey++;
      return undefined;
    }
    gop.frames++;
    gop.bytes += size;
    if (au.rasl && gop.closed && (gop.rap === "cra" || gop.rap === "bla")) {
      gop.closed = false;
      this.stats.openGops++;
    }
    const d = Math.abs(au.pts - this.#lastPts);
    if (d > 0 && (this.#step === 0 || d < this.#step)) this.#step = d;
    this.#lastPts = au.pts;
    if (au.pts < this.#minPts) this.#minPts = au.pts;
    if (au.pts > this.#maxPts) this.#maxPts = au.pts;
    gop.duration = this.#maxPts - this.#minPts + this.#step;
    return { gop, start: false };
  }

  /** Marks the GOP in progress complete (end of stream) and returns it. */
  flush(): GopSummary | undefined {
    const g = this.#cur;
    if (g) this.#finish(g, undefined);
    this.#cur = undefined;
    return g;
  }

  /**
   * Forgets the GOP in progress without completing it (its publisher went away mid-GOP):
   * it does not enter the length statistics and the next key frame starts afresh.
   */
  abandon(): void {
    this.#cur = undefined;
  }

  #finish(g: GopSummary, nextStart: number | undefined): void {
    if (nextStart !== undefined && nextStart > g.startPts) g.duration = nextStart - g.startPts;
    g.complete = true;
    const s = this.stats;
    this.#completed++;
    this.#sumFrames += g.frames;
    this.#sumDuration += g.duration;
    s.lastLengthFrames = g.frames;
    s.lastDuration = g.duration;
    s.avgLengthFrames = this.#sumFrames / this.#completed;
    s.avgDuration = this.#sumDuration / this.#completed;
  }
}
