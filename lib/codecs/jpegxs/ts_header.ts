/**
 * JPEG XS in MPEG-2 TS (ISO/IEC 13818-1 stream_type 0x32, 2.6.127 JPEG_XS_video_descriptor;
 * the elementary stream header box of ISO/IEC 21122-3 Annex A, as GStreamer's mpegtsmux
 * and tsdemux write and read it): every PES payload is a 30-byte `jxes` box, then one
 * codestream.
 *
 * ```
 * jxes: Lbox(32)=30 'jxes' brat(32) frat(32) schar(16) Ppih(16) Plev(16)
 *       colour_primaries(8) transfer(8) matrix(8) video_full_range_flag(1) rsvd(7)
 *       tcod: HH(8) MM(8) SS(8) FF(8)
 * frat: interlace_mode(2) framerate_DEN(6: 1 = 1, 2 = 1.001) reserved(8) framerate_NUM(16)
 * ```
 */
import type { JxsPictureHeader } from "./picture_header.ts";

/** Size of the jxes box. */
export const JXES_BYTES = 30;

/** What both the jxes box and the video descriptor carry. */
export interface JxsTsParams {
  width: number;
  height: number;
  ppih: number;
  plev: number;
  /** Frames per second when known (0 = unknown). */
  fps: number;
  /** Maximum bit rate, Mbit/s (0 = unknown). */
  brat: number;
}

/** The parameters of a picture header (the fps comes from the track). */
export function jxsTsParams(h: JxsPictureHeader, fps = 0): JxsTsParams {
  return { width: h.width, height: h.height, ppih: h.ppih, plev: h.plev, fps, brat: 0 };
}

function frat(fps: number): number {
  if (!(fps > 0)) return 0;
  const whole = Math.abs(fps - Math.round(fps)) < 0.01;
  const num = whole ? Math.round(fps) : Math.round(fps * 1.001);
  return ((whole ? 1 : 2) << 24) | (num & 0xffff); // progressive
}

/** The jxes box in front of a codestream presented at `ptsSeconds` (timecode HH:MM:SS:00). */
export function jxesBox(p: JxsTsParams, ptsSeconds: number): Uint8Array {
  const b = new Uint8Array(JXES_BYTES);
  const v = new DataView(b.buffer);
  v.setUint32(0, JXES_BYTES);
  b.set([0x6a, 0x78, 0x65, 0x73], 4); // 'jxes'
  v.setUint32(8, p.brat);
  v.setUint32(12, frat(p.fps));
  v.setUint16(16, 0); // schar: not signalled
  v.setUint16(18, p.ppih);
  v.setUint16(20, p.plev);
  b[22] = 2; // colour_primaries: unspecified
  b[23] = 2;
  b[24] = 2;
  b[25] = 0;
  const s = Math.max(0, Math.floor(ptsSeconds));
  b[26] = Math.floor(s / 3600) % 24;
  b[27] = Math.floor(s / 60) % 60;
  b[28] = s % 60;
  b[29] = 0;
  return b;
}

/** Offset of the codestream in a PES payload: 30 after a jxes box, else 0. */
export function jxesSkip(d: Uint8Array): number {
  return d.length >= JXES_BYTES && d[0] === 0 && d[1] === 0 && d[2] === 0 && d[3] === JXES_BYTES &&
      d[4] === 0x6a && d[5] === 0x78 && d[6] === 0x65 && d[7] === 0x73
    ? JXES_BYTES
    : 0;
}

/**
 * JPEG_XS_video_descriptor as an MPEG-2 extension descriptor (tag 0x3F, extension tag
 * 0x14): version 0, size, brat, frat, schar, Ppih, Plev, max_buffer_size, buffer model 2,
 * colour description unspecified, not still, no mastering display metadata.
 */
export function jxsVideoDescriptor(p: JxsTsParams): Uint8Array {
  const b = new Uint8Array(32);
  const v = new DataView(b.buffer);
  b[0] = 0x3f;
  b[1] = 30;
  b[2] = 0x14;
  b[3] = 0; // descriptor_version
  v.setUint16(4, p.width);
  v.setUint16(6, p.height);
  v.setUint32(8, p.brat);
  v.setUint32(12, frat(p.fps));
  v.setUint16(16, 0);
  v.setUint16(18, p.ppih);
  v.setUint16(20, p.plev);
  v.setUint32(22, 0); // max_buffer_size unknown
  b[26] = 2; // buffer_model_type
  b[27] = 2;
  b[28] = 2;
  b[29] = 2;
  b[30] = 0x7f; // video_full_range_flag 0, reserved 1s
  b[31] = 0; // still_mode 0, mdm_flag 0
  return b;
}
