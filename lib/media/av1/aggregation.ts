/**
 * AV1 RTP aggregation header and LEB128 helpers ("RTP Payload Format For AV1" v1.0,
 * section 4.4, and AV1 bitstream spec 4.10.5). Allocation-free: readers fill a
 * caller-owned result object.
 *
 * ```
 *  0 1 2 3 4 5 6 7
 * +-+-+-+-+-+-+-+-+
 * |Z|Y| W |N|-|-|-|
 * +-+-+-+-+-+-+-+-+
 * ```
 * Z: the first OBU element continues an OBU fragment of the previous packet.
 * Y: the last OBU element continues in the next packet.
 * W: number of OBU elements; 0 = every element carries a LEB128 length, 1..3 = every
 *    element but the last carries one.
 * N: first packet of a coded video sequence.
 */

/** Z bit of the aggregation header (AV1 RTP 4.4). */
export function aggZ(b: number): boolean {
  return (b & 0x80) !== 0;
}
/** Y bit of the aggregation header (AV1 RTP 4.4). */
export function aggY(b: number): boolean {
  return (b & 0x40) !== 0;
}
/** W field (0..3) of the aggregation header (AV1 RTP 4.4). */
export function aggW(b: number): number {
  return (b >> 4) & 3;
}
/** N bit of the aggregation header (AV1 RTP 4.4). */
export function aggN(b: number): boolean {
  return (b & 0x08) !== 0;
}

/** Builds an aggregation header byte (AV1 RTP 4.4). */
export function aggregationHeader(z: boolean, y: boolean, w: number, n: boolean): number {
  return (z ? 0x80 : 0) | (y ? 0x40 : 0) | ((w & 3) << 4) | (n ? 0x08 : 0);
}

/** Result slot of {@link readLeb128}. */
export interface Leb128 {
  /** Decoded value. */
  value: number;
  /** Bytes the encoding took. */
  length: number;
}

/**
 * Reads an unsigned LEB128 (AV1 4.10.5) from `data[off..end)`, at most 8 bytes and
 * values below 2^32 as the spec requires. Returns false (and leaves `out` undefined
 * in meaning) when the encoding is truncated or too large.
 */
export function readLeb128(data: Uint8Array, off: number, end: number, out: Leb128): boolean {
  let v = 0;
  for (let i = 0; i < 8; i++) {
    if (off + i >= end) return false;
    const b = data[off + i];
    v += (b & 0x7f) * 2 ** (i * 7);
    if ((b & 0x80) === 0) {
      if (v > 0xffffffff) return false;
      out.value = v;
      out.length = i + 1;
      return true;
    }
  }
  return false;
}

/** Bytes of the shortest LEB128 encoding of `value` (AV1 4.10.5). */
export function leb128Size(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/** Writes the shortest LEB128 encoding of `value` at `dst[off]`; returns bytes written. */
export function writeLeb128(dst: Uint8Array, off: number, value: number): number {
  let n = 0;
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    dst[off + n++] = b;
  } while (value > 0);
  return n;
}
