/**
 * H.265 video parameter set (ITU-T H.265 7.3.2.1), read up to vps_timing_info.
 *
 * ```
 * nal_unit_header(16) vps_video_parameter_set_id(4) vps_base_layer_internal(1)
 * vps_base_layer_available(1) vps_max_layers_minus1(6) vps_max_sub_layers_minus1(3)
 * vps_temporal_id_nesting(1) vps_reserved_0xffff_16bits(16) profile_tier_level(1, maxSub)
 * vps_sub_layer_ordering_info_present(1) { 3 x ue } vps_max_layer_id(6)
 * vps_num_layer_sets_minus1 ue { layer_id_included_flag x (max_layer_id + 1) }
 * vps_timing_info_present(1) [num_units_in_tick(32) time_scale(32) poc_proportional(1) ...]
 * ```
 */
import { BitReader, unescapeRbsp } from "../../core/bits.ts";
import { type ProfileTierLevel, readProfileTierLevel } from "./profile_tier_level.ts";
import { fail, ok, type Result } from "../../core/result.ts";

/** Bytes of a VPS NAL unit looked at. */
export const MAX_VPS_BYTES = 4096;

/** The VPS fields sluice uses. */
export interface H265Vps {
  vpsId: number;
  maxSubLayersMinus1: number;
  ptl: ProfileTierLevel;
  /** vps_timing_info when present: fps = timeScale / numUnitsInTick. */
  numUnitsInTick?: number;
  timeScale?: number;
  fps?: number;
}

/**
 * Parses an H.265 VPS NAL unit (2-byte header included).
 * Reasons: "vps_short", "vps_not_vps", "vps_invalid", "vps_truncated".
 */
export function parseH265Vps(nal: Uint8Array): Result<H265Vps> {
  if (nal.length < 6) return fail("vps_short");
  if (((nal[0] >> 1) & 0x3f) !== 32 || (nal[0] & 0x80) !== 0) return fail("vps_not_vps");
  const r = new BitReader(unescapeRbsp(nal, MAX_VPS_BYTES), 2);
  const vpsId = r.bits(4);
  r.skip(2 + 6); // base layer flags, vps_max_layers_minus1
  const maxSubLayersMinus1 = r.bits(3);
  if (maxSubLayersMinus1 > 6) return fail("vps_invalid");
  r.skip(1 + 16); // temporal_id_nesting, reserved 0xffff
  const ptl = readProfileTierLevel(r, maxSubLayersMinus1);
  const orderingAll = r.flag();
  for (let i = orderingAll ? 0 : maxSubLayersMinus1; i <= maxSubLayersMinus1; i++) {
    r.ue();
    r.ue();
    r.ue();
  }
  const maxLayerId = r.bits(6);
  const layerSets = r.ue() + 1;
  if (layerSets > 1024) return fail("vps_invalid");
  for (let i = 1; i < layerSets && !r.overrun; i++) r.skip(maxLayerId + 1);
  if (r.overrun) return fail("vps_truncated");
  const vps: H265Vps = { vpsId, maxSubLayersMinus1, ptl };
  if (r.flag()) readTimingInfo(r, vps); // vps_timing_info_present_flag
  return ok(vps);
}

/** Where timing info is stored: fps = timeScale / numUnitsInTick. */
export interface TimingInfo {
  numUnitsInTick?: number;
  timeScale?: number;
  fps?: number;
}

/**
 * Reads num_units_in_tick and time_scale (the same two u(32) in the VPS, 7.3.2.1, and in
 * the SPS VUI, E.2.1) into `into`; zero or truncated values leave it unchanged.
 */
export function readTimingInfo(r: BitReader, into: TimingInfo): void {
  const units = r.bits(32);
  const scale = r.bits(32);
  if (!r.overrun && units > 0 && scale > 0) {
    into.numUnitsInTick = units;
    into.timeScale = scale;
    into.fps = scale / units;
  }
}
