/**
 * Where an H.264/H.265 access unit may begin, read from a NAL unit's first bytes
 * (ITU-T H.264 7.4.1.2.3, H.265 7.4.2.4.4), and the start-code scan that finds NAL units
 * in an Annex B byte stream (H.264 B.1, H.265 B.2). Used by the assembler
 * (annexb_assembler.ts) and the AU inspection (au_info.ts).
 */
import { BitReader, unescapeRbsp } from "../../core/bits.ts";
import { h264IsVcl } from "../h264/nal.ts";
import { h265IsVcl } from "../h265/nal.ts";

/** Never starts an access unit. */
export const OTHER = 0;
/** Starts one when it follows a VCL NAL unit (AUD, SPS, PPS, SEI, ...). */
export const PREFIX = 1;
/** First slice of a new picture. */
export const FIRST_SLICE = 2;

/**
 * Index of the next 0x01 at or after `from` that can end a start code: any 0x01 in the
 * first two bytes (its zeros may be in the previous chunk), else one after `00 00`.
 * Steps three bytes past any byte above 1 (no start code can end within two bytes of
 * it), so random slice data is read a third of a byte per byte; twice as fast as
 * `indexOf(1)` plus a look-back per 0x01 (bench/README.md, TS ingest profile). -1: none.
 */
export function nextStartCode(d: Uint8Array, from: number): number {
  const n = d.length;
  for (; from < 2 && from < n; from++) if (d[from] === 1) return from;
  let p = from;
  while (p < n) {
    const b = d[p];
    if (b > 1) p += 3;
    else if (b === 0) p++;
    else if (d[p - 1] === 0 && d[p - 2] === 0) return p;
    else p += 3;
  }
  return -1;
}

/** The test "is this NAL unit a slice (VCL)?" on its first byte (rules in ../h264, ../h265). */
export function vclByte(codec: "h264" | "h265"): (firstByte: number) => boolean {
  return codec === "h264" ? h264VclByte : h265VclByte;
}
const h264VclByte = (b: number): boolean => h264IsVcl(b & 0x1f);
const h265VclByte = (b: number): boolean => h265IsVcl((b >> 1) & 0x3f);

/**
 * What the NAL unit whose first `len` bytes are `h` does to access units: OTHER, PREFIX or
 * FIRST_SLICE, and whether it is a slice (VCL).
 */
export function nalKind(
  codec: "h264" | "h265",
  h: Uint8Array,
  len: number,
): { kind: number; vcl: boolean } {
  if (len < 1) return { kind: OTHER, vcl: false };
  if (codec === "h264") {
    const t = h[0] & 0x1f;
    if (t === 1 || t === 2 || t === 5) {
      return { kind: h264FirstMb(h, len) === 0 ? FIRST_SLICE : OTHER, vcl: true };
    }
    if (t === 3 || t === 4) return { kind: OTHER, vcl: true };
    const prefix = t === 6 || t === 7 || t === 8 || t === 9 || (t >= 14 && t <= 18);
    return { kind: prefix ? PREFIX : OTHER, vcl: false };
  }
  if (len < 3) return { kind: OTHER, vcl: false };
  const t = (h[0] >> 1) & 0x3f;
  const layer = ((h[0] & 1) << 5) | (h[1] >> 3);
  if (layer !== 0) return { kind: OTHER, vcl: t <= 31 };
  if (t <= 31) return { kind: h[2] & 0x80 ? FIRST_SLICE : OTHER, vcl: true };
  const prefix = (t >= 32 && t <= 35) || t === 39 || (t >= 41 && t <= 44) ||
    (t >= 48 && t <= 55);
  return { kind: prefix ? PREFIX : OTHER, vcl: false };
}

/** Reads first_mb_in_slice (H.264 7.3.3) from the first bytes of a slice NAL; -1 if short. */
export function h264FirstMb(hdr: Uint8Array, len: number): number {
  const r = new BitReader(unescapeRbsp(hdr.subarray(0, len)), 1);
  const v = r.ue();
  return r.overrun ? -1 : v;
}
