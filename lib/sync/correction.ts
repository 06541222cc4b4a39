/**
 * A stream's A/V correction (one per StreamSync, lib/sync/stream_sync.ts): the target
 * relation of each track to the primary, when the automatic correction engages, manual
 * offsets, the stream's sync state, and the output stamping of each frame (slewed,
 * dropped or duplicated, lib/sync/track_clock.ts `correct`).
 *
 * The target relation is the one measured when the stream locked (pcr, arrival) or 0
 * (rtcp), plus manual offsets. When a track's raw error passes `thresholdMs()` the
 * automatic correction engages and follows the error until it falls under half the
 * threshold; the applied correction moves by at most 1 ms per frame, or by whole audio
 * frames when more than max(3 x threshold, 4 frames) away.
 */
import type { AccessUnit } from "../core/types.ts";
import type { SyncTimeline } from "./timeline.ts";
import { round3, type TrackClock } from "./track_clock.ts";
import type { Emit, StreamSyncOptions, SyncCorrections, SyncState } from "./types.ts";

/** Largest manual offset accepted, ms. */
export const MAX_MANUAL_OFFSET_MS = 10_000;
/** Span both tracks are measured over before the stream locks, ms. */
const LOCK_SPAN_MS = 2000;

/** Options of {@link SyncCorrector}. */
export interface SyncCorrectorOptions
  extends Pick<StreamSyncOptions, "stream" | "thresholdMs" | "emit"> {
  /** The stream's counters (`count`, `slewedMs`, `framesDropped`, `framesDuplicated`). */
  corrections: SyncCorrections;
}

/** A stream's correction state over its timeline; see the module doc. */
export class SyncCorrector {
  #o: SyncCorrectorOptions;
  #tl: SyncTimeline;
  #locked = false;
  #state: SyncState = "single-track";
  /** Manual offsets by track id; kept across reconnects. */
  readonly #manual = new Map<number, number>();

  constructor(o: SyncCorrectorOptions, timeline: SyncTimeline) {
    this.#o = o;
    this.#tl = timeline;
  }

  /** Sync state. */
  get state(): SyncState {
    return this.#state;
  }

  /** Sets a track's manual offset (absolute); default track: the first audio track. */
  adjust(
    track: number | undefined,
    offsetMs: number,
  ): { ok: true } | { ok: false; reason: string } {
    if (!Number.isFinite(offsetMs) || Math.abs(offsetMs) > MAX_MANUAL_OFFSET_MS) {
      return { ok: false, reason: `offsetMs must be within +-${MAX_MANUAL_OFFSET_MS}` };
    }
    const id = track ?? this.#tl.firstAudio()?.id;
    if (id === undefined) return { ok: false, reason: "the stream has no audio track; give track" };
    if (!this.#tl.tracks.has(id)) return { ok: false, reason: `no track ${id}` };
    this.#manual.set(id, offsetMs);
    this.#o.corrections.count++;
    this.#o.emit?.("sync.adjust", { stream: this.#o.stream, track: id, offsetMs });
    this.decide(this.#tl.lastRefMs);
    return { ok: true };
  }

  /** Manual offset of a track, ms. */
  manualOffset(track: number): number {
    return this.#manual.get(track) ?? 0;
  }

  /** Forgets the locked relations (new primary, new reference, new session). */
  relock(): void {
    this.#locked = false;
    for (const t of this.#tl.tracks.values()) {
      t.lockRelMs = undefined;
      t.engaged = false;
    }
  }

  /** Offset of `t` minus offset of the primary `p` at reference time x. */
  rel(t: TrackClock, p: TrackClock, x: number): number | undefined {
    const a = t.offsetAt(x), b = p.offsetAt(x);
    return a === undefined || b === undefined ? undefined : a - b;
  }

  /** Target relation of `t` to the primary: lock relation (0 for rtcp) + manual offsets. */
  target(t: TrackClock, p: TrackClock): number | undefined {
    const base = this.#tl.reference === "rtcp" ? 0 : t.lockRelMs;
    return base === undefined
      ? undefined
      : base + this.manualOffset(t.id) - this.manualOffset(p.id);
  }

  /** Updates lock, engagement and each track's desired correction at reference time x. */
  decide(x: number): void {
    const p = this.#tl.primary;
    if (!p) return;
    const threshold = this.#o.thresholdMs();
    let anyLocked = false, correcting = false;
    for (const t of this.#tl.clocks) {
      const manual = this.manualOffset(t.id);
      let auto = 0;
      if (t !== p) {
        const rel = this.rel(t, p, x);
        if (rel !== undefined && t.lockRelMs === undefined && this.#spans(t, p)) {
          t.lockRelMs = rel;
        }
        if (rel !== undefined && t.lockRelMs !== undefined) {
          anyLocked = true;
          const base = this.#tl.reference === "rtcp" ? 0 : t.lockRelMs!;
          const err = rel - base;
          if (!t.engaged && Math.abs(err) > threshold) this.#engage(t, err, true);
          else if (t.engaged && Math.abs(err) < threshold / 2) this.#engage(t, err, false);
          if (t.engaged) auto = -err;
        }
      }
      t.desired = manual + auto;
      if (t.engaged || Math.abs(t.desired - t.applied) >= 0.5) correcting = true;
    }
    this.#locked = anyLocked;
    const next: SyncState = this.#tl.tracks.size < 2
      ? "single-track"
      : !this.#locked
      ? "measuring"
      : correcting
      ? "correcting"
      : "locked";
    if (next !== this.#state) {
      this.#o.emit?.("sync.state", { stream: this.#o.stream, from: this.#state, to: next });
      this.#state = next;
    }
  }

  /** Applies this frame's correction step and emits it (dropped, once or twice). */
  out(t: TrackClock, au: AccessUnit, m: number, emit: Emit): void {
    const far = Math.max(3 * this.#o.thresholdMs(), 4 * t.frameMs(au));
    const step = t.correct(au, far);
    this.#o.corrections.slewedMs += step.slewedMs;
    if (step.dropped) {
      this.#o.corrections.framesDropped++;
      return;
    }
    t.stamp(au, m);
    emit(au);
    if (step.duplicated) {
      this.#o.corrections.framesDuplicated++;
      t.applied += t.frameMs(au);
      const copy: AccessUnit = { ...au };
      t.stamp(copy, m);
      emit(copy);
    }
  }

  /** Both tracks measured over LOCK_SPAN_MS: the relation is worth locking to. */
  #spans(t: TrackClock, p: TrackClock): boolean {
    return (t.offset()?.spanMs ?? 0) >= LOCK_SPAN_MS && (p.offset()?.spanMs ?? 0) >= LOCK_SPAN_MS;
  }

  #engage(t: TrackClock, errorMs: number, on: boolean): void {
    t.engaged = on;
    if (on) this.#o.corrections.count++;
    this.#o.emit?.("sync.correction", {
      stream: this.#o.stream,
      track: t.id,
      phase: on ? "start" : "end",
      errorMs: round3(errorMs),
      correctionMs: round3(t.applied),
    });
  }
}
