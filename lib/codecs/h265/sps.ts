/**
 * H.265 sequence parameter set (ITU-T H.265 7.3.2.2.1, VUI E.2.1): size after the
 * conformance window, profile / tier / level, chroma format, bit depth and VUI timing.
 *
 * ```
 * nal_unit_header(16) sps_video_parameter_set_id(4) sps_max_sub_layers_minus1(3)
 * sps_temporal_id_nesting(1) profile_tier_level(1, maxSub) sps_seq_parameter_set_id ue
 * chroma_format_idc ue [separate_colour_plane(1)] pic_width ue pic_height ue
 * conformance_window_flag(1) [4 x ue] bit_depth_luma-8 ue bit_depth_chroma-8 ue
 * log2_max_poc_lsb-4 ue ordering info, block sizes, scaling_list_data(), amp, sao, pcm,
 * st_ref_pic_set() x n, long-term refs, temporal_mvp, strong_intra_smoothing,
 * vui_parameters_present(1) [vui_parameters()]
 * ```
 */
import { BitReader, unescapeRbsp } from "../../core/bits.ts";
import type { VideoParams } from "../../core/types.ts";
import {
  h265LevelName,
  h265ProfileName,
  type ProfileTierLevel,
  readProfileTierLevel,
} from "./profile_tier_level.ts";
import { type H265Vps, readTimingInfo } from "./vps.ts";
import { fail, ok, type Result } from "../../core/result.ts";

/** Bytes of an SPS NAL unit looked at. */
export const MAX_H265_SPS_BYTES = 4096;
/** Largest picture dimension accepted, luma samples. */
export const MAX_H265_DIMENSION = 16888;

/** H.265 SPS fields beyond VideoParams. */
export interface H265Sps extends VideoParams {
  ptl: ProfileTierLevel;
  /** general_level_idc as coded (ffprobe prints this number as `level`). */
  levelIdc: number;
  vpsId: number;
  spsId: number;
  maxSubLayersMinus1: number;
  chromaFormatIdc: number;
  separateColourPlane: boolean;
  bitDepthChroma: number;
  /** Coded size before the conformance window. */
  picWidthInLumaSamples: number;
  picHeightInLumaSamples: number;
  log2MaxPocLsb: number;
  log2MinCbSize: number;
  log2CtbSize: number;
  numShortTermRefPicSets: number;
  longTermRefPicsPresent: boolean;
  temporalMvpEnabled: boolean;
  /** VUI (or VPS) timing: fps = timeScale / numUnitsInTick (E.3.1). */
  numUnitsInTick?: number;
  timeScale?: number;
}

const CHROMA = ["4:0:0", "4:2:0", "4:2:2", "4:4:4"] as const;

/** Skips scaling_list_data() (7.3.4). */
function skipScalingListData(r: BitReader): void {
  for (let sizeId = 0; sizeId < 4; sizeId++) {
    for (let matrixId = 0; matrixId < 6; matrixId += sizeId === 3 ? 3 : 1) {
      if (!r.flag()) {
        r.ue(); // scaling_list_pred_matrix_id_delta
      } else {
        const coefNum = Math.min(64, 1 << (4 + (sizeId << 1)));
        if (sizeId > 1) r.se(); // scaling_list_dc_coef_minus8
        for (let i = 0; i < coefNum && !r.overrun; i++) r.se();
      }
    }
  }
}

/** Skips st_ref_pic_set(idx) (7.3.7); returns NumDeltaPocs[idx] or -1 when invalid. */
function skipStRefPicSet(r: BitReader, idx: number, numDeltaPocs: number[]): number {
  if (idx !== 0 && r.flag()) { // inter_ref_pic_set_prediction_flag (SPS: delta_idx = 1)
    r.skip(1); // delta_rps_sign
    r.ue(); // abs_delta_rps_minus1
    let n = 0;
    for (let j = 0; j <= numDeltaPocs[idx - 1]; j++) {
      const used = r.flag();
      if (used || r.flag()) n++; // use_delta_flag read only when !used
    }
    return n;
  }
  const neg = r.ue();
  const pos = r.ue();
  if (neg > 16 || pos > 16) return -1;
  for (let i = 0; i < neg + pos && !r.overrun; i++) {
    r.ue(); // delta_poc_sX_minus1
    r.skip(1); // used_by_curr_pic_sX_flag
  }
  return neg + pos;
}

/** Reads the VUI (E.2.1) up to vui_timing_info into `sps`. */
function readVuiTiming(r: BitReader, sps: H265Sps): void {
  if (r.flag() && r.bits(8) === 255) r.skip(32); // aspect ratio, Extended_SAR
  if (r.flag()) r.skip(1); // overscan
  if (r.flag()) { // video_signal_type_present_flag
    r.skip(4);
    if (r.flag()) r.skip(24);
  }
  if (r.flag()) { // chroma_loc_info_present_flag
    r.ue();
    r.ue();
  }
  r.skip(1); // neutral_chroma_indication_flag
  if (r.flag()) sps.interlaced = true; // field_seq_flag: pictures are fields
  r.skip(1); // frame_field_info_present_flag
  if (r.flag()) { // default_display_window_flag
    r.ue();
    r.ue();
    r.ue();
    r.ue();
  }
  if (r.flag()) readTimingInfo(r, sps); // vui_timing_info_present_flag
}

/**
 * Parses an H.265 SPS NAL unit (2-byte header included). When the SPS has no VUI timing,
 * the timing of `vps` (if given and present) is used. Reasons: "sps_short", "sps_not_sps",
 * "sps_invalid", "sps_truncated".
 */
export function parseH265Sps(nal: Uint8Array, vps?: H265Vps): Result<H265Sps> {
  if (nal.length < 6) return fail("sps_short");
  if (((nal[0] >> 1) & 0x3f) !== 33 || (nal[0] & 0x80) !== 0) return fail("sps_not_sps");
  const r = new BitReader(unescapeRbsp(nal, MAX_H265_SPS_BYTES), 2);
  const vpsId = r.bits(4);
  const maxSubLayersMinus1 = r.bits(3);
  if (maxSubLayersMinus1 > 6) return fail("sps_invalid");
  r.skip(1);
  const ptl = readProfileTierLevel(r, maxSubLayersMinus1);
  const spsId = r.ue();
  const chromaFormatIdc = r.ue();
  if (spsId > 15 || chromaFormatIdc > 3) return fail("sps_invalid");
  const separateColourPlane = chromaFormatIdc === 3 ? r.flag() : false;
  const picW = r.ue();
  const picH = r.ue();
  let winL = 0, winR = 0, winT = 0, winB = 0;
  if (r.flag()) {
    winL = r.ue();
    winR = r.ue();
    winT = r.ue();
    winB = r.ue();
  }
  const bitDepth = r.ue() + 8;
  const bitDepthChroma = r.ue() + 8;
  const log2MaxPocLsb = r.ue() + 4;
  if (bitDepth > 16 || bitDepthChroma > 16 || log2MaxPocLsb > 16) return fail("sps_invalid");
  const orderingAll = r.flag();
  for (let i = orderingAll ? 0 : maxSubLayersMinus1; i <= maxSubLayersMinus1; i++) {
    r.ue();
    r.ue();
    r.ue();
  }
  const log2MinCbSize = r.ue() + 3;
  const log2CtbSize = log2MinCbSize + r.ue();
  r.ue(); // log2_min_luma_transform_block_size_minus2
  r.ue(); // log2_diff_max_min_luma_transform_block_size
  r.ue(); // max_transform_hierarchy_depth_inter
  r.ue(); // max_transform_hierarchy_depth_intra
  if (log2CtbSize > 6) return fail("sps_invalid");
  if (r.flag() && r.flag()) skipScalingListData(r); // scaling_list_enabled, data_present
  r.skip(2); // amp_enabled_flag, sample_adaptive_offset_enabled_flag
  if (r.flag()) { // pcm_enabled_flag
    r.skip(8); // pcm sample bit depths
    r.ue();
    r.ue();
    r.skip(1);
  }
  const numShortTermRefPicSets = r.ue();
  if (numShortTermRefPicSets > 64) return fail("sps_invalid");
  const numDeltaPocs: number[] = [];
  for (let i = 0; i < numShortTermRefPicSets && !r.overrun; i++) {
    const n = skipStRefPicSet(r, i, numDeltaPocs);
    if (n < 0 || n > 32) return fail("sps_invalid");
    numDeltaPocs.push(n);
  }
  const longTermRefPicsPresent = r.flag();
  if (longTermRefPicsPresent) {
    const n = r.ue();
    if (n > 32) return fail("sps_invalid");
    r.skip(n * (log2MaxPocLsb + 1)); // lt_ref_pic_poc_lsb_sps, used_by_curr_pic_lt_sps_flag
  }
  const temporalMvpEnabled = r.flag();
  r.skip(1); // strong_intra_smoothing_enabled_flag
  if (r.overrun) return fail("sps_truncated");
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const subW = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
  const subH = chromaArrayType === 1 ? 2 : 1;
  const width = picW - subW * (winL + winR);
  const height = picH - subH * (winT + winB);
  if (width <= 0 || height <= 0 || picW > MAX_H265_DIMENSION || picH > MAX_H265_DIMENSION) {
    return fail("sps_invalid");
  }
  const sps: H265Sps = {
    width,
    height,
    profile: h265ProfileName(ptl),
    level: h265LevelName(ptl.levelIdc),
    chromaFormat: CHROMA[separateColourPlane ? 3 : chromaFormatIdc],
    bitDepth,
    interlaced: ptl.interlacedSource && !ptl.progressiveSource,
    ptl,
    levelIdc: ptl.levelIdc,
    vpsId,
    spsId,
    maxSubLayersMinus1,
    chromaFormatIdc,
    separateColourPlane,
    bitDepthChroma,
    picWidthInLumaSamples: picW,
    picHeightInLumaSamples: picH,
    log2MaxPocLsb,
    log2MinCbSize,
    log2CtbSize,
    numShortTermRefPicSets,
    longTermRefPicsPresent,
    temporalMvpEnabled,
  };
  if (r.flag()) readVuiTiming(r, sps); // vui_parameters_present_flag
  if (sps.fps === undefined && vps?.fps !== undefined && vps.vpsId === vpsId) {
    sps.numUnitsInTick = vps.numUnitsInTick;
    sps.timeScale = vps.timeScale;
    sps.fps = vps.fps;
  }
  return ok(sps);
}
