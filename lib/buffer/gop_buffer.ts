/**
 * GOP buffer: the last N complete GOPs of every video track plus the GOP in progress, and
 * the audio access units covering the same time span (config `gop_buffer_size`). Every
 * buffered frame gets a global monotonic index, for the API's
 * `/api/v1/video/buffer/{id}` frame index and raw frames by index or PTS range.
 *
 * Invariants: each video track's buffer starts on a key frame (a whole GOP is dropped or
 * none); audio older than the oldest kept video GOP is trimmed. Over a byte or duration
 * budget the oldest whole GOP (of any video track) goes first. Counted drops, in frames:
 * "await_keyframe" (video before the first key frame of a track, or after its GOP was
 * dropped), "audio_out_of_window" (audio while no video GOP is buffered, or older than the
 * oldest one), "gop_evicted_bytes", "gop_evicted_duration", "gop_oversize" (the GOP in
 * progress alone exceeds maxBytes: dropped, the track waits for its next key frame).
 * Retiring GOPs beyond maxGops is normal rotation, reported in `evictedGops`, not a drop.
 *
 * Audio-only streams (no video track seen): the last `audioOnlyWindowMs` of each audio
 * track is kept (default maxGops seconds), under the same byte budget; rotation out of
 * the window is not a drop, the byte budget's evictions count "audio_evicted".
 *
 * Times compared across tracks or against a window are on the stream's output timeline
 * (`ptsMs`, lib/sync), which stays continuous across publisher sessions; the source
 * `pts`/`dts` (kept in the frame index as sent) restart with each session.
 *
 * Video frames may be views of reused slabs (lib/core/slabs.ts): a stored keyframe arms
 * its pool, dropping a track's oldest GOP gives back the slabs before its last frame's,
 * and a frame handed out by `frame` or `latestKeyframe` is pinned (its slab never reused).
 *
 * This file keeps the video GOPs and the budgets; the frame index and byte total are
 * lib/buffer/frame_index.ts, the audio lists lib/buffer/buffered_audio.ts.
 */
import type { FrameInfo } from "../codecs/h26x/au_info.ts";
import { arm, pin, releaseBefore, retire } from "../core/slabs.ts";
import type { AccessUnit, Counter } from "../core/types.ts";
import { BufferedAudio } from "./buffered_audio.ts";
import { type FrameEntry, FrameIndex, type FrameQuery, msOf, type Slot } from "./frame_index.ts";
import { GopDetector } from "./gop_detector.ts";

/** Default number of complete GOPs kept per video track (`gop_buffer_size`). */
export const DEFAULT_GOP_BUFFER_SIZE = 3;

/** Options of {@link GopBuffer}. */
export interface GopBufferOptions {
  /** Complete GOPs kept per video track; default 3. */
  maxGops?: number;
  /** Byte budget for everything buffered (video and audio). */
  maxBytes: number;
  /** Budget on the span from the oldest GOP start to the newest video frame, ms. */
  maxDurationMs?: number;
  count: Counter;
  /** Audio kept per track when the stream has no video, ms (default maxGops * 1000). */
  audioOnlyWindowMs?: number;
}

/** A buffered GOP. */
export interface BufferedGop {
  seq: number;
  trackId: number;
  startPts: number;
  /** First frame's time on the stream's output timeline, ms (compared across tracks). */
  startMs: number;
  bytes: number;
  closed: boolean;
  complete: boolean;
  slots: Slot[];
}

/** Keeps recent GOPs with their audio; see the module comment. */
export class GopBuffer {
  readonly #maxGops: number;
  readonly #o: GopBufferOptions;
  readonly #video = new Map<number, BufferedGop[]>();
  readonly #detectors = new Map<number, GopDetector>();
  readonly #awaiting = new Set<number>();
  readonly #index = new FrameIndex();
  readonly #audio = new BufferedAudio(this.#index);
  /** Newest video presentation time, ms (output timeline). */
  #newestMs = -Infinity;
  /** GOPs retired by rotation (beyond maxGops). */
  evictedGops = 0;
  /** Video frames in the GOPs retired by rotation. */
  evictedFrames = 0;

  constructor(opts: GopBufferOptions) {
    this.#maxGops = opts.maxGops ?? DEFAULT_GOP_BUFFER_SIZE;
    if (!(this.#maxGops >= 1) || !(opts.maxBytes > 0)) {
      throw new RangeError(
        `GopBuffer: maxGops must be >= 1 and maxBytes > 0, got ${this.#maxGops}, ${opts.maxBytes}`,
      );
    }
    this.#o = opts;
  }

  /** Bytes buffered (video and audio). */
  get bytes(): number {
    return this.#index.bytes;
  }

  /** GOPs buffered over all video tracks, the ones in progress included. */
  get gopCount(): number {
    let n = 0;
    for (const g of this.#video.values()) n += g.length;
    return n;
  }

  /** The GOP detector (and its statistics) of a video track. */
  detector(track: number): GopDetector | undefined {
    return this.#detectors.get(track);
  }

  /**
   * Buffered GOPs of a video track, oldest first. For looking at, not keeping: a frame is
   * valid until the next push (not pinned, lib/core/slabs.ts); `frame()` hands out to keep.
   */
  gops(track: number): readonly BufferedGop[] {
    return this.#video.get(track) ?? [];
  }

  /** Adds an access unit (video in decode order; audio by pts). Returns its index, if kept. */
  push(au: AccessUnit & FrameInfo): number | undefined {
    return au.kind === "video" ? this.#pushVideo(au) : this.#pushAudio(au);
  }

  /** Frame index entries, in index order. */
  frames(q: FrameQuery = {}): FrameEntry[] {
    return this.#index.frames(q);
  }

  /** The access unit of a frame index, while buffered (pinned: the caller may keep it). */
  frame(index: number): AccessUnit | undefined {
    const au = this.#index.frame(index);
    if (au) pin(au.data);
    return au;
  }

  /** The most recent buffered key frame of a video track (default: the first video track). */
  latestKeyframe(track?: number): AccessUnit | undefined {
    const au = this.#latestKeySlot(track)?.au;
    if (au) pin(au.data);
    return au;
  }

  /** The frame index of latestKeyframe(track), without handing the frame out. */
  latestKeyframeIndex(track?: number): number | undefined {
    return this.#latestKeySlot(track)?.index;
  }

  #latestKeySlot(track?: number): Slot | undefined {
    const t = track ?? this.#video.keys().next().value;
    const gops = t === undefined ? undefined : this.#video.get(t);
    return gops?.[gops.length - 1]?.slots[0];
  }

  /**
   * Drops the oldest complete GOP of any video track (global memory pressure), with
   * the audio before the new oldest start. Returns the bytes freed (0 when none).
   */
  shedOldest(): number {
    const victim = this.#oldestCompleteTrack();
    if (!victim) return 0;
    const before = this.#index.bytes;
    this.#o.count("gop_evicted_global", this.#dropGop(victim));
    this.#trimAudio(true);
    return before - this.#index.bytes;
  }

  /**
   * A new publisher session begins (lib/stream/stream.ts beginSession): the GOP in progress of
   * every video track is the old session's unfinished one, so it leaves the buffer with
   * the audio from its start on; the buffer then holds whole GOPs only and the next key
   * frame starts the new session's first GOP. Returns the frames removed.
   */
  trimIncomplete(): number {
    let n = 0;
    let cut = Infinity;
    for (const [t, gops] of this.#video) {
      this.#detectors.get(t)?.abandon();
      const g = gops[gops.length - 1];
      if (!g || g.complete) continue;
      gops.pop();
      if (g.startMs < cut) cut = g.startMs;
      for (const s of g.slots) this.#index.remove(s);
      n += g.slots.length;
    }
    return n + this.#audio.trimFrom(cut);
  }

  /**
   * The stream is removed: every frame leaves the buffer for good, and the slabs of its
   * video frames go spare once their input has ended (lib/core/slabs.ts retire). Frames
   * handed out before were pinned and keep their bytes. Returns the frames dropped.
   */
  discard(): number {
    let n = 0;
    for (const gops of this.#video.values()) {
      for (const g of gops) {
        for (const slot of g.slots) {
          retire(slot.au.data);
          this.#index.remove(slot);
        }
        n += g.slots.length;
      }
      gops.length = 0;
    }
    return n + this.#audio.trimFrom(-Infinity);
  }

  #pushVideo(au: AccessUnit & FrameInfo): number | undefined {
    const t = au.trackId;
    let det = this.#detectors.get(t);
    if (!det) {
      det = new GopDetector(t);
      this.#detectors.set(t, det);
      this.#video.set(t, []);
    }
    const step = det.push(au);
    const gops = this.#video.get(t)!;
    if (!step || (!step.start && this.#awaiting.has(t))) {
      this.#o.count("await_keyframe");
      return undefined;
    }
    if (step.start) {
      this.#awaiting.delete(t);
      arm(au.data); // this track's slabs hold buffered frames from here on (lib/core/slabs.ts)
      const prev = gops[gops.length - 1];
      if (prev) {
        prev.complete = true;
        if (step.ended) prev.closed = step.ended.closed;
      }
      gops.push({
        seq: step.gop.seq,
        trackId: t,
        startPts: au.pts,
        startMs: msOf(au),
        bytes: 0,
        closed: step.gop.closed,
        complete: false,
        slots: [],
      });
      while (gops.length > this.#maxGops + 1) {
        this.evictedFrames += this.#dropGop(gops);
        this.evictedGops++;
      }
    }
    const g = gops[gops.length - 1];
    g.closed = step.gop.closed;
    const slot = this.#index.add(au, step.gop.seq);
    g.slots.push(slot);
    g.bytes += slot.size;
    if (msOf(au) > this.#newestMs) this.#newestMs = msOf(au);
    this.#enforce(t);
    return this.#index.kept(slot);
  }

  #pushAudio(au: AccessUnit): number | undefined {
    if (this.#video.size === 0) return this.#pushAudioOnly(au);
    const start = this.#oldestStart();
    if (start === undefined || msOf(au) < start) {
      this.#o.count("audio_out_of_window");
      return undefined;
    }
    let gop = -1;
    for (const gops of this.#video.values()) {
      if (gops.length) gop = gops[gops.length - 1].seq;
      break;
    }
    const slot = this.#audio.insert(au, gop);
    this.#enforce(undefined);
    return this.#index.kept(slot);
  }

  /** Audio of a stream without video: a time window per track under the byte budget. */
  #pushAudioOnly(au: AccessUnit): number | undefined {
    const slot = this.#audio.insert(au, -1);
    this.#audio.keepWindow(au.trackId, this.#o.audioOnlyWindowMs ?? this.#maxGops * 1000);
    let evicted = 0;
    while (this.#index.bytes > this.#o.maxBytes && this.#audio.dropOldest()) evicted++;
    if (evicted) this.#o.count("audio_evicted", evicted);
    return this.#index.kept(slot);
  }

  /** Start of the oldest buffered video GOP over all tracks, ms (output timeline). */
  #oldestStart(): number | undefined {
    let min: number | undefined;
    for (const gops of this.#video.values()) {
      if (gops.length && (min === undefined || gops[0].startMs < min)) min = gops[0].startMs;
    }
    return min;
  }

  /** The video track whose oldest GOP is the oldest complete one. */
  #oldestCompleteTrack(): BufferedGop[] | undefined {
    let best: BufferedGop[] | undefined;
    for (const gops of this.#video.values()) {
      if (gops.length && gops[0].complete && (!best || gops[0].startMs < best[0].startMs)) {
        best = gops;
      }
    }
    return best;
  }

  /** Applies the byte and duration budgets; `track` is the video track just pushed. */
  #enforce(track: number | undefined): void {
    const maxDur = this.#o.maxDurationMs;
    let budgetDrop = false;
    for (;;) {
      const overBytes = this.#index.bytes > this.#o.maxBytes;
      const start = this.#oldestStart();
      const overDur = maxDur !== undefined && start !== undefined &&
        this.#newestMs - start > maxDur;
      if (!overBytes && !overDur) break;
      budgetDrop = true;
      const victim = this.#oldestCompleteTrack();
      if (victim) {
        const n = this.#dropGop(victim);
        this.#o.count(overBytes ? "gop_evicted_bytes" : "gop_evicted_duration", n);
        continue;
      }
      if (!overBytes) break;
      // only GOPs in progress remain: drop one (the pushing track's first) and wait for
      // that track's next key frame
      let t = track;
      if (t === undefined || !this.#video.get(t)?.length) {
        t = [...this.#video.entries()].find(([, g]) => g.length > 0)?.[0];
      }
      if (t === undefined) break;
      this.#o.count("gop_oversize", this.#dropGop(this.#video.get(t)!));
      this.#awaiting.add(t);
      this.#trimAudio(true);
    }
    this.#trimAudio(budgetDrop);
  }

  /**
   * Removes the oldest GOP of a track; returns its frame count. The track's frames before
   * its last one are now held by nobody unpinned: their slabs go back (lib/core/slabs.ts).
   */
  #dropGop(gops: BufferedGop[]): number {
    const g = gops.shift()!;
    for (const s of g.slots) this.#index.remove(s);
    const last = g.slots[g.slots.length - 1];
    if (last) releaseBefore(last.au.data);
    return g.slots.length;
  }

  /** Drops audio older than the oldest video GOP ("audio_evicted" when a budget caused it). */
  #trimAudio(counted: boolean): void {
    const n = this.#audio.trimBefore(this.#oldestStart());
    if (n && counted) this.#o.count("audio_evicted", n);
  }
}
