/**
 * Annex B access-unit assembler for H.264 and H.265 elementary streams (MPEG-TS PES
 * payloads). Finds start codes across chunk boundaries and cuts access units where
 * ITU-T H.264 7.4.1.2.3 and H.265 7.4.2.4.4 say one begins:
 * - an access unit delimiter, a parameter set, an SEI (H.265: prefix SEI) or another
 *   "prefix" NAL type that follows the last VCL NAL of a picture;
 * - the first slice of a new picture (H.264 first_mb_in_slice == 0, H.265
 *   first_slice_segment_in_pic_flag);
 * - the first NAL unit that starts in a chunk carrying a different PTS (H.222.0 2.4.3.7:
 *   a PES PTS applies to the first access unit starting in it).
 * The NAL rules and the start-code scan are in nal_kind.ts; when a PES's slice data may go
 * unscanned, in tail_skip.ts.
 *
 * The unit takes the PTS/DTS of the chunk in which its first start code ended; a unit
 * that starts in a chunk whose PTS was already used is extrapolated (`defaultDuration`).
 * Bytes are held as subarrays of the chunks until the unit is complete, then copied once
 * into one contiguous Annex B buffer with the original start codes: a caller must not
 * reuse a chunk's buffer until the unit holding its bytes has been emitted.
 * Frames are emitted in decode order. No timers inside: the caller calls `tick(nowMs)`.
 */
import type { Counter, EsChunk } from "../../core/types.ts";
import { AuInspector, type VideoAccessUnit } from "./au_info.ts";
import { nalKind, nextStartCode, OTHER, vclByte } from "./nal_kind.ts";
import { TailSkip } from "./tail_skip.ts";

/** Cap on one access unit, bytes (frames over it are dropped: "frame_oversize"). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** Cap on chunk pieces held for one unit before they are compacted into one buffer. */
export const MAX_FRAME_PARTS = 4096;
/** Default frame-assembly timeout (config `frame_timeout`), ms. */
export const DEFAULT_FRAME_TIMEOUT_MS = 5000;

/** Options of {@link AnnexBAssembler}. */
export interface AnnexBAssemblerOptions {
  codec: "h264" | "h265";
  trackId: number;
  /** Clock of pts/dts, Hz (90000 for MPEG-TS). */
  clockRate: number;
  /** Receives each complete access unit, in decode order. */
  onUnit: (au: VideoAccessUnit) => void;
  /** Counts drops: "frame_oversize", "frame_timeout", "frame_no_picture". */
  count: Counter;
  /** Cap on one access unit, bytes; default {@link MAX_FRAME_BYTES}. */
  maxFrameBytes?: number;
  /** A partial unit older than this (ms since its first chunk) is dropped; default 5000. */
  frameTimeoutMs?: number;
  /** Ticks added to the last pts when a unit arrives without one; default clockRate / 30. */
  defaultDuration?: number;
  /** Leave slice data unscanned when PES and units line up (tail_skip.ts); default true. */
  skipTails?: boolean;
}

/** Header bytes collected per NAL unit before it is classified. */
const HDR_BYTES = 12;

/** Assembles access units from Annex B chunks; see the module comment. */
export class AnnexBAssembler {
  readonly #o: Required<AnnexBAssemblerOptions>;
  readonly #inspector: AuInspector;
  // bytes of the current unit: parts cover stream positions [#auStart, #pos)
  #parts: Uint8Array[] = [];
  #arrivals: number[] = [];
  #auStart = 0;
  #pos = 0;
  #zeros = 0; // trailing zero bytes seen (capped at 3)
  #dropping = true; // discard bytes until a NAL unit that starts a unit
  #seenVcl = false;
  #auPts: number | undefined;
  #auDts: number | undefined;
  #auArrival = 0;
  // the NAL unit whose header is being collected
  #pending = false;
  #nalStart = 0; // stream position of its start code (zero_byte included)
  #nalCode = 0; // stream position of the 0x01 ending its start code
  readonly #hdr = new Uint8Array(HDR_BYTES);
  #hdrLen = 0;
  #ts: { pts: number; dts: number; from: number } | undefined;
  #lastPts: number | undefined;
  #lastDts: number | undefined;
  /** Stream position of the chunk being scanned. */
  #chunkBase = 0;
  readonly #tail: TailSkip;
  readonly #vclByte: (firstByte: number) => boolean;
  /** The chunk whose tail went unscanned, from `#skipOff` (stream position `#skipBase`). */
  #skipped: Uint8Array | undefined;
  #skipOff = 0;
  #skipBase = 0;
  #skipArrival = 0;

  constructor(opts: AnnexBAssemblerOptions) {
    if (opts.codec !== "h264" && opts.codec !== "h265") {
      throw new TypeError(`AnnexBAssembler: codec must be h264 or h265, got ${opts.codec}`);
    }
    this.#o = {
      maxFrameBytes: MAX_FRAME_BYTES,
      frameTimeoutMs: DEFAULT_FRAME_TIMEOUT_MS,
      defaultDuration: Math.round(opts.clockRate / 30),
      skipTails: true,
      ...opts,
    };
    this.#inspector = new AuInspector(opts.codec);
    this.#vclByte = vclByte(opts.codec);
    this.#tail = new TailSkip(this.#o.skipTails);
  }

  /** Adds one chunk of the elementary stream. Never throws on bad input. */
  push(chunk: EsChunk): void {
    const d = chunk.data;
    const n = d.length;
    if (n === 0) return;
    const base = this.#pos;
    let skip = false;
    if (chunk.pts !== undefined) {
      const dts = chunk.dts ?? chunk.pts;
      const regular = this.#tail.next(dts);
      if (this.#skipped) this.#unskip(!regular);
      skip = this.#tail.mayskip;
      this.#ts = { pts: chunk.pts, dts, from: base };
    } else if (this.#skipped) this.#unskip(true);
    this.#parts.push(d);
    this.#arrivals.push(chunk.arrivalMs);
    this.#pos = base + n;
    this.#chunkBase = base;
    this.#scan(d, base, chunk.arrivalMs, skip);
    let t = 0;
    while (t < n && t < 3 && d[n - 1 - t] === 0) t++;
    this.#zeros = t === n ? Math.min(3, this.#zeros + n) : t;
    this.#afterChunk();
  }

  /** Bytes left unscanned after a PES's first slice (tail_skip.ts), and tails scanned after all. */
  get skip(): { bytes: number; rescans: number; on: boolean } {
    return { bytes: this.#tail.skippedBytes, rescans: this.#tail.rescans, on: this.#tail.on };
  }

  /**
   * Finds the start codes of `d` (stream positions from `base`) and classifies each NAL
   * unit. `skip`: `d` is a PES payload whose tail may go unscanned (tail_skip.ts): when it
   * starts with a start code, the scan stops after its first slice's header.
   */
  #scan(d: Uint8Array, base: number, arrivalMs: number, skip: boolean): void {
    const n = d.length;
    let fed = 0; // bytes of d before this index have gone to the header collector
    let from = 0;
    let first = true;
    for (;;) {
      const j = nextStartCode(d, from);
      if (j < 0) break;
      from = j + 1;
      let z = 0;
      let k = j - 1;
      while (k >= 0 && z < 3 && d[k] === 0) {
        z++;
        k--;
      }
      if (k < 0 && z < 3) z = Math.min(3, z + this.#zeros);
      if (z < 2) continue;
      if (this.#pending) {
        this.#feed(d, fed, Math.max(fed, j - z));
        this.#classify(arrivalMs);
      }
      this.#pending = true;
      this.#nalStart = base + j - z;
      this.#nalCode = base + j;
      this.#hdrLen = 0;
      fed = j + 1;
      if (skip) {
        // the payload must start with a NAL unit; then skip after its first slice
        if (first && this.#nalStart !== base) skip = false;
        else if (this.#skipAfter(d, j, arrivalMs)) return;
      }
      first = false;
    }
    if (this.#pending) {
      this.#feed(d, fed, n);
      if (this.#hdrLen >= HDR_BYTES) this.#classify(arrivalMs);
    }
  }

  /**
   * At the start code ending at `d[j]`: when it opens a slice whose header lies whole in
   * `d`, classifies it now and leaves the rest of `d` unscanned (true).
   */
  #skipAfter(d: Uint8Array, j: number, arrivalMs: number): boolean {
    const lim = j + 1 + HDR_BYTES;
    if (lim > d.length || !this.#vclByte(d[j + 1])) return false;
    // a NAL unit shorter than the header bytes: let the scan go on to the next one
    for (let q = j + 4; q < lim; q++) {
      if (d[q] === 1 && d[q - 1] === 0 && d[q - 2] === 0) return false;
    }
    this.#feed(d, j + 1, lim);
    this.#classify(arrivalMs);
    this.#skipped = d;
    this.#skipArrival = arrivalMs;
    this.#skipOff = j + 1;
    this.#skipBase = this.#chunkBase;
    this.#tail.skippedBytes += d.length - j - 1;
    return true;
  }

  /**
   * Before the unit holding a skipped tail can end: scans the tail after all when `rescan`
   * (tail_skip.ts says when), with the state the scan would have had there.
   */
  #unskip(rescan: boolean): void {
    const d = this.#skipped!;
    this.#skipped = undefined;
    if (!rescan) return;
    const off = this.#skipOff;
    this.#tail.skippedBytes -= d.length - off;
    this.#tail.rescans++;
    const zeros = this.#zeros;
    this.#zeros = 0; // d[off - 1] ended a start code
    this.#chunkBase = this.#skipBase;
    this.#scan(d.subarray(off), this.#skipBase + off, this.#skipArrival, false);
    this.#zeros = zeros;
  }

  /** Drops a partial unit whose first chunk arrived more than frameTimeoutMs before `nowMs`. */
  tick(nowMs: number): void {
    if (this.#dropping || this.#unitEnd() <= this.#auStart) return;
    if (nowMs - this.#auArrival > this.#o.frameTimeoutMs) {
      this.#o.count("frame_timeout");
      this.#dropping = true;
      this.#trim();
    }
  }

  /** Emits the unit in progress (end of stream) and resets the scanner. */
  flush(): void {
    if (this.#skipped) this.#unskip(true);
    if (this.#pending) this.#classify(this.#auArrival);
    if (!this.#dropping && this.#pos > this.#auStart) {
      if (this.#seenVcl) this.#emit(this.#pos);
      else this.#o.count("frame_no_picture");
    }
    this.#parts = [];
    this.#arrivals = [];
    this.#auStart = this.#pos;
    this.#zeros = 0;
    this.#dropping = true;
    this.#seenVcl = false;
    this.#ts = undefined;
  }

  /** End of the bytes known to belong to the current unit. */
  #unitEnd(): number {
    return this.#pending ? this.#nalStart : this.#pos;
  }

  #feed(d: Uint8Array, a: number, b: number): void {
    const take = Math.min(b - a, HDR_BYTES - this.#hdrLen);
    if (take <= 0) return;
    this.#hdr.set(d.subarray(a, a + take), this.#hdrLen);
    this.#hdrLen += take;
  }

  /** Decides whether the pending NAL unit starts a new access unit. */
  #classify(arrivalMs: number): void {
    this.#pending = false;
    const { kind, vcl } = nalKind(this.#o.codec, this.#hdr, this.#hdrLen);
    const ts = this.#ts && this.#nalCode >= this.#ts.from ? this.#ts : undefined;
    if (this.#dropping) {
      if (kind === OTHER) return;
      this.#dropping = false;
      this.#trimTo(this.#nalStart);
      this.#startUnit(ts, arrivalMs);
    } else if (
      this.#seenVcl && (kind !== OTHER || (ts !== undefined && ts.pts !== this.#auPts))
    ) {
      if (this.#nalStart !== this.#chunkBase) this.#tail.turnOff();
      this.#emit(this.#nalStart);
      this.#startUnit(ts, arrivalMs);
    } else if (ts) {
      if (!this.#seenVcl || this.#auPts === undefined) {
        this.#auPts = ts.pts;
        this.#auDts = ts.dts;
      }
      this.#ts = undefined;
    }
    if (vcl) this.#seenVcl = true;
  }

  #startUnit(ts: { pts: number; dts: number } | undefined, arrivalMs: number): void {
    this.#seenVcl = false;
    this.#auPts = ts?.pts;
    this.#auDts = ts?.dts;
    this.#auArrival = arrivalMs;
    if (ts) this.#ts = undefined;
  }

  #afterChunk(): void {
    if (this.#dropping) return this.#trim();
    const size = this.#unitEnd() - this.#auStart;
    if (size > this.#o.maxFrameBytes) {
      this.#o.count("frame_oversize");
      this.#dropping = true;
      return this.#trim();
    }
    if (this.#parts.length > MAX_FRAME_PARTS) {
      const all = this.#copy(this.#pos);
      this.#parts = [all];
      this.#arrivals = [this.#arrivals[this.#arrivals.length - 1]];
    }
  }

  /** While dropping, keep only a NAL unit still being classified, or a start code's zeros. */
  #trim(): void {
    this.#skipped = undefined;
    this.#trimTo(this.#pending ? this.#nalStart : this.#pos - this.#zeros);
  }

  /** Forgets the bytes before stream position `p`. */
  #trimTo(p: number): void {
    if (p <= this.#auStart) return;
    let skip = p - this.#auStart;
    let whole = 0;
    while (whole < this.#parts.length && this.#parts[whole].length <= skip) {
      skip -= this.#parts[whole++].length;
    }
    if (whole > 0) {
      this.#parts.splice(0, whole);
      this.#arrivals.splice(0, whole);
    }
    if (skip > 0 && this.#parts.length > 0) this.#parts[0] = this.#parts[0].subarray(skip);
    this.#auStart = p;
  }

  /**
   * The bytes [#auStart, end) as one buffer: a view of the chunk when one chunk holds
   * them all (the common one-AU-per-PES case: chunks are owned by the assembler's
   * caller and never reused, see push), else one new copy.
   */
  #copy(end: number): Uint8Array {
    const first = this.#parts[0];
    if (first && first.length >= end - this.#auStart) return first.subarray(0, end - this.#auStart);
    const out = new Uint8Array(end - this.#auStart);
    let o = 0;
    for (const p of this.#parts) {
      if (o >= out.length) break;
      const take = Math.min(p.length, out.length - o);
      out.set(take === p.length ? p : p.subarray(0, take), o);
      o += take;
    }
    return out;
  }

  /** Emits the bytes [#auStart, end) as one access unit and keeps the rest. */
  #emit(end: number): void {
    const size = end - this.#auStart;
    let arrival = this.#auArrival;
    let acc = 0;
    for (let i = 0; i < this.#parts.length && acc < size; i++) {
      acc += this.#parts[i].length;
      arrival = this.#arrivals[i];
    }
    if (size > this.#o.maxFrameBytes) {
      this.#o.count("frame_oversize");
      this.#trimTo(end);
      return;
    }
    const data = this.#copy(end);
    this.#trimTo(end);
    const info = this.#inspector.inspect(data);
    let pts = this.#auPts;
    let dts = this.#auDts;
    if (pts === undefined) {
      pts = this.#lastPts === undefined ? 0 : this.#lastPts + this.#o.defaultDuration;
      dts = this.#lastDts === undefined ? pts : this.#lastDts + this.#o.defaultDuration;
    }
    if (dts === undefined || dts > pts) dts = pts;
    this.#lastPts = pts;
    this.#lastDts = dts;
    this.#o.onUnit({
      trackId: this.#o.trackId,
      codec: this.#o.codec,
      kind: "video",
      pts,
      dts,
      clockRate: this.#o.clockRate,
      arrivalMs: arrival,
      data,
      ...info,
    });
  }
}
