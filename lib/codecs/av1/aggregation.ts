/**
 * AV1 RTP aggregation header ("RTP Payload Format For AV1" v1.0, section 4.4). The OBU
 * element lengths are LEB128 (leb128.ts).
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
