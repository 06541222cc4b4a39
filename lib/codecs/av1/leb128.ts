/**
 * Unsigned LEB128 (AV1 Bitstream & Decoding Process Specification 4.10.5), as used by
 * OBU sizes (5.3.1) and AV1 RTP OBU element lengths ("RTP Payload Format For AV1" 4.4).
 * Allocation-free when the caller passes its own result slot.
 *
 * ```
 * leb128(): for (i = 0; i < 8; i++) { leb128_byte f(8); value |= (byte & 0x7f) << (i * 7);
 *           if (!(byte & 0x80)) break }            value < 2^32
 * ```
 */

/** A LEB128 value and how many bytes it took. */
export interface Leb128 {
  /** Decoded value. */
  value: number;
  /** Bytes the encoding took. */
  length: number;
}

/**
 * Reads an unsigned LEB128 (AV1 4.10.5) from `data[off..end)`: at most 8 bytes, values
 * below 2^32 as the spec requires. Fills and returns `out` (a fresh object when none is
 * given); null when the encoding is truncated or too large.
 */
export function readLeb128(
  data: Uint8Array,
  off: number,
  end: number = data.length,
  out?: Leb128,
): Leb128 | null {
  const stop = Math.min(end, data.length);
  let v = 0;
  for (let i = 0; i < 8; i++) {
    if (off + i >= stop) return null;
    const b = data[off + i];
    v += (b & 0x7f) * 2 ** (i * 7);
    if ((b & 0x80) === 0) {
      if (v > 0xffffffff) return null;
      const r = out ?? { value: 0, length: 0 };
      r.value = v;
      r.length = i + 1;
      return r;
    }
  }
  return null;
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

/**
 * Writes the shortest LEB128 encoding (AV1 4.10.5) of `value` (0..2^32-1) at `dst[off]`;
 * returns the bytes written ({@link leb128Size}).
 */
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
