/**
 * A stream's A/V synchronisation: one output timeline for all its tracks, offset and drift
 * of each track against the stream's reference clock, and gradual correction. Every frame
 * passes through `frame()` on its way from Stream.pushFrame to the frame store and leaves
 * with `ptsMs`/`dtsMs` on the output timeline (ms, starting near 0).
 *
 * The parts: lib/sync/timeline.ts chooses the reference (pcr, rtcp, arrival), places each
 * frame on the timeline (rebases at discontinuities and new sessions) and feeds the
 * per-track estimators; lib/sync/correction.ts decides and applies the correction (target
 * relation, threshold, manual offsets, sync state) and stamps the output; lib/sync/status.ts
 * builds the API status. Types and events are in lib/sync/types.ts.
 */
import type { AccessUnit } from "../core/types.ts";
import { SyncCorrector } from "./correction.ts";
import type { Reference, SrMapping } from "./reference.ts";
import { type SyncStatus, syncStatus } from "./status.ts";
import { SyncTimeline } from "./timeline.ts";
import type { TrackClock } from "./track_clock.ts";
import type { Emit, StreamSyncOptions, SyncCorrections, SyncState } from "./types.ts";

/** One stream's synchronisation state; see the module doc. */
export class StreamSync {
  #o: StreamSyncOptions;
  #timeline: SyncTimeline;
  #corrector: SyncCorrector;
  readonly corrections: SyncCorrections = {
    count: 0,
    slewedMs: 0,
    framesDropped: 0,
    framesDuplicated: 0,
    resyncs: 0,
  };

  constructor(o: StreamSyncOptions) {
    this.#o = o;
    const corrections = this.corrections;
    this.#timeline = new SyncTimeline({
      stream: o.stream,
      emit: o.emit,
      windowMs: o.windowMs,
      corrections,
      relock: () => this.#corrector.relock(),
    });
    this.#corrector = new SyncCorrector(
      { stream: o.stream, thresholdMs: o.thresholdMs, emit: o.emit, corrections },
      this.#timeline,
    );
  }

  /** Reference clock in effect. */
  get reference(): Reference {
    return this.#timeline.reference;
  }

  /** Sync state. */
  get state(): SyncState {
    return this.#corrector.state;
  }

  /** Track clocks by id. */
  get tracks(): ReadonlyMap<number, TrackClock> {
    return this.#timeline.tracks;
  }

  /**
   * A new publisher session of the same stream (Stream.beginSession): its first frame
   * rebases the timeline, counted once in `corrections.resyncs`.
   */
  reconnect(): void {
    this.#timeline.reconnect();
  }

  /** Latest sender report of a track (RTP); undefined forgets it (SSRC change). */
  senderReport(trackId: number, sr: SrMapping | undefined): void {
    this.#timeline.senderReport(trackId, sr);
  }

  /** Stamps one frame and hands it (zero, one or two times) to `emit`. */
  frame(au: AccessUnit, emit: Emit): void {
    const at = this.#timeline.place(au);
    if (at.refMs === undefined) {
      // a frame whose track cannot be mapped yet: stamped from arrival, not measured
      at.track.stamp(au, at.mediaMs);
      emit(au);
      return;
    }
    this.#corrector.decide(at.refMs);
    this.#corrector.out(at.track, au, at.mediaMs, emit);
  }

  /** Sets a track's manual offset (absolute); default track: the first audio track. */
  adjust(
    track: number | undefined,
    offsetMs: number,
  ): { ok: true } | { ok: false; reason: string } {
    return this.#corrector.adjust(track, offsetMs);
  }

  /** Manual offset of a track, ms. */
  manualOffset(track: number): number {
    return this.#corrector.manualOffset(track);
  }

  /** The API status (GET /api/v1/sync/status/{id}). */
  status(id: string): SyncStatus {
    return syncStatus(
      id,
      this.#timeline,
      this.#corrector,
      this.#o.thresholdMs(),
      this.corrections,
    );
  }
}
