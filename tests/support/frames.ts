/**
 * Access units for the stream-layer unit tests (lib/core/types.ts AccessUnit): an H.264
 * video frame on track 256 at 90 kHz, DTS = PTS, zero-filled data of the given size.
 */
import type { AccessUnit } from "@lib/core/types.ts";

/** What a test may set on a video frame besides its PTS and key flag. */
export interface VideoFrameOptions {
  trackId?: number;
  /** Bytes of data (zeros). */
  size?: number;
  arrivalMs?: number;
}

/** An H.264 access unit at `pts` (90 kHz ticks). */
export function videoFrame(pts: number, key: boolean, o: VideoFrameOptions = {}): AccessUnit {
  return {
    trackId: o.trackId ?? 256,
    codec: "h264",
    kind: "video",
    pts,
    dts: pts,
    clockRate: 90000,
    key,
    data: new Uint8Array(o.size ?? 100),
    arrivalMs: o.arrivalMs ?? 0,
  };
}
