/**
 * JPEG XS codestream header (ISO/IEC 21122-1 Annex A): SOC, CAP, PIH picture header and
 * CDT component table, read up to the first slice. An optional box prefix (ISO/IEC
 * 21122-3 boxes such as the video support box 'jpvs' with 'jpvi' / 'jxpl', and the colour
 * specification box 'colr', which RFC 9134 allows in front of the codestream) is skipped,
 * and a 'jxpl' box is read for profile and level when the PIH leaves them unrestricted.
 *
 * ```
 * SOC FF10 | CAP FF50 Lcap(16) ... | PIH FF12 Lpih(16)=26 Lcod(32) Ppih(16) Plev(16)
 *   Wf(16) Hf(16) Cw(16) Hsl(16) Nc(8) Ng(8) Ss(8) Bw(8) Fq(4) Br(4) Fslc(1) Ppoc(3)
 *   Cpih(4) NLx(4) NLy(4) Lh(1) Rl(1) Qpih(2) Fs(2) Rm(2)
 * | CDT FF13 Lcdt(16) { B[c](8) sx[c](4) sy[c](4) } x Nc | ... | SLH FF20 ... | EOC FF11
 * ```
 */
import type { VideoParams } from "../../core/types.ts";
import { fail, ok, type Result } from "../../core/result.ts";

/** Marker codes (ISO/IEC 21122-1 Table A.2). */
export const JxsMarker = {
  SOC: 0xff10,
  EOC: 0xff11,
  PIH: 0xff12,
  CDT: 0xff13,
  WGT: 0xff14,
  COM: 0xff15,
  NLT: 0xff16,
  CWD: 0xff17,
  CTS: 0xff18,
  CRG: 0xff19,
  SLH: 0xff20,
  CAP: 0xff50,
} as const;

/** Marker segments walked before giving up on finding PIH and CDT. */
export const MAX_JXS_MARKERS = 64;
/** Boxes skipped in front of the codestream at most. */
export const MAX_JXS_BOXES = 16;

/** Picture header fields beyond VideoParams. */
export interface JxsPictureHeader extends VideoParams {
  /** Lcod: codestream size in bytes (0 = variable). */
  codestreamBytes: number;
  /** Ppih (ISO/IEC 21122-2 Table A.7). */
  ppih: number;
  /** Plev: level in the high byte, sublevel in the low byte. */
  plev: number;
  components: number;
  /** Hsl: slice height in precinct lines. */
  sliceHeight: number;
  /** NLx / NLy: horizontal and vertical decomposition levels. */
  decompositionsX: number;
  decompositionsY: number;
  /** Per-component bit depth and sampling factors from CDT. */
  componentTable: { bitDepth: number; sx: number; sy: number }[];
  /** Offset of SOC in the input (after any box prefix). */
  socOffset: number;
}

const PROFILES: Record<number, string> = {
  0x0000: "Unrestricted",
  0x1500: "Light 422.10",
  0x1a00: "Light 444.12",
  0x2500: "Light-Subline 422.10",
  0x3240: "Main 420.12",
  0x3540: "Main 422.10",
  0x3a40: "Main 444.12",
  0x3e40: "Main 4444.12",
  0x4a40: "High 444.12",
  0x4e40: "High 4444.12",
};

const hex4 = (v: number) => `0x${v.toString(16).padStart(4, "0")}`;

/** Profile name of a Ppih value (ISO/IEC 21122-2 Table A.7), else its hex code. */
export function jxsProfileName(ppih: number): string {
  return PROFILES[ppih] ?? hex4(ppih);
}

/** Level of a Plev value: "Unrestricted" for 0, else the hex code (level byte, sublevel byte). */
export function jxsLevelName(plev: number): string {
  return plev === 0 ? "Unrestricted" : hex4(plev);
}

const u16 = (d: Uint8Array, o: number) => (d[o] << 8) | d[o + 1];
const u32 = (d: Uint8Array, o: number) => u16(d, o) * 65536 + u16(d, o + 2);

function isBoxType(d: Uint8Array, o: number): boolean {
  for (let i = 0; i < 4; i++) {
    const c = d[o + i];
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x20)) return false;
  }
  return true;
}

/** Skips 21122-3 boxes in front of SOC; returns SOC's offset and any jxpl Ppih/Plev. */
function skipBoxes(d: Uint8Array): { soc: number; ppih?: number; plev?: number } | null {
  let o = 0;
  let ppih: number | undefined;
  let plev: number | undefined;
  for (let n = 0; n < MAX_JXS_BOXES; n++) {
    if (o + 2 <= d.length && u16(d, o) === JxsMarker.SOC) return { soc: o, ppih, plev };
    if (o + 8 > d.length || !isBoxType(d, o + 4)) return null;
    const size = u32(d, o);
    const type = String.fromCharCode(d[o + 4], d[o + 5], d[o + 6], d[o + 7]);
    if (type === "jpvs") { // superbox: descend
      o += 8;
      continue;
    }
    if (size < 8 || o + size > d.length) return null;
    if (type === "jxpl" && size >= 12) {
      ppih = u16(d, o + 8);
      plev = u16(d, o + 10);
    }
    o += size;
  }
  return null;
}

function chromaOf(nc: number, t: { sx: number; sy: number }[]): string {
  if (nc === 1) return "4:0:0";
  if (nc < 3) return `${nc} components`;
  const [a, b, c] = t;
  const same = b.sx === c.sx && b.sy === c.sy && a.sx === 1 && a.sy === 1;
  const alpha = nc === 4 ? ":4" : "";
  if (!same) return `${nc} components`;
  if (b.sx === 1 && b.sy === 1) return `4:4:4${alpha}`;
  if (b.sx === 2 && b.sy === 1) return `4:2:2${alpha}`;
  if (b.sx === 2 && b.sy === 2) return `4:2:0${alpha}`;
  return `${nc} components`;
}

/**
 * Parses the header of a JPEG XS codestream (optionally behind 21122-3 boxes), or of a
 * header segment alone (SOC up to the first SLH). Reasons: "jxs_no_soc", "jxs_truncated",
 * "jxs_bad_marker", "jxs_bad_pih", "jxs_bad_cdt", "jxs_no_pih".
 */
export function parseJxsPictureHeader(data: Uint8Array): Result<JxsPictureHeader> {
  const start = skipBoxes(data);
  if (!start) return fail("jxs_no_soc");
  let o = start.soc + 2;
  let pih: JxsPictureHeader | undefined;
  for (let n = 0; n < MAX_JXS_MARKERS; n++) {
    if (o === data.length) break; // a header segment alone (RFC 9134 slice mode)
    if (o + 4 > data.length) return fail("jxs_truncated");
    const marker = u16(data, o);
    if (marker === JxsMarker.SLH || marker === JxsMarker.EOC) break;
    if ((marker & 0xff00) !== 0xff00) return fail("jxs_bad_marker");
    const len = u16(data, o + 2);
    if (len < 2 || o + 2 + len > data.length) return fail("jxs_truncated");
    const s = o + 4; // segment body
    if (marker === JxsMarker.PIH) {
      if (len !== 26) return fail("jxs_bad_pih");
      const nc = data[s + 16];
      const width = u16(data, s + 8);
      const height = u16(data, s + 10);
      if (width === 0 || height === 0 || nc === 0 || nc > 8) return fail("jxs_bad_pih");
      let ppih = u16(data, s + 4);
      let plev = u16(data, s + 6);
      if (ppih === 0 && start.ppih !== undefined) ppih = start.ppih;
      if (plev === 0 && start.plev !== undefined) plev = start.plev;
      pih = {
        width,
        height,
        profile: jxsProfileName(ppih),
        level: jxsLevelName(plev),
        interlaced: false,
        codestreamBytes: u32(data, s),
        ppih,
        plev,
        components: nc,
        sliceHeight: u16(data, s + 14),
        decompositionsX: data[s + 22] >> 4,
        decompositionsY: data[s + 22] & 0x0f,
        componentTable: [],
        socOffset: start.soc,
      };
    } else if (marker === JxsMarker.CDT) {
      if (!pih) return fail("jxs_no_pih");
      if (len !== 2 + 2 * pih.components) return fail("jxs_bad_cdt");
      for (let c = 0; c < pih.components; c++) {
        const sx = data[s + 2 * c + 1] >> 4;
        const sy = data[s + 2 * c + 1] & 0x0f;
        if (sx === 0 || sy === 0) return fail("jxs_bad_cdt");
        pih.componentTable.push({ bitDepth: data[s + 2 * c], sx, sy });
      }
      pih.bitDepth = pih.componentTable[0].bitDepth;
      pih.chromaFormat = chromaOf(pih.components, pih.componentTable);
    }
    o += 2 + len;
  }
  if (!pih) return fail("jxs_no_pih");
  if (pih.componentTable.length === 0) return fail("jxs_bad_cdt");
  return ok(pih);
}
