/**
 * H.264 slice header, the first fields only (ITU-T H.264 7.3.3):
 *
 * ```
 * slice_header() {
 *   first_mb_in_slice        ue(v)
 *   slice_type               ue(v)   0/5 P, 1/6 B, 2/7 I, 3/8 SP, 4/9 SI (7.4.3, Table 7-6)
 *   pic_parameter_set_id     ue(v)
 *   ...
 * ```
 * Enough to find picture boundaries (first_mb_in_slice == 0, 7.4.1.2.4) and the frame type.
 */
import { BitReader, unescapeRbsp } from "../../core/bits.ts";
import type { FrameType } from "../../core/types.ts";
import type { Result } from "../../core/result.ts";
import { fail, ok } from "../../core/result.ts";

/** The leading fields of an H.264 slice header (7.3.3). */
export interface H264SliceHeader {
  /** nal_unit_type (1..5). */
  nalType: number;
  /** nal_ref_idc (7.4.1). */
  nalRefIdc: number;
  /** first_mb_in_slice: 0 for the first slice of a picture. */
  firstMb: number;
  /** slice_type as coded, 0..9. */
  sliceType: number;
  /** I/P/B from slice_type % 5 (SP counts as P, SI as I). */
  frameType: FrameType;
  /** pic_parameter_set_id, 0..255. */
  ppsId: number;
}

/** Bytes of a slice NAL unit (header included) that always cover the three fields. */
export const H264_SLICE_HEADER_BYTES = 24;

const TYPES: FrameType[] = ["P", "B", "I", "P", "I"];

/** Maps an H.264 slice_type (0..9, Table 7-6) to I/P/B. */
export function h264FrameType(sliceType: number): FrameType {
  return TYPES[sliceType % 5];
}

/**
 * Parses the first fields of a slice header from a VCL NAL unit (with its 1-byte NAL
 * header, no start code). Only the first bytes are needed; a truncated or malformed
 * header returns `{ ok: false }`.
 */
export function parseH264SliceHeader(nal: Uint8Array): Result<H264SliceHeader> {
  if (nal.length < 2) return fail("slice_header_short");
  const nalType = nal[0] & 0x1f;
  // Slices (1), IDR slices (5) and data partition A (2) start with a slice header;
  // partitions B and C (3, 4) do not.
  if (nalType !== 1 && nalType !== 2 && nalType !== 5) return fail("not_a_slice");
  const r = new BitReader(unescapeRbsp(nal, H264_SLICE_HEADER_BYTES), 1);
  const firstMb = r.ue();
  const sliceType = r.ue();
  const ppsId = r.ue();
  if (r.overrun) return fail("slice_header_short");
  if (sliceType > 9) return fail("slice_type_invalid");
  if (ppsId > 255) return fail("pps_id_invalid");
  return ok({
    nalType,
    nalRefIdc: (nal[0] >> 5) & 3,
    firstMb,
    sliceType,
    frameType: h264FrameType(sliceType),
    ppsId,
  });
}
