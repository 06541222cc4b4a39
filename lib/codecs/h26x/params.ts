/**
 * Parameter-set tracking for Annex B codecs (H.264 SPS/PPS 7.3.2.1, H.265 VPS/SPS/PPS
 * 7.3.2.1-7.3.2.3): the latest sets of one track, from access units as they pass and
 * from the SDP (sprop-*), turned into video parameters and decodable key frames.
 */
import { concatBytes, forEachNal } from "../../core/bits.ts";
import type { AccessUnit, VideoParams } from "../../core/types.ts";
import type { AnnexBRules, ParamReader } from "../spec.ts";

const START = new Uint8Array([0, 0, 0, 1]);

/** True when `a` holds exactly the bytes of `b`. */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Reads one new parameter set of `type`; returns the video parameters when this set
 * gives them (the SPS), keeps what later sets need (the H.265 VPS).
 */
export type ParamSetParser = (type: number, nal: Uint8Array) => VideoParams | undefined;

/** Parameter sets of one H.264 or H.265 track. */
export class AnnexBParams implements ParamReader {
  readonly sets: Map<number, Uint8Array> = new Map();
  #params?: VideoParams;
  readonly #vclByte: (b: number) => boolean;

  constructor(private rules: AnnexBRules, private parse: ParamSetParser) {
    this.#vclByte = (b) => rules.isVcl(rules.nalType(b));
  }

  get params(): VideoParams | undefined {
    return this.#params;
  }

  addOutOfBand(nals: Uint8Array[]): VideoParams | undefined {
    let changed: VideoParams | undefined;
    for (const nal of nals) changed = this.#nal(nal) ?? changed;
    return changed;
  }

  observe(au: AccessUnit & { paramSets?: boolean }): VideoParams | undefined {
    // the assemblers' walk up to the first slice already told (au_info.ts, rtp_input.ts)
    if (au.paramSets === false) return undefined;
    let changed: VideoParams | undefined;
    forEachNal(au.data, (nal) => {
      if (this.#vclByte(nal[0])) return true; // parameter sets come before the first slice
      changed = this.#nal(nal) ?? changed;
    }, this.#vclByte);
    return changed;
  }

  #nal(nal: Uint8Array): VideoParams | undefined {
    if (nal.length < 2) return undefined;
    const t = this.rules.nalType(nal[0]);
    if (!this.rules.paramSetTypes.includes(t) || sameBytes(this.sets.get(t), nal)) return undefined;
    this.sets.set(t, nal.slice());
    const p = this.parse(t, nal);
    if (p) this.#params = p;
    return p;
  }

  /** The AU with the parameter sets it lacks put in front (4-byte start codes). */
  decodable(au: AccessUnit): AccessUnit {
    const d = au.data;
    const have = new Set<number>();
    forEachNal(d, (nal) => {
      if (this.#vclByte(nal[0])) return true;
      have.add(this.rules.nalType(nal[0]));
    }, this.#vclByte);
    const parts: Uint8Array[] = [];
    for (const t of this.rules.paramSetTypes) {
      const s = this.sets.get(t);
      if (!have.has(t) && s) parts.push(START, s);
    }
    return parts.length ? { ...au, data: concatBytes([...parts, d]) } : au;
  }
}
