/**
 * One track's frame statistics (frames, keyframes, bytes, bitrate, measured frame rate,
 * GOP length) and its Track JSON (README.md, API reference).
 */
import type { AccessUnit, TrackInfo } from "../core/types.ts";
import type { GopStats } from "../buffer/gop_detector.ts";
import { RateMeter } from "../core/meter.ts";

/** Per-track frame statistics. */
export class TrackState {
  frames = 0;
  keyframes = 0;
  bytes = 0;
  readonly bitrate: RateMeter = new RateMeter();
  readonly frameRate: RateMeter = new RateMeter();
  lastPts?: number;
  lastKeyPts?: number;
  /** Frames between the last two keyframes. */
  gopFrames?: number;
  #sinceKey = 0;

  constructor(public info: TrackInfo) {}

  /** Counts one frame. */
  frame(au: AccessUnit, nowMs: number): void {
    this.frames++;
    this.bytes += au.data.length;
    this.bitrate.add(au.data.length * 8, nowMs);
    this.frameRate.add(1, nowMs);
    this.lastPts = au.pts;
    if (au.key) {
      if (this.keyframes > 0) this.gopFrames = this.#sinceKey;
      this.keyframes++;
      this.lastKeyPts = au.pts;
      this.#sinceKey = 0;
    }
    this.#sinceKey++;
  }

  /** The Track JSON (README.md, API reference); `gop` adds the GOP structure of a video track. */
  toJSON(nowMs: number, gop?: GopStats): Record<string, unknown> {
    const i = this.info;
    const base: Record<string, unknown> = {
      id: i.id,
      kind: i.kind,
      codec: i.codec,
      codecSource: i.codecSource,
      supported: i.supported,
      clockRate: i.clockRate,
      frames: this.frames,
      keyframes: this.keyframes,
      bytes: this.bytes,
      bitrateBps: Math.round(this.bitrate.rate(nowMs, 1)),
      bitrate10sBps: Math.round(this.bitrate.rate(nowMs, 10)),
    };
    if (i.kind === "video") {
      Object.assign(base, {
        width: i.width ?? null,
        height: i.height ?? null,
        fps: i.fps ?? null,
        measuredFps: Math.round(this.frameRate.rate(nowMs, 10) * 100) / 100,
        profile: i.profile ?? null,
        level: i.level ?? null,
        chromaFormat: i.chromaFormat,
        bitDepth: i.bitDepth,
        interlaced: i.interlaced,
        gopFrames: this.gopFrames ?? null,
      });
      if (gop) {
        const ms = (ticks: number) => Math.round((ticks * 1000) / i.clockRate);
        base.gop = {
          count: gop.gops,
          open: gop.openGops,
          lastFrames: gop.lastLengthFrames,
          avgFrames: Math.round(gop.avgLengthFrames * 100) / 100,
          lastDurationMs: ms(gop.lastDuration),
          avgDurationMs: ms(gop.avgDuration),
          framesBeforeFirstKey: gop.framesBeforeKey,
        };
      }
    } else if (i.kind === "audio") {
      Object.assign(base, { sampleRate: i.sampleRate ?? null, channels: i.channels ?? null });
    }
    if (i.streamType !== undefined) base.streamType = i.streamType;
    if (i.payloadType !== undefined) base.payloadType = i.payloadType;
    return base;
  }
}
