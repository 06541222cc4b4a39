/**
 * The reference clocks a stream's tracks are measured against, and how a frame's
 * timestamps become milliseconds on that clock:
 * - `pcr`: MPEG-TS. PTS/DTS and PCR count the same 90 kHz system clock (ISO/IEC 13818-1
 *   2.4.2); the frame carries the PCR extrapolated to the TS packet that completed it
 *   (AccessUnit.pcr). Both are unwrapped upstream; what is left of a 33-bit wrap between
 *   them is folded here.
 * - `rtcp`: RTP with a sender report for every track (RFC 3550 6.4.1): media time is the
 *   sender's NTP time of the RTP timestamp, reference time the local arrival time.
 * - `arrival`: anything else. Media time counts from the track's first frame, which is
 *   placed at its arrival (tracks are lined up by arrival at their first packet).
 */

/** Reference clock of a stream or track. */
export type Reference = "pcr" | "rtcp" | "arrival";

/** NTP <-> RTP mapping of one track from its latest sender report. */
export interface SrMapping {
  /** The SR's NTP time, Unix ms. */
  ntpUnixMs: number;
  /** The SR's 32-bit RTP timestamp. */
  rtpTimestamp: number;
}

/** One 33-bit wrap of the 90 kHz system clock, ms. */
export const PCR_WRAP_MS = 2 ** 33 / 90;
/** One 32-bit wrap of an RTP clock at `rate` Hz, ms. */
export function rtpWrapMs(rate: number): number {
  return (2 ** 32 / rate) * 1000;
}

/** Ticks of `rate` Hz to ms. */
export function ticksToMs(ticks: number, rate: number): number {
  return (ticks * 1000) / rate;
}

/**
 * Sender NTP time (Unix ms) of an RTP timestamp by one SR (RFC 3550 6.4.1); `ts` may be
 * unwrapped (any multiple of 2^32 away): the difference is taken modulo 2^32.
 */
export function ntpOf(sr: SrMapping, ts: number, rate: number): number {
  let d = (ts - sr.rtpTimestamp) % 4294967296;
  if (d < 0) d += 4294967296;
  if (d >= 2147483648) d -= 4294967296;
  return sr.ntpUnixMs + (d * 1000) / rate;
}

/** `v` moved by whole `wrap`s to within half a wrap of `near`. */
export function foldNear(v: number, near: number, wrap: number): number {
  return v - Math.round((v - near) / wrap) * wrap;
}
