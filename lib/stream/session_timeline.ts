/**
 * The output timeline of a stream across publisher sessions. A publisher that comes back
 * (a takeover, lib/stream/takeover.ts, or an RTP sender restarting) starts its timestamps
 * wherever its encoder likes: ffmpeg restarts near 1.4 s, an RTP sender at a random
 * value. Frames leave the stream (GOP buffer, outputs) on one timeline instead: the first
 * frame of a new session is placed after the newest frame of the previous one by the wall
 * time that passed between their arrivals, and every later frame of the session keeps its
 * distance to that first one (so A/V alignment inside the session is untouched). Each
 * rebase is counted (`resyncs`). The first session keeps its own timestamps.
 */
import type { AccessUnit } from "../core/types.ts";

/** Least step between the previous session's newest frame and the next session's first, s. */
export const MIN_SESSION_GAP_S = 0.001;

/** Maps each session's timestamps onto one continuous output timeline. */
export class SessionTimeline {
  /** Seconds added to every timestamp of the current session. */
  #offsetS = 0;
  /** The offset in ticks for the clock rate last asked (most frames share one). */
  #ticksRate = 0;
  #ticks = 0;
  /** Newest decode time on the output timeline, s (-Infinity before the first frame). */
  #endS = -Infinity;
  #endArrivalMs = 0;
  #pending = false;
  /** Times the timeline was rebased for a new session. */
  resyncs = 0;

  /** Offset applied to the current session, ms (0 for the first session). */
  get offsetMs(): number {
    return this.#offsetS * 1000;
  }

  /** A new session begins: its first frame decides the offset. */
  restart(): void {
    if (this.#endS > -Infinity) this.#pending = true;
  }

  /** The frame on the output timeline (the same object when nothing is added). */
  map(au: AccessUnit): AccessUnit {
    const rate = au.clockRate;
    if (this.#pending) {
      this.#pending = false;
      const gapS = Math.max(MIN_SESSION_GAP_S, (au.arrivalMs - this.#endArrivalMs) / 1000);
      this.#offsetS = this.#endS + gapS - au.dts / rate;
      this.#ticksRate = 0;
      this.resyncs++;
    }
    let out = au;
    if (this.#offsetS !== 0) {
      if (this.#ticksRate !== rate) {
        this.#ticksRate = rate;
        this.#ticks = Math.round(this.#offsetS * rate);
      }
      out = { ...au, pts: au.pts + this.#ticks, dts: au.dts + this.#ticks };
    }
    const endS = out.dts / rate;
    if (endS > this.#endS) {
      this.#endS = endS;
      this.#endArrivalMs = au.arrivalMs;
    }
    return out;
  }
}
