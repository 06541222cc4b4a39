/**
 * A stream's output timeline and the reference clock it is measured on (one per
 * StreamSync, lib/sync/stream_sync.ts): which reference is in effect, how a frame's
 * timestamps become media time on it, rebases at discontinuities and new sessions, and
 * the measurement each placed frame feeds to its track's estimator.
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
 * adds the mean PTS - DTS. The primary track is the first video track (else the first
 * track).
 */
import type { AccessUnit } from "../core/types.ts";
import type { Reference, SrMapping } from "./reference.ts";
import { foldNear, PCR_WRAP_MS, ticksToMs } from "./reference.ts";
import { TrackClock } from "./track_clock.ts";
import type { StreamSyncOptions, SyncCorrections } from "./types.ts";

/** A track's DTS stepping back more than this is a discontinuity, ms. */
const BACK_JUMP_MS = 100;
/** ...or stepping ahead of its reference by more than this, ms. */
const AHEAD_JUMP_MS = 1000;
/** PCR stepping back more than this, or ahead more than PCR_JUMP_MS, is a discontinuity. */
const PCR_BACK_MS = 200;
const PCR_JUMP_MS = 2000;
/** Rebases within this long of the previous one belong to the same resync, ms. */
const RESYNC_GROUP_MS = 1000;
/** Least and largest real-time gap a new session adds to the timeline, ms. */
export const MIN_RECONNECT_GAP_MS = 1;
const MAX_RECONNECT_GAP_MS = 60_000;

/** Options of {@link SyncTimeline}. */
export interface SyncTimelineOptions
  extends Pick<StreamSyncOptions, "stream" | "emit" | "windowMs"> {
  /** The stream's counters (`count` at a reference change, `resyncs`). */
  corrections: SyncCorrections;
  /** Called when the locked relations no longer hold: new primary, new reference, new session. */
  relock: () => void;
}

/** Where one frame lands on the timeline. */
export interface Placement {
  track: TrackClock;
  /** Media DTS time on the timeline, ms (the arrival time when the track is not mappable yet). */
  mediaMs: number;
  /** Reference time of the frame's arrival, ms; undefined when the track is not mappable yet. */
  refMs?: number;
}

/** A stream's timeline and reference; see the module doc. */
export class SyncTimeline {
  #o: SyncTimelineOptions;
  #tracks = new Map<number, TrackClock>();
  /** The same clocks in an array, in the order they came (read per frame: no iterator). */
  #clocks: TrackClock[] = [];
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
  #pendingSr = new Map<number, SrMapping>();

  constructor(o: SyncTimelineOptions) {
    this.#o = o;
  }

  /** Reference clock in effect. */
  get reference(): Reference {
    return this.#mode;
  }

  /** Track clocks by id. */
  get tracks(): ReadonlyMap<number, TrackClock> {
    return this.#tracks;
  }

  /** Track clocks in the order their tracks came. */
  get clocks(): readonly TrackClock[] {
    return this.#clocks;
  }

  /** The primary track: the first video track, else the first track. */
  get primary(): TrackClock | undefined {
    return this.#primary;
  }

  /** Reference time of the latest measured frame, ms. */
  get lastRefMs(): number {
    return this.#lastRefMs;
  }

  /** The first audio track other than the primary. */
  firstAudio(): TrackClock | undefined {
    for (const t of this.#tracks.values()) if (t.kind === "audio" && t !== this.#primary) return t;
    return undefined;
  }

  /** A new publisher session: its first frame rebases the timeline. */
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

  /** Places one frame on the timeline and feeds its track's estimator. */
  place(au: AccessUnit): Placement {
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
    // not mappable yet: stamped from arrival, not measured
    if (raw === undefined) return { track: t, mediaMs: au.arrivalMs + this.#rShift };
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
    return { track: t, mediaMs: m, refMs: r };
  }

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
    this.#clocks.push(t);
    if (!this.#primary || (au.kind === "video" && this.#primary.kind !== "video")) {
      this.#primary = t;
      this.#o.relock();
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
    const s = raw === undefined ? this.#rShift : anchor.lastMediaMs - raw;
    this.#setCommonShift(s);
    for (const [t, m] of before) {
      const nr = this.#raw(t, t.lastDts!, rRaw);
      if (nr === undefined) continue;
      t.lastMediaMs = nr + s;
      if (t !== anchor) t.applied += m - t.lastMediaMs;
      if (t !== anchor && Math.abs(m - t.lastMediaMs) >= 0.5) this.#o.corrections.count++;
    }
    for (const t of this.#tracks.values()) t.est.reset();
    this.#o.relock();
    this.#o.emit?.("sync.reference", { stream: this.#o.stream, from, to });
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
    this.#o.relock();
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
      this.#o.corrections.resyncs++;
      this.#o.emit?.("sync.resync", { stream: this.#o.stream, track: t.id, reason });
    }
    this.#lastResyncArrival = arrivalMs;
  }
}
