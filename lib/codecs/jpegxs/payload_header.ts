/**
 * JPEG XS RTP payload header (RFC 9134 section 4.3), 4 bytes after the RTP header:
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |T|K|L| I |F counter|     SEP counter     |      P counter      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 * T: 1 = packets sent sequentially, 0 = possibly out of order (slice mode only).
 * K: packetization mode, 0 = codestream (the unit is the whole picture segment:
 *    boxes + codestream of a frame or field), 1 = slice (units: the header segment,
 *    then one slice each).
 * L: last packet of a packetization unit.
 * I: 0 progressive, 1 reserved, 2 first field, 3 second field of an interlaced frame.
 * F: frame counter modulo 32. SEP: codestream mode, the extension of P (incremented
 *    when P wraps); slice mode, the slice index modulo 2047, 2047 for the header
 *    segment. P: packet index within the packetization unit, modulo 2048.
 */

/** Payload header length, bytes (RFC 9134 4.3). */
export const JXS_HEADER_BYTES = 4;
/** SEP counter value of the header-segment unit in slice packetization mode (RFC 9134 4.3). */
export const JXS_SEP_HEADER_SEGMENT = 0x7ff;

/** Decoded payload header fields (RFC 9134 4.3). */
export interface JxsPayloadHeader {
  /** T: sequential transmission. */
  sequential: boolean;
  /** K: slice packetization mode (false = codestream mode). */
  sliceMode: boolean;
  /** L: last packet of its packetization unit. */
  last: boolean;
  /** I: 0 progressive, 2 first field, 3 second field (1 reserved). */
  interlace: number;
  /** F counter, 0..31. */
  frame: number;
  /** SEP counter, 0..2047. */
  sep: number;
  /** P counter, 0..2047. */
  packet: number;
}

/** A zeroed header object, to be filled by {@link readJxsHeader}. */
export function newJxsHeader(): JxsPayloadHeader {
  return {
    sequential: true,
    sliceMode: false,
    last: false,
    interlace: 0,
    frame: 0,
    sep: 0,
    packet: 0,
  };
}

/**
 * Reads the payload header at the start of `payload` into `out` (no allocation).
 * Returns false when the payload is shorter than the header.
 */
export function readJxsHeader(payload: Uint8Array, out: JxsPayloadHeader): boolean {
  if (payload.length < JXS_HEADER_BYTES) return false;
  const b0 = payload[0], b1 = payload[1], b2 = payload[2], b3 = payload[3];
  out.sequential = (b0 & 0x80) !== 0;
  out.sliceMode = (b0 & 0x40) !== 0;
  out.last = (b0 & 0x20) !== 0;
  out.interlace = (b0 >> 3) & 3;
  out.frame = ((b0 & 7) << 2) | (b1 >> 6);
  out.sep = ((b1 & 0x3f) << 5) | (b2 >> 3);
  out.packet = ((b2 & 7) << 8) | b3;
  return true;
}

/** Writes `h` as 4 bytes at `dst[off]` (RFC 9134 4.3). Fields are masked to their width. */
export function writeJxsHeader(dst: Uint8Array, off: number, h: JxsPayloadHeader): void {
  const f = h.frame & 31, sep = h.sep & 0x7ff, p = h.packet & 0x7ff;
  dst[off] = (h.sequential ? 0x80 : 0) | (h.sliceMode ? 0x40 : 0) | (h.last ? 0x20 : 0) |
    ((h.interlace & 3) << 3) | (f >> 2);
  dst[off + 1] = ((f & 3) << 6) | (sep >> 5);
  dst[off + 2] = ((sep & 31) << 3) | (p >> 8);
  dst[off + 3] = p & 0xff;
}
