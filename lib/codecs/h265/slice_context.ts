/**
 * The few H.265 parameter-set fields a slice segment header needs (ITU-T H.265 7.3.2.2,
 * 7.3.2.3): from the SPS (parsed by sps.ts) the picture size in CTBs (for the bit width
 * of slice_segment_address), from the PPS dependent_slice_segments_enabled_flag,
 * output_flag_present_flag and num_extra_slice_header_bits.
 *
 * ```
 * pic_parameter_set_rbsp() {
 *   pps_pic_parameter_set_id          ue(v)
 *   pps_seq_parameter_set_id          ue(v)
 *   dependent_slice_segments_enabled  u(1)
 *   output_flag_present_flag          u(1)
 *   num_extra_slice_header_bits       u(3)
 * ```
 */
import { BitReader, unescapeRbsp } from "../../core/bits.ts";
import { parseH265Sps } from "./sps.ts";
import { fail, ok, type Result } from "../../core/result.ts";

/** SPS fields used by slice header parsing (H.265 7.4.3.2). */
export interface H265SpsSliceInfo {
  spsId: number;
  /** pic_width_in_luma_samples (before the conformance window). */
  width: number;
  /** pic_height_in_luma_samples. */
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

/** Bytes of a PPS NAL unit read at most (the fields above come first). */
const PPS_BYTES = 16;

/**
 * The slice-relevant SPS fields of an SPS NAL unit (2-byte header included), from the
 * full SPS parser (sps.ts). Reasons: those of parseH265Sps, "sps_invalid" (CtbLog2SizeY
 * below 4, 7.4.3.2.1).
 */
export function parseH265SpsSliceInfo(nal: Uint8Array): Result<H265SpsSliceInfo> {
  const sps = parseH265Sps(nal);
  if (!sps.ok) return sps;
  const { spsId, log2CtbSize: ctbLog2 } = sps.value;
  const width = sps.value.picWidthInLumaSamples, height = sps.value.picHeightInLumaSamples;
  if (ctbLog2 < 4) return fail("sps_invalid");
  const ctb = 1 << ctbLog2;
  const picSizeInCtbs = Math.ceil(width / ctb) * Math.ceil(height / ctb);
  return ok({ spsId, width, height, ctbLog2, picSizeInCtbs });
}

/** Parses the slice-relevant PPS fields from a PPS NAL unit (2-byte header included). */
export function parseH265PpsSliceInfo(nal: Uint8Array): Result<H265PpsSliceInfo> {
  const r = new BitReader(unescapeRbsp(nal, PPS_BYTES), 2);
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
