/**
 * What an assembled H.264/H.265 access unit is: random access point kind, frame type,
 * leading-picture flags. Parses the complete AU once, at assembly (H.264 7.4.1.2.3,
 * 7.3.3, D.1.8 recovery point SEI; H.265 7.4.2.2 Table 7-1, 7.3.6.1).
 */
import { forEachNal } from "../../core/bits.ts";
import { H264Nal } from "../h264/nal.ts";
import { findRecoveryPoint } from "../h264/sei.ts";
import { parseH264SliceHeader } from "../h264/slice.ts";
import { H265Nal } from "../h265/nal.ts";
import { parseH265SliceHeader } from "../h265/slice.ts";
import { H265SliceContext } from "../h265/slice_context.ts";
import type { AccessUnit, FrameType } from "../../core/types.ts";
import { vclByte } from "./nal_kind.ts";

/**
 * Kind of random access point: H.264 IDR or recovery point SEI (D.2.8); H.265 IDR, CRA or
 * BLA (IRAP, 7.4.2.2). "idr" starts a closed GOP; the others may be open.
 */
export type RapKind = "idr" | "cra" | "bla" | "recovery";

/** Facts about an access unit beyond {@link AccessUnit}. */
export interface FrameInfo {
  /** Random access point kind when the AU is a key frame. */
  rap?: RapKind;
  /** H.265 RASL picture (types 8, 9): skipped when decoding starts at its CRA/BLA. */
  rasl?: boolean;
  /** The AU carries parameter sets (SPS/PPS, and VPS for H.265). */
  paramSets?: boolean;
}

/** An access unit as the Annex B assembler emits it. */
export type VideoAccessUnit = AccessUnit & FrameInfo;

/** True when an H.264 SEI NAL unit holds a valid recovery_point message (D.1.8, D.2.8). */
export function h264SeiHasRecoveryPoint(nal: Uint8Array): boolean {
  const r = findRecoveryPoint(nal);
  return r.ok && r.value !== null;
}

/**
 * Inspects complete access units of one track. Keeps the H.265 parameter-set fields the
 * slice header needs, so one inspector serves one track for its lifetime.
 */
export class AuInspector {
  readonly ctx = new H265SliceContext();
  constructor(readonly codec: "h264" | "h265") {}

  /** Describes one Annex B access unit; `key` and `frameType` as AccessUnit defines them. */
  inspect(data: Uint8Array): FrameInfo & { key: boolean; frameType?: FrameType } {
    return this.codec === "h264" ? this.#h264(data) : this.#h265(data);
  }

  #h264(data: Uint8Array) {
    let idr = false;
    let recovery = false;
    let paramSets = false;
    let frameType: FrameType | undefined;
    forEachNal(data, (nal) => {
      const t = nal[0] & 0x1f;
      if (t === H264Nal.IDR) idr = true;
      else if (t === H264Nal.SPS || t === H264Nal.PPS) paramSets = true;
      else if (t === H264Nal.SEI && !recovery) recovery = h264SeiHasRecoveryPoint(nal);
      if (t >= 1 && t <= 5) {
        // the first slice tells: all slices of a picture share IDR-ness (7.4.1.2.4)
        if (t !== 3 && t !== 4) {
          const h = parseH264SliceHeader(nal);
          if (h.ok) frameType = h.value.frameType;
        }
        return true;
      }
    }, vclByte("h264"));
    const rap: FrameInfo["rap"] = idr
      ? "idr"
      : recovery && frameType === "I"
      ? "recovery"
      : undefined;
    return { key: rap !== undefined, rap, frameType, paramSets };
  }

  #h265(data: Uint8Array) {
    let vclType = -1;
    let paramSets = false;
    let frameType: FrameType | undefined;
    forEachNal(data, (nal) => {
      if (nal.length < 2) return;
      const t = (nal[0] >> 1) & 0x3f;
      if (t === H265Nal.SPS) {
        paramSets = true;
        this.ctx.addSps(nal);
      } else if (t === H265Nal.PPS) {
        paramSets = true;
        this.ctx.addPps(nal);
      } else if (t === H265Nal.VPS) paramSets = true;
      else if (t <= 31) {
        // parameter sets precede the first slice; its type is the picture's (7.4.2.4.4)
        vclType = t;
        const h = parseH265SliceHeader(nal, this.ctx);
        if (h.ok) frameType = h.value.frameType;
        return true;
      }
    }, vclByte("h265"));
    const rap: FrameInfo["rap"] = vclType >= 16 && vclType <= 18
      ? "bla"
      : vclType === 19 || vclType === 20
      ? "idr"
      : vclType === 21 || vclType === 22 || vclType === 23
      ? "cra"
      : undefined;
    const rasl = vclType === H265Nal.RASL_N || vclType === H265Nal.RASL_R;
    return { key: rap !== undefined, rap, rasl, frameType, paramSets };
  }
}
