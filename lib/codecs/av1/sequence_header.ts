/**
 * AV1 sequence header OBU (AV1 5.5 sequence_header_obu, 5.5.2 color_config, 5.5.3
 * timing_info): profile, level, maximum frame size, bit depth, subsampling, frame rate.
 *
 * ```
 * seq_profile(3) still_picture(1) reduced_still_picture_header(1)
 * [timing_info_present(1) [timing_info [decoder_model_info]] initial_display_delay_present(1)
 *  operating_points_cnt_minus_1(5) { operating_point_idc(12) seq_level_idx(5) [seq_tier(1)] ...}]
 * frame_width_bits_minus_1(4) frame_height_bits_minus_1(4) max_frame_width_minus_1(n)
 * max_frame_height_minus_1(n) [frame_id_numbers_present(1) ...] use_128x128_superblock(1)
 * enable_filter_intra(1) enable_intra_edge_filter(1) [inter tools ...] enable_superres(1)
 * enable_cdef(1) enable_restoration(1) color_config() film_grain_params_present(1)
 * ```
 */
import { BitReader } from "../../core/bits.ts";
import type { VideoParams } from "../../core/types.ts";
import { fail, ok, type Result } from "../../core/result.ts";

/** Bytes of a sequence header payload looked at (real ones are < 100 bytes). */
export const MAX_SEQUENCE_HEADER_BYTES = 1024;

/** Sequence header fields beyond VideoParams. */
export interface Av1SequenceHeader extends VideoParams {
  seqProfile: number;
  stillPicture: boolean;
  reducedStillPictureHeader: boolean;
  /** seq_level_idx of operating point 0 (ffprobe prints this number as `level`). */
  seqLevelIdx: number;
  seqTier: number;
  operatingPoints: number;
  timingInfoPresent: boolean;
  decoderModelInfoPresent: boolean;
  equalPictureInterval: boolean;
  frameIdNumbersPresent: boolean;
  /** OrderHintBits (0 when order hints are off). */
  orderHintBits: number;
  monochrome: boolean;
  subsamplingX: number;
  subsamplingY: number;
  filmGrainParamsPresent: boolean;
}

const PROFILES = ["Main", "High", "Professional"] as const;

/** uvlc() (4.10.3); 2^32 - 1 for 32 or more leading zeros. */
function uvlc(r: BitReader): number {
  let zeros = 0;
  while (!r.overrun && r.bit() === 0) zeros++;
  if (zeros >= 32) return 0xffffffff;
  return r.bits(zeros) + 2 ** zeros - 1;
}

/** Level as "X.Y" from seq_level_idx (Annex A.3): 2 + (idx >> 2) . (idx & 3); 31 = "max". */
export function av1LevelName(seqLevelIdx: number): string {
  if (seqLevelIdx === 31) return "max";
  return `${2 + (seqLevelIdx >> 2)}.${seqLevelIdx & 3}`;
}

/**
 * Parses the payload of a sequence header OBU (the bytes after the OBU header and size).
 * Reasons: "seq_invalid", "seq_truncated".
 */
export function parseAv1SequenceHeader(payload: Uint8Array): Result<Av1SequenceHeader> {
  const r = new BitReader(payload.subarray(0, MAX_SEQUENCE_HEADER_BYTES));
  const seqProfile = r.bits(3);
  if (seqProfile > 2) return fail("seq_invalid");
  const stillPicture = r.flag();
  const reduced = r.flag();
  let timingInfoPresent = false;
  let decoderModelInfoPresent = false;
  let equalPictureInterval = false;
  let fps: number | undefined;
  let seqLevelIdx = 0;
  let seqTier = 0;
  let operatingPoints = 1;
  if (reduced) {
    seqLevelIdx = r.bits(5);
  } else {
    timingInfoPresent = r.flag();
    let bufferDelayLength = 0;
    if (timingInfoPresent) {
      const unitsInDisplayTick = r.bits(32);
      const timeScale = r.bits(32);
      equalPictureInterval = r.flag();
      const ticksPerPicture = equalPictureInterval ? uvlc(r) + 1 : 1;
      if (unitsInDisplayTick > 0 && timeScale > 0) {
        fps = timeScale / (unitsInDisplayTick * ticksPerPicture);
      }
      decoderModelInfoPresent = r.flag();
      if (decoderModelInfoPresent) {
        bufferDelayLength = r.bits(5) + 1;
        r.skip(32 + 5 + 5); // num_units_in_decoding_tick, removal/presentation time lengths
      }
    }
    const initialDisplayDelayPresent = r.flag();
    operatingPoints = r.bits(5) + 1;
    for (let i = 0; i < operatingPoints && !r.overrun; i++) {
      r.skip(12); // operating_point_idc
      const idx = r.bits(5);
      const tier = idx > 7 ? r.bit() : 0;
      if (i === 0) {
        seqLevelIdx = idx;
        seqTier = tier;
      }
      if (decoderModelInfoPresent && r.flag()) r.skip(2 * bufferDelayLength + 1);
      if (initialDisplayDelayPresent && r.flag()) r.skip(4);
    }
  }
  const wBits = r.bits(4) + 1;
  const hBits = r.bits(4) + 1;
  const width = r.bits(wBits) + 1;
  const height = r.bits(hBits) + 1;
  let frameIdNumbersPresent = false;
  if (!reduced) frameIdNumbersPresent = r.flag();
  if (frameIdNumbersPresent) r.skip(4 + 3);
  r.skip(3); // use_128x128_superblock, enable_filter_intra, enable_intra_edge_filter
  let orderHintBits = 0;
  if (!reduced) {
    r.skip(4); // interintra_compound, masked_compound, warped_motion, dual_filter
    const enableOrderHint = r.flag();
    if (enableOrderHint) r.skip(2); // jnt_comp, ref_frame_mvs
    const chooseScreenContent = r.flag();
    const forceScreenContent = chooseScreenContent ? 2 : r.bit();
    if (forceScreenContent > 0 && !r.flag()) r.skip(1); // seq_choose_integer_mv, force_integer_mv
    if (enableOrderHint) orderHintBits = r.bits(3) + 1;
  }
  r.skip(3); // enable_superres, enable_cdef, enable_restoration
  // color_config (5.5.2)
  const highBitdepth = r.flag();
  let bitDepth = highBitdepth ? 10 : 8;
  if (seqProfile === 2 && highBitdepth && r.flag()) bitDepth = 12;
  const monochrome = seqProfile === 1 ? false : r.flag();
  let cp = 2, tc = 2, mc = 2;
  if (r.flag()) { // color_description_present_flag
    cp = r.bits(8);
    tc = r.bits(8);
    mc = r.bits(8);
  }
  let sx = 1, sy = 1;
  if (monochrome) {
    r.skip(1); // color_range
  } else if (cp === 1 && tc === 13 && mc === 0) { // sRGB: 4:4:4
    sx = 0;
    sy = 0;
  } else {
    r.skip(1); // color_range
    if (seqProfile === 1) {
      sx = 0;
      sy = 0;
    } else if (seqProfile === 2) {
      if (bitDepth === 12) {
        sx = r.bit();
        sy = sx ? r.bit() : 0;
      } else {
        sx = 1;
        sy = 0;
      }
    }
    if (sx && sy) r.skip(2); // chroma_sample_position
  }
  if (!monochrome) r.skip(1); // separate_uv_delta_q
  const filmGrainParamsPresent = r.flag();
  if (r.overrun) return fail("seq_truncated");
  const chromaFormat = monochrome ? "4:0:0" : sx && sy ? "4:2:0" : sx ? "4:2:2" : "4:4:4";
  return ok({
    width,
    height,
    profile: PROFILES[seqProfile],
    level: av1LevelName(seqLevelIdx),
    fps,
    chromaFormat,
    bitDepth,
    interlaced: false,
    seqProfile,
    stillPicture,
    reducedStillPictureHeader: reduced,
    seqLevelIdx,
    seqTier,
    operatingPoints,
    timingInfoPresent,
    decoderModelInfoPresent,
    equalPictureInterval,
    frameIdNumbersPresent,
    orderHintBits,
    monochrome,
    subsamplingX: sx,
    subsamplingY: sy,
    filmGrainParamsPresent,
  });
}
