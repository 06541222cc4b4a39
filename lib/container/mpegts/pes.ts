import { fail, ok, type Result } from "../../core/result.ts";
/**
 * PES packet header and reassembly (ISO/IEC 13818-1 2.4.3.6, 2.4.3.7).
 *
 * ```
 * 00 00 01 | stream_id(8) | PES_packet_length(16) | 10 SC(2) P DA C O |
 * PTS_DTS_flags(2) ESCR ES_rate trick crc ext | PES_header_data_length(8) |
 * PTS: 001x|PTS[32..30]|1 PTS[29..15]|1 PTS[14..0]|1  (5 bytes, 33 bits)
 * ```
 */
import type { DataReason } from "../../core/reasons/catalogue.ts";
import type { SlabPool } from "../../core/slabs.ts";

/** Default cap on one reassembled PES packet, bytes (16 MiB). */
export const MAX_PES_BYTES = 16 * 1024 * 1024;

const EMPTY = new Uint8Array(0);

/** Fields of a PES header that the demuxer uses. PTS/DTS are raw 33-bit values. */
export interface PesHeader {
  streamId: number;
  /** PES_packet_length; 0 = unbounded (video only). */
  packetLength: number;
  pts?: number;
  dts?: number;
  dataAlignment: boolean;
  /** Offset of the first payload byte. */
  payloadOffset: number;
}

/** Reads a 33-bit timestamp in the 5-byte PTS/DTS layout (multiplication, not bit ops). */
export function readTimestamp33(d: Uint8Array, o: number): number {
  return ((d[o] >> 1) & 7) * 0x40000000 + ((d[o + 1] << 7) | (d[o + 2] >> 1)) * 0x8000 +
    ((d[o + 3] << 7) | (d[o + 4] >> 1));
}

/** stream_ids without the optional PES header (2.4.3.7, Table 2-21 condition). */
function noOptionalHeader(id: number): boolean {
  return id === 0xbc || id === 0xbe || id === 0xbf || id === 0xf0 || id === 0xf1 ||
    id === 0xff || id === 0xf2 || id === 0xf8;
}

/** Parses the header of a PES packet held in `d` (at least its header bytes). */
export function parsePesHeader(d: Uint8Array): Result<PesHeader, DataReason> {
  if (d.length < 6 || d[0] !== 0 || d[1] !== 0 || d[2] !== 1) return fail("pes_invalid");
  const streamId = d[3];
  const packetLength = (d[4] << 8) | d[5];
  if (noOptionalHeader(streamId)) {
    return ok({ streamId, packetLength, dataAlignment: false, payloadOffset: 6 });
  }
  if (d.length < 9 || (d[6] & 0xc0) !== 0x80) return fail("pes_invalid");
  const flags = d[7] >> 6;
  const payloadOffset = 9 + d[8];
  if (payloadOffset > d.length || flags === 1) return fail("pes_invalid");
  const h: PesHeader = {
    streamId,
    packetLength,
    dataAlignment: (d[6] & 0x04) !== 0,
    payloadOffset,
  };
  if (flags & 2) {
    if (payloadOffset < 14) return fail("pes_invalid");
    h.pts = readTimestamp33(d, 9);
    if (flags & 1) {
      if (payloadOffset < 19) return fail("pes_invalid");
      h.dts = readTimestamp33(d, 14);
    }
  }
  return ok(h);
}

/**
 * Slab that video PES buffers are cut from, bytes: a 1080p keyframe and tens of other
 * frames per allocation (fewer, larger allocations: each new slab is zeroed memory).
 */
export const PES_SLAB_BYTES = 1024 * 1024;
/** Slab of audio and other small-PES tracks, bytes (a few seconds of frames). */
export const PES_SLAB_SMALL_BYTES = 64 * 1024;

/**
 * Collects the TS payloads of one PES packet into a buffer it owns, so a completed PES
 * is handed out without a second copy. Bounded PES get an exact reservation; unbounded
 * ones (PES_packet_length 0) one sized from the previous PES of the same kind (random
 * access or not: a keyframe is several times a delta frame), grown by doubling up to
 * `max` bytes. Reservations are cut from slabs of `slabBytes` (a quarter of a slab at
 * most; bigger PES get a buffer of their own), the unused tail given back when the PES
 * completes, so frames lie back to back: one allocation per several frames instead of
 * one (zeroed, often freshly faulted-in) per frame. A slab is freed when the last frame
 * viewing it is (the GOP buffer drops oldest first); with a `pool` (H.264/H.265 tracks,
 * lib/container/mpegts/track.ts) slabs come from it and go back to it when the GOP
 * buffer lets go of their frames (lib/core/slabs.ts).
 */
export class PesBuffer {
  buf: Uint8Array = EMPTY;
  len = 0;
  /** Total PES size (6 + PES_packet_length) when bounded and known, else 0. */
  total = 0;
  /** Size hints of the next unbounded PES: [not random access, random access]. */
  readonly #hints = [4096, 4096];
  #rai = 0;
  readonly #slabMax: number;
  #slab: Uint8Array = EMPTY;
  /** Slab bytes reserved so far (the current reservation included). */
  #slabUsed = 0;
  /** Offset of `buf` in the current slab, or -1 when `buf` is not the slab's last reservation. */
  #resOff = -1;

  constructor(
    private readonly max: number,
    private readonly slabBytes = PES_SLAB_BYTES,
    private readonly pool?: SlabPool,
  ) {
    this.#slabMax = slabBytes >> 2;
  }

  /**
   * Starts a new PES with its first payload, `first[s, e)`; `rai`: its TS packet had the
   * random_access_indicator. False when it exceeds the cap.
   */
  start(first: Uint8Array, s = 0, e: number = first.length, rai = false): boolean {
    this.len = 0;
    this.total = 0;
    this.#rai = rai ? 1 : 0;
    let cap = this.#hints[this.#rai];
    if (e - s >= 6) {
      const plen = (first[s + 4] << 8) | first[s + 5];
      if (plen > 0) this.total = cap = 6 + plen;
    }
    if (cap > this.max) cap = this.max;
    if (cap < e - s) cap = e - s;
    this.buf = this.#reserve(cap);
    return this.append(first, s, e);
  }

  /** A fresh region of `cap` bytes: the current slab's tail, a new slab, or its own buffer. */
  #reserve(cap: number): Uint8Array {
    if (cap > this.#slabMax) {
      this.#resOff = -1;
      return new Uint8Array(cap);
    }
    if (this.#slabUsed + cap > this.#slab.length) {
      this.#slab = this.pool?.take() ?? new Uint8Array(this.slabBytes);
      this.#slabUsed = 0;
    }
    const o = this.#resOff = this.#slabUsed;
    this.#slabUsed = o + cap;
    return this.#slab.subarray(o, o + cap);
  }

  /** Room for `need` bytes: the reservation extended in place when it can be, else moved. */
  #grow(need: number): void {
    let cap = this.buf.length * 2 || 4096;
    while (cap < need) cap *= 2;
    if (cap > this.max) cap = this.max;
    const o = this.#resOff;
    if (o >= 0 && o + cap <= this.#slab.length && cap <= this.#slabMax) {
      this.#slabUsed = o + cap;
      this.buf = this.#slab.subarray(o, o + cap);
      return;
    }
    const old = this.buf.subarray(0, this.len);
    if (o >= 0) this.#slabUsed = o; // give the old reservation back before moving
    this.buf = this.#reserve(cap);
    this.buf.set(old);
  }

  /** Appends `src[s, e)`. Returns false (and keeps nothing) when over the cap. */
  append(src: Uint8Array, s = 0, e: number = src.length): boolean {
    // A view + set is cheaper here than a byte loop, even for one 184-byte payload.
    return this.appendView(src.subarray(s, e));
  }

  /**
   * Appends all of `view` (a view made for this call, or one its maker keeps per buffer
   * position: payload_views.ts). Returns false (and keeps nothing) when over the cap.
   */
  appendView(view: Uint8Array): boolean {
    const len = this.len;
    const need = len + view.length;
    if (need > this.max) {
      this.clear();
      return false;
    }
    if (need > this.buf.length) this.#grow(need);
    const buf = this.buf;
    buf.set(view, len);
    this.len = need;
    // PES_packet_length, once its bytes are in
    if (this.total === 0 && len < 6 && need >= 6) {
      const plen = (buf[4] << 8) | buf[5];
      if (plen > 0) this.total = 6 + plen;
    }
    return true;
  }

  /** True once a bounded PES has all its bytes. */
  get complete(): boolean {
    return this.total > 0 && this.len >= this.total;
  }

  /** Hands out the collected bytes (they stay the caller's) and resets. */
  take(): Uint8Array {
    const n = this.total > 0 && this.total < this.len ? this.total : this.len;
    const out = this.buf.subarray(0, n);
    if (this.len > 0) {
      this.#hints[this.#rai] = Math.min(Math.max(4096, this.len + (this.len >> 2)), this.max);
    }
    // The reservation's unused tail goes back to the slab (8-byte aligned starts).
    if (this.#resOff >= 0) {
      this.#slabUsed = Math.min(this.#slab.length, (this.#resOff + n + 7) & ~7);
    }
    this.#resOff = -1;
    this.buf = EMPTY;
    this.len = 0;
    this.total = 0;
    return out;
  }

  /** Drops what was collected (its reservation is reused). */
  clear(): void {
    if (this.#resOff >= 0) this.#slabUsed = this.#resOff;
    this.#resOff = -1;
    this.buf = EMPTY;
    this.len = 0;
    this.total = 0;
  }
}
