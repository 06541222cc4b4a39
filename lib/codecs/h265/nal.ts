/** H.265 NAL unit types (ITU-T H.265 Table 7-1) and header helpers. */
export const H265Nal = {
  TRAIL_N: 0,
  TRAIL_R: 1,
  RASL_N: 8,
  RASL_R: 9,
  BLA_W_LP: 16,
  BLA_W_RADL: 17,
  BLA_N_LP: 18,
  IDR_W_RADL: 19,
  IDR_N_LP: 20,
  CRA: 21,
  VPS: 32,
  SPS: 33,
  PPS: 34,
  AUD: 35,
  EOS: 36,
  EOB: 37,
  FD: 38,
  PREFIX_SEI: 39,
  SUFFIX_SEI: 40,
  AP: 48,
  FU: 49,
  PACI: 50,
} as const;

/** nal_unit_type of an H.265 NAL unit ((first byte >> 1) & 0x3f). */
export function h265NalType(nal: Uint8Array): number {
  return nal.length > 0 ? (nal[0] >> 1) & 0x3f : -1;
}

/** True for VCL NAL unit types (0-31). */
export function h265IsVcl(type: number): boolean {
  return type >= 0 && type <= 31;
}

/** True for IRAP pictures (BLA, IDR, CRA: types 16-23). */
export function h265IsIrap(type: number): boolean {
  return type >= 16 && type <= 23;
}
