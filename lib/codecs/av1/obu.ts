/**
 * AV1 OBU headers and iteration over a low-overhead bitstream (LEB128 sizes: leb128.ts)
 * (AV1 Bitstream & Decoding Process Specification 5.3, 4.10.5, Annex B is not used).
 *
 * ```
 * obu_header: forbidden(1)=0 obu_type(4) obu_extension_flag(1) obu_has_size_field(1) reserved(1)
 *             [temporal_id(3) spatial_id(2) reserved(3)]          when obu_extension_flag
 *             [obu_size leb128]                                   when obu_has_size_field
 * ```
 */
import { readLeb128 } from "./leb128.ts";
import { fail, ok, type Result } from "../../core/result.ts";

/** OBU types (AV1 6.2.2). */
export const ObuType = {
  SEQUENCE_HEADER: 1,
  TEMPORAL_DELIMITER: 2,
  FRAME_HEADER: 3,
  TILE_GROUP: 4,
  METADATA: 5,
  FRAME: 6,
  REDUNDANT_FRAME_HEADER: 7,
  TILE_LIST: 8,
  PADDING: 15,
} as const;

/** OBUs walked in one buffer at most (a temporal unit holds a few dozen). */
export const MAX_OBUS_PER_BUFFER = 4096;

/** One parsed OBU header. */
export interface ObuHeader {
  type: number;
  hasExtension: boolean;
  hasSizeField: boolean;
  temporalId: number;
  spatialId: number;
  /** Bytes of the header, size field included. */
  headerLength: number;
  /** obu_size when the size field is present, else undefined. */
  size?: number;
}

/**
 * Parses the OBU header at `off`. Reasons: "obu_short", "obu_forbidden_bit",
 * "obu_bad_size".
 */
export function parseObuHeader(data: Uint8Array, off = 0): Result<ObuHeader> {
  if (off >= data.length) return fail("obu_short");
  const b = data[off];
  if (b & 0x80) return fail("obu_forbidden_bit");
  const hasExtension = (b & 0x04) !== 0;
  const hasSizeField = (b & 0x02) !== 0;
  let headerLength = 1;
  let temporalId = 0;
  let spatialId = 0;
  if (hasExtension) {
    if (off + 1 >= data.length) return fail("obu_short");
    temporalId = data[off + 1] >> 5;
    spatialId = (data[off + 1] >> 3) & 3;
    headerLength = 2;
  }
  const h: ObuHeader = {
    type: (b >> 3) & 0x0f,
    hasExtension,
    hasSizeField,
    temporalId,
    spatialId,
    headerLength,
  };
  if (hasSizeField) {
    const s = readLeb128(data, off + headerLength);
    if (!s) return fail("obu_bad_size");
    h.size = s.value;
    h.headerLength += s.length;
  }
  return ok(h);
}

/** One OBU of a low-overhead bitstream: header and payload view. */
export interface Obu extends ObuHeader {
  /** Offset of the OBU (its header) in the input. */
  offset: number;
  /** The OBU payload (a subarray, not a copy). */
  payload: Uint8Array;
  /** The whole OBU, header included (a subarray). */
  bytes: Uint8Array;
}

/**
 * Splits a low-overhead bitstream (5.2: every OBU has obu_has_size_field = 1, except that
 * the last OBU may omit it and run to the end) into OBUs. Reasons: those of
 * parseObuHeader, "obu_overflow" (size past the end), "obu_too_many".
 */
export function splitObus(data: Uint8Array): Result<Obu[]> {
  const out: Obu[] = [];
  let off = 0;
  while (off < data.length) {
    if (out.length >= MAX_OBUS_PER_BUFFER) return fail("obu_too_many");
    const h = parseObuHeader(data, off);
    if (!h.ok) return h;
    const start = off + h.value.headerLength;
    const end = h.value.size === undefined ? data.length : start + h.value.size;
    if (end > data.length) return fail("obu_overflow");
    out.push({
      ...h.value,
      offset: off,
      payload: data.subarray(start, end),
      bytes: data.subarray(off, end),
    });
    off = end;
  }
  return ok(out);
}
