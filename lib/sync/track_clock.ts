/**
 * One track's clock on its stream's timeline: how its timestamps become media time on the
 * stream's reference (lib/sync/reference.ts), its offset/drift estimator, and its output
 * correction. The output time of a frame is `media time + applied` where `applied` moves
 * toward `desired` (manual offset + automatic correction) by at most `slewMsPerFrame` per
 * frame, or, for audio far off its target, by whole frames: a dropped frame moves the
 * track one frame earlier, a duplicated one a frame later (each AAC/Opus/G.711/MP2/AC-3
 * frame decodes on its own). DTS on the output never goes backwards.
 */
import type { AccessUnit, Codec, TrackKind } from "../core/types.ts";
import { DriftEstimator, type EstimatorOptions, type Fit } from "./estimator.ts";
import { ntpOf, type SrMapping, ticksToMs } from "./reference.ts";

/** Largest correction step applied to one frame by slewing, ms. */
export const SLEW_MS_PER_FRAME = 1;

/** What one frame did to the track's correction. */
export interface CorrectionStep {
  slewedMs: number;
  dropped: boolean;
  duplicated: boolean;
}

/** A track's clock, estimator and correction state. */
export class TrackClock {
  readonly id: number;
  readonly kind: TrackKind;
  codec: Codec;
  readonly clockRate: number;
  readonly est: DriftEstimator;
  /** ms added to the raw media time (common stream shift + this track's rebases). */
  shift = 0;
  /** Sender report mapping (RTP), latest. */
  sr?: SrMapping;
  /** True while the frames carry a PCR (MPEG-TS). */
  hasPcr = false;
  /** First frame of the current session: arrival lineup. */
  firstDts?: number;
  firstArrivalMs = 0;
  /** Last frame: dts ticks, media ms (shifted), reference ms, arrival. */
  lastDts?: number;
  lastMediaMs = 0;
  lastRefMs = 0;
  /** Typical dts step, ms (for rebasing at a discontinuity). */
  stepMs = 0;
  /** Mean pts - dts, ms (presentation lead of reordered video). */
  ptsLeadMs = 0;
  lastOutDtsMs = -Infinity;
  /** Output correction now applied, ms. */
  applied = 0;
  /** Where the correction goes: manual + automatic, ms. */
  desired = 0;
  /** Automatic correction engaged (the error passed the threshold). */
  engaged = false;
  /** The offset relative to the primary track when the stream locked, ms. */
  lockRelMs?: number;
  /** Frames seen. */
  frames = 0;

  constructor(au: AccessUnit, est?: EstimatorOptions) {
    this.id = au.trackId;
    this.kind = au.kind;
    this.codec = au.codec;
    this.clockRate = au.clockRate > 0 ? au.clockRate : 90000;
    this.est = new DriftEstimator(est);
  }

  /** Reference this track could use on its own. */
  get reference(): "pcr" | "rtcp" | "arrival" {
    return this.hasPcr ? "pcr" : this.sr ? "rtcp" : "arrival";
  }

  /** Forgets the session (reconnect): lineup, mapping, last frame, measurement. */
  restart(): void {
    this.firstDts = undefined;
    this.lastDts = undefined;
    this.sr = undefined;
    this.lockRelMs = undefined;
    this.engaged = false;
    this.est.reset();
  }

  /** Raw media time of `ticks` on `ref`, ms (before `shift`); undefined when unmappable. */
  rawMs(ref: "pcr" | "rtcp" | "arrival", ticks: number, ntpBase: number): number | undefined {
    if (ref === "pcr") return ticksToMs(ticks, this.clockRate);
    if (ref === "rtcp") {
      return this.sr ? ntpOf(this.sr, ticks, this.clockRate) - ntpBase : undefined;
    }
    if (this.firstDts === undefined) return undefined;
    return ticksToMs(ticks - this.firstDts, this.clockRate) + this.firstArrivalMs;
  }

  /** The offset fit (presentation time: dts fit + mean pts lead), if measurable. */
  offset(): Fit | undefined {
    return this.est.offset();
  }

  /** Offset at reference time `x`, ms, if measurable. */
  offsetAt(x: number): number | undefined {
    const f = this.est.offset();
    if (!f) return undefined;
    return f.offsetMs + (f.driftPpm / 1e6) * (x - f.x) + this.ptsLeadMs;
  }

  /** Duration of one frame of this track, ms. */
  frameMs(au: AccessUnit): number {
    if (au.duration && au.duration > 0) return ticksToMs(au.duration, this.clockRate);
    return this.stepMs > 0 ? this.stepMs : 20;
  }

  /**
   * Moves `applied` toward `desired` for this frame: by whole frames (audio, when more
   * than `farMs` away) or by at most SLEW_MS_PER_FRAME.
   */
  correct(au: AccessUnit, farMs: number): CorrectionStep {
    const diff = this.desired - this.applied;
    if (diff === 0) return { slewedMs: 0, dropped: false, duplicated: false };
    if (this.kind === "audio" && Math.abs(diff) > farMs) {
      const dur = this.frameMs(au);
      if (diff < 0) {
        this.applied -= dur;
        return { slewedMs: 0, dropped: true, duplicated: false };
      }
      return { slewedMs: 0, dropped: false, duplicated: true };
    }
    const step = Math.max(-SLEW_MS_PER_FRAME, Math.min(SLEW_MS_PER_FRAME, diff));
    this.applied += step;
    if (Math.abs(this.desired - this.applied) < 1e-9) this.applied = this.desired;
    return { slewedMs: Math.abs(step), dropped: false, duplicated: false };
  }

  /** Stamps ptsMs/dtsMs from media time `mediaDtsMs` (DTS kept monotonic). */
  stamp(au: AccessUnit, mediaDtsMs: number): void {
    let dts = mediaDtsMs + this.applied;
    if (dts < this.lastOutDtsMs) dts = this.lastOutDtsMs;
    this.lastOutDtsMs = dts;
    au.dtsMs = round3(dts);
    au.ptsMs = round3(dts + ticksToMs(au.pts - au.dts, this.clockRate));
  }
}

/** Rounds to microseconds (3 decimals of ms). */
export function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
