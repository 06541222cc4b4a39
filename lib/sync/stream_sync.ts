/**
 * A stream's A/V synchronisation: one output timeline for all its tracks, offset and drift
 * of each track against the stream's reference clock, and gradual correction. Every frame
 * passes through `frame()` on its way from Stream.pushFrame to the frame store and leaves
 * with `ptsMs`/`dtsMs` on the output timeline (ms, starting near 0).
 *
 * Reference (lib/sync/reference.ts): `pcr` while frames carry a PCR, `rtcp` once every
 * track has a sender report, `arrival` otherwise; nothing waits for a report. A change of
 * reference keeps the primary track's output continuous and slews the others.
 *
 * Timeline: media time (ms) = raw time on the reference + the track's shift; the shift is
 * common to all tracks (they share the reference) except for per-track rebases. A PCR
 * discontinuity shifts every track by the same amount; a track whose DTS jumps backwards or
 * far ahead of its reference (encoder restart, SSRC change) is rebased onto its last time
 * plus one frame. A new publisher session (Stream.beginSession: a reconnect within the
 * retention window, an SRT takeover, an RTP sender restart; `reconnect()`) rebases the
 * stream: its first frame is placed after the newest frame of any track by the wall time
 * between their arrivals (at least 1 ms, at most 60 s), and every later frame keeps its
 * distance to that first one. The source `pts`/`dts` are never changed. Each new session
 * counts one `resyncs`; the other rebases count one per burst (RESYNC_GROUP_MS), and none
 * in the burst that follows a new session.
 *
 * Measurement (per track, lib/sync/estimator.ts): y = media DTS time - reference time at
 * arrival, once per arrival (the first of several frames delivered together); the offset
 * adds the mean PTS - DTS. The primary track is the first video track
 * (else the first track); `avOffsetMs` = offset of the first audio track - offset of the
 * primary (+ = audio stamped later than the video that arrives with it).
 *
 * Correction: the target relation is the one measured when the stream locked (pcr,
 * arrival) or 0 (rtcp), plus manual offsets. When a track's raw error passes
 * `thresholdMs()` the automatic correction engages and follows the error until it falls
 * under half the threshold; the applied correction moves by at most 1 ms per frame, or by
 * whole audio frames when more than max(3 x threshold, 4 frames) away.
 */
import type { AccessUnit } from "../core/types.ts";
import type { Reference, SrMapping } from "./reference.ts";
import { foldNear, PCR_WRAP_MS, ticksToMs } from "./reference.ts";
import { MIN_DRIFT_SPAN_MS } from "./estimator.ts";
import { round3, TrackClock } from "./track_clock.ts";

/** Sync state of a stream (API `state`). */
export type SyncState = "measuring" | "locked" | "correcting" | "single-track";

/** Correction counters of a stream (API `corrections`). */
export interface SyncCorrections {
  count: number;
  slewedMs: number;
  framesDropped: number;
  framesDuplicated: number;
  resyncs: number;
}

/** Events a stream's sync emits (part of the bus's EventMap, lib/stream/events.ts). */
export interface SyncEvents {
  "sync.state": { stream: string; from: string; to: string };
  "sync.reference": { stream: string; from: string; to: string };
  "sync.correction": {
    stream: string;
    track: number;
    phase: "start" | "end";
    errorMs: number;
    correctionMs: number;
  };
  "sync.resync": { stream: string; track: number; reason: string };
  "sync.adjust": { stream: string; track: number; offsetMs: number };
}

/** Options of {@link StreamSync}. */
export interface StreamSyncOptions {
  /** Stream id (for events). */
  stream: string;
  /** `ingestion.sync_threshold`, read on use (reload applies at once), ms. */
  thresholdMs: () => number;
  /** Event sink (Manager.events.emit). */
  emit?: <T extends keyof SyncEvents>(type: T, data: SyncEvents[T]) => void;
  /** Estimator window, ms (default 60 s). */
  windowMs?: number;
}

/** Largest manual offset accepted, ms. */
export const MAX_MANUAL_OFFSET_MS = 10_000;
/** A track's DTS stepping back more than this is a discontinuity, ms. */
const BACK_JUMP_MS = 100;
/** ...or stepping ahead of its reference by more than this, ms. */
const AHEAD_JUMP_MS = 1000;
/** PCR stepping back more than this, or ahead more than PCR_JUMP_MS, is a discontinuity. */
const PCR_BACK_MS = 200;
const PCR_JUMP_MS = 2000;
/** Rebases within this long of the previous one belong to the same resync, ms. */
const RESYNC_GROUP_MS = 1000;
/** Span both tracks are measured over before the stream locks, ms. */
const LOCK_SPAN_MS = 2000;
/** Least and largest real-time gap a new session adds to the timeline, ms. */
export const MIN_RECONNECT_GAP_MS = 1;
const MAX_RECONNECT_GAP_MS = 60_000;

/** A frame handed on (the frame store's push). */
export type Emit = (au: AccessUnit) => void;

/** One stream's synchronisation state; see the module doc. */
export class StreamSync {
  #o: StreamSyncOptions;
  #tracks = new Map<number, TrackClock>();
  #primary?: TrackClock;
  #mode: Reference = "arrival";
  #started = false;
  #restart = false;
  #rShift = 0;
  #ntpBase = 0;
  #lastPcrRaw?: number;
  #lastArrival = 0;
  #lastMediaMs = 0;
  #lastRefMs = 0;
  #lastResyncArrival = -Infinity;
  #locked = false;
  #state: SyncState = "single-track";
  /** Manual offsets by track id; kept across reconnects. */
  readonly #manual = new Map<number, number>();
  readonly corrections: SyncCorrections = {
    count: 0,
    slewedMs: 0,
    framesDropped: 0,
    framesDuplicated: 0,
    resyncs: 0,
  };

  constructor(o: StreamSyncOptions) {
    this.#o = o;
  }

  /** Reference clock in effect. */
  get reference(): Reference {
    return this.#mode;
  }

  /** Sync state. */
  get state(): SyncState {
    return this.#state;
  }

  /** Track clocks by id. */
  get tracks(): ReadonlyMap<number, TrackClock> {
    return this.#tracks;
  }

  /**
   * A new publisher session of the same stream (Stream.beginSession): its first frame
   * rebases the timeline, counted once in `corrections.resyncs`.
   */
  reconnect(): void {
    if (this.#started) this.#restart = true;
  }

  /** Latest sender report of a track (RTP); undefined forgets it (SSRC change). */
  senderReport(trackId: number, sr: SrMapping | undefined): void {
    const t = this.#tracks.get(trackId);
    if (t) t.sr = sr;
    else if (sr) this.#pendingSr.set(trackId, sr);
    if (sr && this.#ntpBase === 0) this.#ntpBase = Math.floor(sr.ntpUnixMs);
  }
  #pendingSr = new Map<number, SrMapping>();

  /** Stamps one frame and hands it (zero, one or two times) to `emit`. */
  frame(au: AccessUnit, emit: Emit): void {
    const t = this.#track(au);
    t.frames++;
    t.hasPcr = au.pcr !== undefined;
    if (t.firstDts === undefined) {
      t.firstDts = au.dts;
      t.firstArrivalMs = au.arrivalMs;
    }
    if (!this.#started) this.#start(t, au);
    else if (this.#restart) this.#reconnected(t, au);
    else {
      const want = this.#want();
      if (want !== this.#mode) this.#switch(want, au);
    }
    const rRaw = this.#mode === "pcr" && au.pcr !== undefined
      ? ticksToMs(au.pcr, 90000)
      : au.arrivalMs;
    if (this.#mode === "pcr") this.#pcrContinuity(rRaw, au.arrivalMs);
    const raw = this.#raw(t, au.dts, rRaw);
    if (raw === undefined) return this.#passThrough(t, au, emit);
    let m = raw + t.shift;
    const r = rRaw + this.#rShift;
    if (t.lastDts !== undefined) {
      const step = m - t.lastMediaMs;
      if (step < -BACK_JUMP_MS || step > Math.max(0, r - t.lastRefMs) + AHEAD_JUMP_MS) {
        t.shift += t.lastMediaMs + t.stepMs - m;
        m = raw + t.shift;
        t.est.reset();
        this.#resync(t, "timestamp_jump", au.arrivalMs);
      } else if (step > 0) {
        t.stepMs = t.stepMs ? t.stepMs + (Math.min(step, 1000) - t.stepMs) / 16 : step;
      }
    }
    // Frames that arrived with the previous one (several audio frames in one PES or RTP
    // packet) add no measurement: only the first of them was stamped for its arrival.
    const sameArrival = t.lastDts !== undefined && r === t.lastRefMs;
    t.lastDts = au.dts;
    t.lastMediaMs = m;
    t.lastRefMs = r;
    this.#lastMediaMs = m;
    this.#lastRefMs = r;
    this.#lastArrival = au.arrivalMs;
    const lead = ticksToMs(au.pts - au.dts, t.clockRate);
    t.ptsLeadMs += (lead - t.ptsLeadMs) / (t.frames < 16 ? t.frames : 16);
    if (!sameArrival) t.est.add(r, m - r);
    this.#decide(r);
    this.#out(t, au, m, emit);
  }

  /** Sets a track's manual offset (absolute); default track: the first audio track. */
  adjust(
    track: number | undefined,
    offsetMs: number,
  ): { ok: true } | { ok: false; reason: string } {
    if (!Number.isFinite(offsetMs) || Math.abs(offsetMs) > MAX_MANUAL_OFFSET_MS) {
      return { ok: false, reason: `offsetMs must be within +-${MAX_MANUAL_OFFSET_MS}` };
    }
    const id = track ?? this.#firstAudio()?.id;
    if (id === undefined) return { ok: false, reason: "the stream has no audio track; give track" };
    if (!this.#tracks.has(id)) return { ok: false, reason: `no track ${id}` };
    this.#manual.set(id, offsetMs);
    this.corrections.count++;
    this.#o.emit?.("sync.adjust", { stream: this.#o.stream, track: id, offsetMs });
    this.#decide(this.#lastRefMs);
    return { ok: true };
  }

  /** Manual offset of a track, ms. */
  manualOffset(track: number): number {
    return this.#manual.get(track) ?? 0;
  }

  /** The API status (GET /api/v1/sync/status/{id}). */
  status(id: string): Record<string, unknown> {
    const p = this.#primary;
    const a = this.#firstAudio();
    const x = this.#lastRefMs;
    const rel = p && a && a !== p ? this.#rel(a, p, x) : undefined;
    const target = p && a && a !== p ? this.#target(a, p) : undefined;
    return {
      id,
      reference: this.#mode,
      state: this.#state,
      thresholdMs: this.#o.thresholdMs(),
      avOffsetMs: num(rel),
      targetAvOffsetMs: num(target),
      outputAvOffsetMs: num(rel === undefined ? undefined : rel + a!.applied - p!.applied),
      tracks: [...this.#tracks.values()].map((t) => {
        const f = t.offset();
        return {
          id: t.id,
          kind: t.kind,
          codec: t.codec,
          reference: t.reference,
          offsetMs: num(t.offsetAt(x)),
          driftPpm: f && f.spanMs >= MIN_DRIFT_SPAN_MS ? round3(f.driftPpm) : null,
          jitterMs: f ? round3(f.jitterMs) : null,
          samples: t.est.size,
          correctionMs: round3(t.applied),
          manualOffsetMs: this.manualOffset(t.id),
        };
      }),
      corrections: { ...this.corrections, slewedMs: round3(this.corrections.slewedMs) },
    };
  }

  // ---- timeline ----

  #track(au: AccessUnit): TrackClock {
    let t = this.#tracks.get(au.trackId);
    if (t) {
      t.codec = au.codec;
      return t;
    }
    t = new TrackClock(au, { windowMs: this.#o.windowMs });
    t.sr = this.#pendingSr.get(au.trackId);
    this.#pendingSr.delete(au.trackId);
    t.shift = this.#rShift;
    this.#tracks.set(t.id, t);
    if (!this.#primary || (au.kind === "video" && this.#primary.kind !== "video")) {
      this.#primary = t;
      this.#relock();
    }
    return t;
  }

  /** The reference the tracks allow now. */
  #want(): Reference {
    let pcr = true, rtcp = true;
    for (const t of this.#tracks.values()) {
      if (!t.hasPcr) pcr = false;
      if (!t.sr) rtcp = false;
    }
    return pcr ? "pcr" : rtcp ? "rtcp" : "arrival";
  }

  #raw(t: TrackClock, ticks: number, rRaw: number): number | undefined {
    const v = t.rawMs(this.#mode, ticks, this.#ntpBase);
    return v !== undefined && this.#mode === "pcr" ? foldNear(v, rRaw, PCR_WRAP_MS) : v;
  }

  /** First frame: the timeline starts at 0 on this frame. */
  #start(t: TrackClock, au: AccessUnit): void {
    this.#started = true;
    this.#mode = this.#want();
    const rRaw = au.pcr !== undefined ? ticksToMs(au.pcr, 90000) : au.arrivalMs;
    const raw = this.#raw(t, au.dts, rRaw) ?? 0;
    this.#setCommonShift(-raw);
  }

  #setCommonShift(s: number): void {
    this.#rShift = s;
    for (const x of this.#tracks.values()) x.shift = s;
    this.#lastPcrRaw = undefined;
  }

  /**
   * Reference change: the primary track's media time continues; the other tracks keep
   * theirs through their applied correction, which then slews to where it belongs.
   */
  #switch(to: Reference, au: AccessUnit): void {
    const from = this.#mode;
    const p = this.#primary!;
    const rRaw = au.pcr !== undefined ? ticksToMs(au.pcr, 90000) : au.arrivalMs;
    const before = new Map<TrackClock, number>();
    for (const t of this.#tracks.values()) {
      if (t.lastDts !== undefined) before.set(t, t.lastMediaMs);
    }
    this.#mode = to;
    const anchor = p.lastDts !== undefined ? p : this.#tracks.get(au.trackId)!;
    const raw = anchor.lastDts !== undefined ? this.#raw(anchor, anchor.lastDts, rRaw) : undefined;
    const s = raw === undefined ? this.#rShift : this.#lastMediaOf(anchor) - raw;
    this.#setCommonShift(s);
    for (const [t, m] of before) {
      const nr = this.#raw(t, t.lastDts!, rRaw);
      if (nr === undefined) continue;
      t.lastMediaMs = nr + s;
      if (t !== anchor) t.applied += m - t.lastMediaMs;
      if (t !== anchor && Math.abs(m - t.lastMediaMs) >= 0.5) this.corrections.count++;
    }
    for (const t of this.#tracks.values()) t.est.reset();
    this.#relock();
    this.#o.emit?.("sync.reference", { stream: this.#o.stream, from, to });
  }

  #lastMediaOf(t: TrackClock): number {
    return t.lastMediaMs;
  }

  /** A new session: the timeline goes on from its newest time plus the real gap. */
  #reconnected(t: TrackClock, au: AccessUnit): void {
    this.#restart = false;
    const gap = Math.max(
      MIN_RECONNECT_GAP_MS,
      Math.min(MAX_RECONNECT_GAP_MS, au.arrivalMs - this.#lastArrival),
    );
    let newest = this.#lastMediaMs;
    for (const x of this.#tracks.values()) {
      if (x.lastDts !== undefined && x.lastMediaMs > newest) newest = x.lastMediaMs;
    }
    const next = newest + gap;
    for (const x of this.#tracks.values()) {
      x.restart();
      x.sr = this.#pendingSr.get(x.id);
    }
    this.#pendingSr.clear();
    t.firstDts = au.dts;
    t.firstArrivalMs = au.arrivalMs;
    t.hasPcr = au.pcr !== undefined;
    this.#mode = this.#want();
    const rRaw = au.pcr !== undefined ? ticksToMs(au.pcr, 90000) : au.arrivalMs;
    const raw = this.#raw(t, au.dts, rRaw) ?? 0;
    this.#setCommonShift(next - raw);
    this.#relock();
    // one per session, whatever rebased just before; what follows at once belongs to it
    this.#lastResyncArrival = -Infinity;
    this.#resync(t, "reconnect", au.arrivalMs);
  }

  /** PCR discontinuity: every track and the reference move by the same amount. */
  #pcrContinuity(rRaw: number, arrivalMs: number): void {
    const last = this.#lastPcrRaw;
    this.#lastPcrRaw = rRaw;
    if (last === undefined) return;
    const d = rRaw - last;
    if (d >= -PCR_BACK_MS && d <= PCR_JUMP_MS) return;
    const jump = d - Math.max(0, Math.min(100, arrivalMs - this.#lastArrival));
    this.#rShift -= jump;
    for (const t of this.#tracks.values()) {
      t.shift -= jump;
      t.est.reset();
    }
    this.#resync(this.#primary!, "pcr_discontinuity", arrivalMs);
  }

  #resync(t: TrackClock, reason: string, arrivalMs: number): void {
    if (arrivalMs - this.#lastResyncArrival > RESYNC_GROUP_MS) {
      this.corrections.resyncs++;
      this.#o.emit?.("sync.resync", { stream: this.#o.stream, track: t.id, reason });
    }
    this.#lastResyncArrival = arrivalMs;
  }

  /** A frame whose track cannot be mapped yet: stamped from arrival, not measured. */
  #passThrough(t: TrackClock, au: AccessUnit, emit: Emit): void {
    const m = au.arrivalMs + this.#rShift;
    t.stamp(au, m);
    emit(au);
  }

  // ---- measurement and correction ----

  #firstAudio(): TrackClock | undefined {
    for (const t of this.#tracks.values()) if (t.kind === "audio" && t !== this.#primary) return t;
    return undefined;
  }

  #relock(): void {
    this.#locked = false;
    for (const t of this.#tracks.values()) {
      t.lockRelMs = undefined;
      t.engaged = false;
    }
  }

  /** Offset of `t` minus offset of the primary `p` at reference time x. */
  #rel(t: TrackClock, p: TrackClock, x: number): number | undefined {
    const a = t.offsetAt(x), b = p.offsetAt(x);
    return a === undefined || b === undefined ? undefined : a - b;
  }

  /** Target relation of `t` to the primary: lock relation (0 for rtcp) + manual offsets. */
  #target(t: TrackClock, p: TrackClock): number | undefined {
    const base = this.#mode === "rtcp" ? 0 : t.lockRelMs;
    return base === undefined
      ? undefined
      : base + this.manualOffset(t.id) - this.manualOffset(p.id);
  }

  /** Updates lock, engagement and each track's desired correction. */
  #decide(x: number): void {
    const p = this.#primary;
    if (!p) return;
    const threshold = this.#o.thresholdMs();
    let anyLocked = false, correcting = false;
    for (const t of this.#tracks.values()) {
      const manual = this.manualOffset(t.id);
      let auto = 0;
      if (t !== p) {
        const rel = this.#rel(t, p, x);
        if (rel !== undefined && t.lockRelMs === undefined && this.#spans(t, p)) {
          t.lockRelMs = rel;
        }
        if (rel !== undefined && t.lockRelMs !== undefined) {
          anyLocked = true;
          const base = this.#mode === "rtcp" ? 0 : t.lockRelMs!;
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
    const next: SyncState = this.#tracks.size < 2
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

  /** Both tracks measured over LOCK_SPAN_MS: the relation is worth locking to. */
  #spans(t: TrackClock, p: TrackClock): boolean {
    return (t.offset()?.spanMs ?? 0) >= LOCK_SPAN_MS && (p.offset()?.spanMs ?? 0) >= LOCK_SPAN_MS;
  }

  #engage(t: TrackClock, errorMs: number, on: boolean): void {
    t.engaged = on;
    if (on) this.corrections.count++;
    this.#o.emit?.("sync.correction", {
      stream: this.#o.stream,
      track: t.id,
      phase: on ? "start" : "end",
      errorMs: round3(errorMs),
      correctionMs: round3(t.applied),
    });
  }

  /** Applies this frame's correction step and emits it (dropped, once or twice). */
  #out(t: TrackClock, au: AccessUnit, m: number, emit: Emit): void {
    const far = Math.max(3 * this.#o.thresholdMs(), 4 * t.frameMs(au));
    const step = t.correct(au, far);
    this.corrections.slewedMs += step.slewedMs;
    if (step.dropped) {
      this.corrections.framesDropped++;
      return;
    }
    t.stamp(au, m);
    emit(au);
    if (step.duplicated) {
      this.corrections.framesDuplicated++;
      t.applied += t.frameMs(au);
      const copy: AccessUnit = { ...au };
      t.stamp(copy, m);
      emit(copy);
    }
  }
}

function num(v: number | undefined): number | null {
  return v === undefined || !Number.isFinite(v) ? null : round3(v);
}
