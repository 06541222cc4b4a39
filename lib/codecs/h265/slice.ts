/**
 * H.265 slice segment header, the leading fields (ITU-T H.265 7.3.6.1):
 *
 * ```
 * slice_segment_header() {
 *   first_slice_segment_in_pic_flag                 u(1)
 *   if (nal_unit_type >= BLA_W_LP && <= RSV_IRAP_VCL23)
 *     no_output_of_prior_pics_flag                  u(1)
 *   slice_pic_parameter_set_id                      ue(v)
 *   if (!first_slice_segment_in_pic_flag) {
 *     if (dependent_slice_segments_enabled_flag)
 *       dependent_slice_segment_flag                u(1)
 *     slice_segment_address                         u(v)  Ceil(Log2(PicSizeInCtbsY)) bits
 *   }
 *   if (!dependent_slice_segment_flag) {
 *     slice_reserved_flag[i]  x num_extra_slice_header_bits  u(1)
 *     slice_type                                    ue(v)  0 B, 1 P, 2 I (Table 7-7)
 *     ...
 * ```
 * first_slice_segment_in_pic_flag needs nothing else; slice_type needs the PPS (and for
 * non-first segments the SPS) from an {@link H265SliceContext}.
 */
import { BitReader, unescapeRbsp } from "../../core/bits.ts";
import type { FrameType } from "../../core/types.ts";
import { h265IsIrap, h265IsVcl } from "./nal.ts";
import type { H265SliceContext } from "./slice_context.ts";
import type { Result } from "../../core/result.ts";
import { fail, ok } from "../../core/result.ts";

/** The leading fields of an H.265 slice segment header (7.3.6.1). */
export interface H265SliceHeader {
  /** nal_unit_type (0..31). */
  nalType: number;
  /** first_slice_segment_in_pic_flag. */
  firstSliceSegmentInPic: boolean;
  /** slice_pic_parameter_set_id. */
  ppsId: number;
  /** dependent_slice_segment_flag (false when absent). */
  dependent: boolean;
  /** slice_type (0 B, 1 P, 2 I), undefined when the PPS/SPS is unknown or the segment is dependent. */
  sliceType?: number;
  /** I/P/B from slice_type. */
  frameType?: FrameType;
}

/** Bytes of a slice NAL unit (header included) that cover the fields above. */
export const H265_SLICE_HEADER_BYTES = 32;

const TYPES: FrameType[] = ["B", "P", "I"];

function ceilLog2(n: number): number {
  let b = 0;
  while (2 ** b < n) b++;
  return b;
}

/**
 * Parses the leading slice segment header fields of a VCL NAL unit (2-byte NAL header
 * included, no start code). Without `ctx` (or without the referenced PPS) only
 * first_slice_segment_in_pic_flag and the PPS id are returned.
 */
export function parseH265SliceHeader(
  nal: Uint8Array,
  ctx?: H265SliceContext,
): Result<H265SliceHeader> {
  if (nal.length < 3) return fail("slice_header_short");
  const nalType = (nal[0] >> 1) & 0x3f;
  if (!h265IsVcl(nalType)) return fail("not_a_slice");
  const r = new BitReader(unescapeRbsp(nal, H265_SLICE_HEADER_BYTES), 2);
  const first = r.flag();
  if (h265IsIrap(nalType)) r.skip(1);
  const ppsId = r.ue();
  if (r.overrun) return fail("slice_header_short");
  if (ppsId > 63) return fail("pps_id_invalid");
  const hdr: H265SliceHeader = {
    nalType,
    firstSliceSegmentInPic: first,
    ppsId,
    dependent: false,
  };
  const pps = ctx?.pps.get(ppsId);
  if (!pps) return ok(hdr);
  if (!first) {
    if (pps.dependentSliceSegmentsEnabled) hdr.dependent = r.flag();
    const sps = ctx?.sps.get(pps.spsId);
    if (!sps) return ok(hdr);
    r.skip(ceilLog2(sps.picSizeInCtbs));
  }
  if (hdr.dependent) return ok(hdr);
  r.skip(pps.numExtraSliceHeaderBits);
  const sliceType = r.ue();
  if (r.overrun) return fail("slice_header_short");
  if (sliceType > 2) return fail("slice_type_invalid");
  hdr.sliceType = sliceType;
  hdr.frameType = TYPES[sliceType];
  return ok(hdr);
}
