/**
 * The few H.265 parameter-set fields a slice segment header needs (ITU-T H.265 7.3.2.2,
 * 7.3.2.3): from the SPS the picture size in CTBs (for the bit width of
 * slice_segment_address), from the PPS dependent_slice_segments_enabled_flag,
 * output_flag_present_flag and num_extra_slice_header_bits.
 *
 * ```
 * seq_parameter_set_rbsp() {            pic_parameter_set_rbsp() {
 *   sps_video_parameter_set_id  u(4)      pps_pic_parameter_set_id        ue(v)
 *   sps_max_sub_layers_minus1   u(3)      pps_seq_parameter_set_id        ue(v)
 *   sps_temporal_id_nesting     u(1)      dependent_slice_segments_enabled u(1)
 *   profile_tier_level(1, max_sub_layers_minus1)   output_flag_present_flag u(1)
 *   sps_seq_parameter_set_id    ue(v)     num_extra_slice_header_bits     u(3)
 *   chroma_format_idc ue(v) [separate_colour_plane_flag u(1)]  ...
 *   pic_width/height_in_luma_samples ue(v) x2, conformance_window ...
 *   bit_depth x2, log2_max_pic_order_cnt_lsb_minus4, sub_layer_ordering_info ...
 *   log2_min_luma_coding_block_size_minus3 ue(v)
 *   log2_diff_max_min_luma_coding_block_size ue(v)
 * ```
 */
import { BitReader, unescapeRbsp } from "../bits.ts";
import type { Result } from "../types.ts";
import { fail, ok } from "../types.ts";

/** SPS fields used by slice header parsing (H.265 7.4.3.2). */
export interface H265SpsSliceInfo {
  spsId: number;
  width: number;
  height: number;
  /** CtbLog2SizeY (7-10). */
  ctbLog2: number;
  /** PicSizeInCtbsY (7-19). */
  picSizeInCtbs: number;
}

/** PPS fields used by slice header parsing (H.265 7.4.3.3). */
export interface H265PpsSliceInfo {
  ppsId: number;
  spsId: number;
  dependentSliceSegmentsEnabled: boolean;
  outputFlagPresent: boolean;
  numExtraSliceHeaderBits: number;
}

/** Bytes of an SPS/PPS NAL unit read at most (the fields above come early). */
const PARAM_BYTES = 256;

function skipProfileTierLevel(r: BitReader, maxSubLayersMinus1: number): void {
  r.skip(88 + 8); // general profile (88 bits) + general_level_idc
  const profile: boolean[] = [];
  const level: boolean[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    profile.push(r.flag());
    level.push(r.flag());
  }
  if (maxSubLayersMinus1 > 0) r.skip(2 * (8 - maxSubLayersMinus1));
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (profile[i]) r.skip(88);
    if (level[i]) r.skip(8);
  }
}

/** Parses the slice-relevant SPS fields from an SPS NAL unit (2-byte header included). */
export function parseH265SpsSliceInfo(nal: Uint8Array): Result<H265SpsSliceInfo> {
  const r = new BitReader(unescapeRbsp(nal, PARAM_BYTES), 2);
  r.skip(4);
  const maxSub = r.bits(3);
  r.skip(1);
  skipProfileTierLevel(r, maxSub);
  const spsId = r.ue();
  const chroma = r.ue();
  if (chroma === 3) r.skip(1);
  const width = r.ue();
  const height = r.ue();
  if (r.flag()) {
    r.ue();
    r.ue();
    r.ue();
    r.ue();
  }
  r.ue(); // bit_depth_luma_minus8
  r.ue(); // bit_depth_chroma_minus8
  r.ue(); // log2_max_pic_order_cnt_lsb_minus4
  const orderingAll = r.flag();
  for (let i = orderingAll ? 0 : maxSub; i <= maxSub; i++) {
    r.ue();
    r.ue();
    r.ue();
  }
  const minCbLog2 = r.ue() + 3;
  const ctbLog2 = minCbLog2 + r.ue();
  if (r.overrun) return fail("sps_short");
  if (spsId > 15 || ctbLog2 < 4 || ctbLog2 > 6 || width === 0 || height === 0) {
    return fail("sps_invalid");
  }
  const ctb = 1 << ctbLog2;
  const picSizeInCtbs = Math.ceil(width / ctb) * Math.ceil(height / ctb);
  return ok({ spsId, width, height, ctbLog2, picSizeInCtbs });
}

/** Parses the slice-relevant PPS fields from a PPS NAL unit (2-byte header included). */
export function parseH265PpsSliceInfo(nal: Uint8Array): Result<H265PpsSliceInfo> {
  const r = new BitReader(unescapeRbsp(nal, 16), 2);
  const ppsId = r.ue();
  const spsId = r.ue();
  const dependentSliceSegmentsEnabled = r.flag();
  const outputFlagPresent = r.flag();
  const numExtraSliceHeaderBits = r.bits(3);
  if (r.overrun) return fail("pps_short");
  if (ppsId > 63 || spsId > 15) return fail("pps_invalid");
  return ok({
    ppsId,
    spsId,
    dependentSliceSegmentsEnabled,
    outputFlagPresent,
    numExtraSliceHeaderBits,
  });
}

/**
 * The active parameter sets of one H.265 track, as far as slice headers need them.
 * Feed it every SPS and PPS NAL unit seen; bounded by the spec's id ranges (16 SPS, 64 PPS).
 */
export class H265SliceContext {
  readonly sps = new Map<number, H265SpsSliceInfo>();
  readonly pps = new Map<number, H265PpsSliceInfo>();

  /** Records an SPS; returns the failure reason when it does not parse. */
  addSps(nal: Uint8Array): string | undefined {
    const r = parseH265SpsSliceInfo(nal);
    if (!r.ok) return r.reason;
    this.sps.set(r.value.spsId, r.value);
  }

  /** Records a PPS; returns the failure reason when it does not parse. */
  addPps(nal: Uint8Array): string | undefined {
    const r = parseH265PpsSliceInfo(nal);
    if (!r.ok) return r.reason;
    this.pps.set(r.value.ppsId, r.value);
  }
}
