/** H.264 NAL unit types (ITU-T H.264 Table 7-1) and header helpers. */
export const H264Nal = {
  SLICE: 1,
  SLICE_DPA: 2,
  SLICE_DPB: 3,
  SLICE_DPC: 4,
  IDR: 5,
  SEI: 6,
  SPS: 7,
  PPS: 8,
  AUD: 9,
  END_SEQ: 10,
  END_STREAM: 11,
  FILLER: 12,
  SPS_EXT: 13,
  PREFIX: 14,
  SUBSET_SPS: 15,
  SLICE_EXT: 20,
  STAP_A: 24,
  STAP_B: 25,
  MTAP16: 26,
  MTAP24: 27,
  FU_A: 28,
  FU_B: 29,
} as const;

/** nal_unit_type of an H.264 NAL unit (first byte & 0x1f). */
export function h264NalType(nal: Uint8Array): number {
  return nal.length > 0 ? nal[0] & 0x1f : -1;
}

/** True for coded slice NAL units (VCL, types 1-5). */
export function h264IsVcl(type: number): boolean {
  return type >= 1 && type <= 5;
}
