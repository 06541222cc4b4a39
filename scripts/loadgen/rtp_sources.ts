/**
 * RTP sources of the load generator: each source replays a capture (the
 * tests/fixtures/rtp/*.bin format, `u32 len | u64 ns | payload`) in order, from its first
 * datagram to its last, loop after loop, under its own SSRC, with its own sequence
 * numbers and timestamps (RFC 3550 5.1) continued across loops, so a receiver sees N
 * well-formed senders. Without a capture, a source sends synthetic packets of one size.
 *
 * Pacing: "capture" sends each datagram at its recorded arrival offset (stretched to the
 * media's time, then scaled by `speed`) from the source's start, plus whole loop durations; "rate" sends the sources'
 * packets round-robin at a fixed total packet rate (the source's k-th packet is the
 * (k * N + s)-th of the whole run).
 */
import { parseCapture } from "../../tests/support/replay.ts";

/** One capture, ready to replay. */
export interface ReplayCapture {
  /** The datagrams, in arrival order. */
  datagrams: Uint8Array[];
  /** Arrival offset of each datagram from the first, ms. */
  offsetsMs: Float64Array;
  /** Sequence number offset of each datagram from the first (mod 2^16). */
  seqOffsets: Uint16Array;
  /** RTP timestamp offset of each datagram from the smallest timestamp (mod 2^32). */
  tsOffsets: Uint32Array;
  /** Duration of one loop: its RTP timestamp span at the clock rate, ms. */
  loopMs: number;
  /** RTP clock rate, Hz (given, or the standard rate nearest to what the capture's timing implies). */
  clockRate: number;
  /** Sequence numbers one loop uses. */
  loopSeq: number;
  /** RTP timestamp span of one loop: the timestamp range plus one frame step. */
  loopTs: number;
  /** Distinct RTP timestamps (frames, for video) in one loop. */
  frames: number;
}

/** RTP clock rates a capture's clock is rounded to (RFC 3551 and the usual video/audio ones). */
export const CLOCK_RATES = [8000, 16000, 32000, 44100, 48000, 90000] as const;

/**
 * Parses a capture file; datagrams shorter than an RTP header are left out. Loops are
 * timed by the RTP clock (`clockRate`, else inferred), not by the recorded arrival span:
 * a capture recorded faster than real time (ffmpeg without -re) still replays at the
 * media's own rate, so the receiver's clocks do not drift loop after loop.
 */
export function readReplayCapture(buf: Uint8Array, clockRate?: number): ReplayCapture {
  const kept = parseCapture(buf).filter((d) => d.data.length >= 12 && d.data.length <= 65507);
  const datagrams = kept.map((d) => d.data);
  const arrivals = kept.map((d) => d.arrivalNs);
  if (datagrams.length === 0) throw new Error("no RTP datagrams in the capture");
  const n = datagrams.length;
  const seq = (d: Uint8Array) => (d[2] << 8) | d[3];
  const ts = (d: Uint8Array) => new DataView(d.buffer, d.byteOffset).getUint32(4);
  const seq0 = seq(datagrams[0]);
  const ts0 = ts(datagrams[0]);
  // Timestamps relative to the first one, as signed 32-bit (B-frames go backwards).
  const rel = datagrams.map((d) => (ts(d) - ts0) | 0);
  const tsMin = Math.min(...rel);
  const distinct = [...new Set(rel)].sort((a, b) => a - b);
  let step = 0;
  for (let i = 1; i < distinct.length; i++) {
    const d = distinct[i] - distinct[i - 1];
    if (step === 0 || d < step) step = d;
  }
  const offsetsMs = new Float64Array(n);
  const seqOffsets = new Uint16Array(n);
  const tsOffsets = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    offsetsMs[i] = Number(arrivals[i] - arrivals[0]) / 1e6;
    seqOffsets[i] = (seq(datagrams[i]) - seq0) & 0xffff;
    tsOffsets[i] = (rel[i] - tsMin) >>> 0;
  }
  const frames = distinct.length;
  const loopTs = (distinct[distinct.length - 1] - tsMin) + (step || 3000);
  // The recorded span plus one frame interval, then the standard clock nearest to it.
  const span = offsetsMs[n - 1];
  const recordedMs = frames > 1 ? span + span / (frames - 1) : Math.max(span, 1);
  const implied = (loopTs * 1000) / recordedMs;
  const clock = clockRate ??
    CLOCK_RATES.reduce((a, b) =>
      Math.abs(Math.log(b / implied)) < Math.abs(Math.log(a / implied)) ? b : a
    );
  const loopMs = (loopTs * 1000) / clock;
  // Arrival offsets stretched to media time: a capture recorded faster (or slower) than
  // real time is sent at the media's rate, its bursts (one frame's packets) kept.
  for (let i = 0; i < n; i++) offsetsMs[i] *= loopMs / recordedMs;
  let maxSeq = 0;
  for (const s of seqOffsets) if (s > maxSeq && s < 0x8000) maxSeq = s;
  return {
    datagrams,
    offsetsMs,
    seqOffsets,
    tsOffsets,
    loopMs,
    clockRate: clock,
    loopSeq: maxSeq + 1,
    loopTs,
    frames,
  };
}

/** SSRC of source `s` (0-based). */
export const ssrcOf = (s: number): number => (0x5100_0000 + s) >>> 0;

/** How the sources are paced. */
export type RtpPacing =
  | { kind: "capture"; speed: number; staggerMs: number }
  | { kind: "rate"; packetsPerSecond: number };

/** One source's replay state. */
export class RtpSource {
  /** Packets sent so far (the next packet's index). */
  k = 0;
  readonly ssrc: number;
  readonly #cap: ReplayCapture | undefined;
  readonly #size: number;
  readonly #due: (k: number) => number;

  constructor(
    readonly index: number,
    readonly count: number,
    cap: ReplayCapture | undefined,
    size: number,
    pacing: RtpPacing,
    /** Packets this source sends in all. */
    readonly total: number,
  ) {
    this.ssrc = ssrcOf(index);
    this.#cap = cap;
    this.#size = size;
    if (pacing.kind === "rate") {
      const n = count, r = pacing.packetsPerSecond;
      this.#due = (k) => ((k * n + index) * 1000) / r;
    } else {
      const c = cap!;
      const len = c.datagrams.length;
      const start = index * pacing.staggerMs;
      this.#due = (k) =>
        start + (Math.floor(k / len) * c.loopMs + c.offsetsMs[k % len]) / pacing.speed;
    }
  }

  /** When packet k is due, ms from the start of the run. */
  dueMs(k = this.k): number {
    return this.#due(k);
  }

  /** Writes packet `k` into `out` (large enough) and returns its length. */
  fill(out: Uint8Array, k = this.k): number {
    const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
    const c = this.#cap;
    if (!c) {
      out[0] = 0x80;
      out[1] = 96;
      for (let i = 12; i < this.#size; i++) out[i] = i & 255;
      dv.setUint16(2, k & 0xffff);
      dv.setUint32(4, (k * 3000) >>> 0);
      dv.setUint32(8, this.ssrc);
      return this.#size;
    }
    const len = c.datagrams.length;
    const i = k % len, loop = Math.floor(k / len);
    const d = c.datagrams[i];
    out.set(d);
    dv.setUint16(2, (c.seqOffsets[i] + loop * c.loopSeq) & 0xffff);
    dv.setUint32(4, (c.tsOffsets[i] + loop * c.loopTs + this.index * 90_000) >>> 0);
    dv.setUint32(8, this.ssrc);
    return d.length;
  }
}

/** Packets each source sends: whole loops, or as many as are due within `seconds`. */
export function packetsPerSource(
  cap: ReplayCapture | undefined,
  pacing: RtpPacing,
  count: number,
  limit: { loops?: number; seconds?: number },
): number[] {
  const out: number[] = [];
  for (let s = 0; s < count; s++) {
    if (limit.loops !== undefined && cap) {
      out.push(limit.loops * cap.datagrams.length);
      continue;
    }
    const ms = (limit.seconds ?? 3) * 1000;
    if (pacing.kind === "rate") {
      const total = Math.round((pacing.packetsPerSecond * ms) / 1000);
      out.push(Math.floor(total / count) + (s < total % count ? 1 : 0));
      continue;
    }
    // Capture pacing: every packet due before the end (binary search on the schedule).
    const src = new RtpSource(s, count, cap, 0, pacing, 0);
    let lo = 0, hi = 1;
    while (src.dueMs(hi) < ms) hi *= 2;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (src.dueMs(mid) < ms) lo = mid + 1;
      else hi = mid;
    }
    out.push(lo);
  }
  return out;
}
