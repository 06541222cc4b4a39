/**
 * H.265 profile_tier_level() (ITU-T H.265 7.3.3), shared by the VPS and the SPS.
 *
 * ```
 * general_profile_space(2) general_tier_flag(1) general_profile_idc(5)
 * general_profile_compatibility_flag[32] progressive(1) interlaced(1) non_packed(1)
 * frame_only(1) constraint/reserved(43) inbld/reserved(1) general_level_idc(8)
 * sub_layer_profile_present(1) sub_layer_level_present(1)  x maxNumSubLayersMinus1
 * reserved_zero_2bits x (8 - maxNumSubLayersMinus1)   when maxNumSubLayersMinus1 > 0
 * per sub-layer: [88 bits of sub-layer profile] [sub_layer_level_idc(8)]
 * ```
 */
import type { BitReader } from "../../core/bits.ts";

/** General profile, tier and level of a coded video sequence. */
export interface ProfileTierLevel {
  profileSpace: number;
  /** false = Main tier, true = High tier. */
  highTier: boolean;
  profileIdc: number;
  /** general_profile_compatibility_flag[j] as a 32-bit number, bit 31 = j 0. */
  compatibilityFlags: number;
  progressiveSource: boolean;
  interlacedSource: boolean;
  /** general_level_idc = 30 x level number (ffprobe prints this number as `level`). */
  levelIdc: number;
}

/**
 * Reads profile_tier_level(1, maxNumSubLayersMinus1) at the reader's position, skipping
 * the sub-layer entries. The caller checks `r.overrun`.
 */
export function readProfileTierLevel(
  r: BitReader,
  maxNumSubLayersMinus1: number,
): ProfileTierLevel {
  const profileSpace = r.bits(2);
  const highTier = r.flag();
  const profileIdc = r.bits(5);
  const compatibilityFlags = r.bits(32);
  const progressiveSource = r.flag();
  const interlacedSource = r.flag();
  r.skip(2 + 43 + 1); // non_packed, frame_only, constraint flags, inbld
  const levelIdc = r.bits(8);
  let profilePresent = 0;
  let levelPresent = 0;
  for (let i = 0; i < maxNumSubLayersMinus1; i++) {
    profilePresent = profilePresent * 2 + r.bit();
    levelPresent = levelPresent * 2 + r.bit();
  }
  if (maxNumSubLayersMinus1 > 0) r.skip(2 * (8 - maxNumSubLayersMinus1));
  for (let i = maxNumSubLayersMinus1 - 1; i >= 0; i--) {
    if ((profilePresent >> i) & 1) r.skip(88);
    if ((levelPresent >> i) & 1) r.skip(8);
  }
  return {
    profileSpace,
    highTier,
    profileIdc,
    compatibilityFlags,
    progressiveSource,
    interlacedSource,
    levelIdc,
  };
}

/**
 * Profile name as ffprobe prints it (A.3): 1 "Main", 2 "Main 10", 3 "Main Still Picture",
 * 4 "Rext", 9 "SCC". A profile_idc of 0 falls back to the first compatibility flag set.
 */
export function h265ProfileName(p: ProfileTierLevel): string {
  let idc = p.profileIdc;
  if (idc === 0) {
    for (let j = 1; j < 32; j++) {
      if ((p.compatibilityFlags >>> (31 - j)) & 1) {
        idc = j;
        break;
      }
    }
  }
  switch (idc) {
    case 1:
      return "Main";
    case 2:
      return "Main 10";
    case 3:
      return "Main Still Picture";
    case 4:
      return "Rext";
    case 9:
      return "SCC";
    default:
      return `profile_${idc}`;
  }
}

/** Level as a dotted string: general_level_idc / 30 (A.4.1), 93 -> "3.1", 60 -> "2.0". */
export function h265LevelName(levelIdc: number): string {
  const tenths = Math.round(levelIdc / 3);
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
}
