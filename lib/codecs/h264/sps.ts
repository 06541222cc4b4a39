/**
 * H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1, VUI E.1.1): picture size after
 * frame cropping, profile / level names as ffprobe prints them, chroma format, bit depth,
 * interlace and the VUI frame rate.
 *
 * ```
 * profile_idc(8) constraint_set0..5_flags(6) reserved(2) level_idc(8) seq_parameter_set_id ue
 * [high profiles: chroma_format_idc ue [separate_colour_plane(1)] bit_depth_luma-8 ue
 *   bit_depth_chroma-8 ue qpprime_y_zero_transform_bypass(1) seq_scaling_matrix_present(1) ...]
 * log2_max_frame_num-4 ue pic_order_cnt_type ue ... max_num_ref_frames ue gaps(1)
 * pic_width_in_mbs-1 ue pic_height_in_map_units-1 ue frame_mbs_only(1) [mb_adaptive(1)]
 * direct_8x8(1) frame_cropping(1) [4 x ue] vui_parameters_present(1) [vui_parameters()]
 * ```
 */
import { BitReader, unescapeRbsp } from "../../core/bits.ts";
import type { VideoParams } from "../../core/types.ts";
import { fail, ok, type Result } from "../../core/result.ts";

/** Bytes of an SPS NAL unit looked at (an SPS with every scaling list is < 1 KiB). */
export const MAX_SPS_BYTES = 4096;
/** Largest picture dimension accepted, luma samples. */
export const MAX_PICTURE_DIMENSION = 16384;

/** H.264 SPS fields beyond VideoParams that later stages (slice headers) need. */
export interface H264Sps extends VideoParams {
  profileIdc: number;
  /** constraint_set0..5 flags as the raw byte (bit 7 = constraint_set0). */
  constraintFlags: number;
  /** level_idc as coded (ffprobe prints this number as `level`). */
  levelIdc: number;
  spsId: number;
  chromaFormatIdc: number;
  separateColourPlane: boolean;
  log2MaxFrameNum: number;
  picOrderCntType: number;
  log2MaxPocLsb: number;
  deltaPicOrderAlwaysZero: boolean;
  frameMbsOnly: boolean;
  /** VUI timing when present: fps = timeScale / (2 * numUnitsInTick) (E.2.1). */
  numUnitsInTick?: number;
  timeScale?: number;
  fixedFrameRate?: boolean;
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);
const CHROMA = ["4:0:0", "4:2:0", "4:2:2", "4:4:4"] as const;

/**
 * Profile name as ffprobe / libavcodec prints it (A.2): constraint_set1 turns Baseline into
 * "Constrained Baseline", constraint_set3 turns High 10 / 4:2:2 / 4:4:4 into their Intra form.
 */
export function h264ProfileName(profileIdc: number, constraintFlags: number): string {
  const cs1 = (constraintFlags & 0x40) !== 0;
  const cs3 = (constraintFlags & 0x10) !== 0;
  switch (profileIdc) {
    case 66:
      return cs1 ? "Constrained Baseline" : "Baseline";
    case 77:
      return "Main";
    case 88:
      return "Extended";
    case 100:
      return "High";
    case 110:
      return cs3 ? "High 10 Intra" : "High 10";
    case 122:
      return cs3 ? "High 4:2:2 Intra" : "High 4:2:2";
    case 244:
      return cs3 ? "High 4:4:4 Intra" : "High 4:4:4 Predictive";
    case 44:
      return "CAVLC 4:4:4";
    case 118:
      return "Multiview High";
    case 128:
      return "Stereo High";
    default:
      return `profile_${profileIdc}`;
  }
}

/**
 * Level as a dotted string (A.3): level_idc 40 -> "4.0", 31 -> "3.1"; level_idc 11 with
 * constraint_set3 in Baseline/Main/Extended is level "1b", as is level_idc 9.
 */
export function h264LevelName(
  levelIdc: number,
  profileIdc: number,
  constraintFlags: number,
): string {
  if (levelIdc === 9) return "1b";
  if (levelIdc === 11 && (constraintFlags & 0x10) && [66, 77, 88].includes(profileIdc)) return "1b";
  return `${Math.floor(levelIdc / 10)}.${levelIdc % 10}`;
}

/** Skips one scaling_list() of `size` coefficients (7.3.2.1.1.1). */
function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size && !r.overrun; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    if (next !== 0) last = next;
  }
}

/** Reads the VUI up to timing_info (E.1.1) into `out`. */
function readVuiTiming(r: BitReader, out: H264Sps): void {
  if (r.flag()) { // aspect_ratio_info_present_flag
    if (r.bits(8) === 255) r.skip(32); // Extended_SAR: sar_width, sar_height
  }
  if (r.flag()) r.skip(1); // overscan_info_present -> overscan_appropriate
  if (r.flag()) { // video_signal_type_present_flag
    r.skip(4); // video_format(3) video_full_range_flag(1)
    if (r.flag()) r.skip(24); // colour_primaries, transfer, matrix
  }
  if (r.flag()) { // chroma_loc_info_present_flag
    r.ue();
    r.ue();
  }
  if (r.flag()) { // timing_info_present_flag
    const units = r.bits(32);
    const scale = r.bits(32);
    const fixed = r.flag();
    if (!r.overrun && units > 0 && scale > 0) {
      out.numUnitsInTick = units;
      out.timeScale = scale;
      out.fixedFrameRate = fixed;
      out.fps = scale / (2 * units);
    }
  }
}

/**
 * Parses an H.264 SPS NAL unit (header byte included, emulation prevention still in).
 * Reasons: "sps_short", "sps_not_sps", "sps_invalid", "sps_truncated".
 */
export function parseH264Sps(nal: Uint8Array): Result<H264Sps> {
  if (nal.length < 4) return fail("sps_short");
  if ((nal[0] & 0x1f) !== 7 || (nal[0] & 0x80) !== 0) return fail("sps_not_sps");
  const r = new BitReader(unescapeRbsp(nal, MAX_SPS_BYTES), 1);
  const profileIdc = r.bits(8);
  const constraintFlags = r.bits(8);
  const levelIdc = r.bits(8);
  const spsId = r.ue();
  if (spsId > 31) return fail("sps_invalid");
  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  let bitDepth = 8;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = r.ue();
    if (chromaFormatIdc > 3) return fail("sps_invalid");
    if (chromaFormatIdc === 3) separateColourPlane = r.flag();
    bitDepth = r.ue() + 8;
    const bitDepthChroma = r.ue() + 8;
    if (bitDepth > 14 || bitDepthChroma > 14) return fail("sps_invalid");
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) { // seq_scaling_matrix_present_flag
      const lists = chromaFormatIdc !== 3 ? 8 : 12;
      for (let i = 0; i < lists; i++) {
        if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
  }
  const log2MaxFrameNum = r.ue() + 4;
  const picOrderCntType = r.ue();
  let log2MaxPocLsb = 0;
  let deltaPicOrderAlwaysZero = false;
  if (log2MaxFrameNum > 16 || picOrderCntType > 2) return fail("sps_invalid");
  if (picOrderCntType === 0) {
    log2MaxPocLsb = r.ue() + 4;
    if (log2MaxPocLsb > 16) return fail("sps_invalid");
  } else if (picOrderCntType === 1) {
    deltaPicOrderAlwaysZero = r.flag();
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const cycle = r.ue();
    if (cycle > 255) return fail("sps_invalid");
    for (let i = 0; i < cycle && !r.overrun; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.flag();
  if (!frameMbsOnly) r.skip(1); // mb_adaptive_frame_field_flag
  r.skip(1); // direct_8x8_inference_flag
  let cropL = 0, cropR = 0, cropT = 0, cropB = 0;
  if (r.flag()) {
    cropL = r.ue();
    cropR = r.ue();
    cropT = r.ue();
    cropB = r.ue();
  }
  const sps: H264Sps = {
    width: 0,
    height: 0,
    profile: h264ProfileName(profileIdc, constraintFlags),
    level: h264LevelName(levelIdc, profileIdc, constraintFlags),
    chromaFormat: CHROMA[separateColourPlane ? 3 : chromaFormatIdc],
    bitDepth,
    interlaced: !frameMbsOnly,
    profileIdc,
    constraintFlags,
    levelIdc,
    spsId,
    chromaFormatIdc,
    separateColourPlane,
    log2MaxFrameNum,
    picOrderCntType,
    log2MaxPocLsb,
    deltaPicOrderAlwaysZero,
    frameMbsOnly,
  };
  if (r.overrun) return fail("sps_truncated");
  if (r.flag()) readVuiTiming(r, sps); // vui_parameters_present_flag; VUI tail is optional info
  // Crop units (7-19..7-22): ChromaArrayType 0 (mono or separate planes) crops in luma samples.
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const subW = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
  const subH = chromaArrayType === 1 ? 2 : 1;
  const fieldFactor = frameMbsOnly ? 1 : 2;
  const width = widthMbs * 16 - subW * (cropL + cropR);
  const height = fieldFactor * heightMapUnits * 16 - subH * fieldFactor * (cropT + cropB);
  if (
    width <= 0 || height <= 0 || width > MAX_PICTURE_DIMENSION || height > MAX_PICTURE_DIMENSION
  ) {
    return fail("sps_invalid");
  }
  sps.width = width;
  sps.height = height;
  return ok(sps);
}
