/**
 * Per-track parameter tracking: reads SPS/VPS (H.264 7.3.2.1, H.265 7.3.2.2), the AV1
 * sequence header (5.5) and the JPEG XS picture header from access units as they pass,
 * keeps the latest parameter sets (also those given out of band, e.g. SDP sprop), and
 * turns them into TrackInfo updates and decodable preview frames.
 */
import { concatBytes, forEachNal } from "../core/bits.ts";
import { isH264Vcl, isH265Vcl } from "./h26x/au_info.ts";
import { parseH264Sps } from "./h264/sps.ts";
import { parseH265Sps } from "./h265/sps.ts";
import { type H265Vps, parseH265Vps } from "./h265/vps.ts";
import { parseAv1SequenceHeader } from "./av1/sequence_header.ts";
import { splitObus } from "./av1/obu.ts";
import { parseJxsPictureHeader } from "./jpegxs/picture_header.ts";
import type { AccessUnit, Codec, TrackInfo, VideoParams } from "../core/types.ts";

const START = new Uint8Array([0, 0, 0, 1]);
const OBU_SEQUENCE_HEADER = 1;
const OBU_TEMPORAL_DELIMITER = 2;
/** JPEG XS frames between two picture-header reads (the header rarely changes). */
const JXS_REPARSE_EVERY = 50;

function same(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Tracks one video track's parameters. */
export class ParamTracker {
  /** Latest parameter set NAL units by type (no start codes) or the AV1 sequence header OBU. */
  readonly sets: Map<number, Uint8Array> = new Map();
  #vps?: H265Vps;
  #frames = 0;
  #params?: VideoParams;

  constructor(readonly codec: Codec) {}

  /** Parameters read so far. */
  get params(): VideoParams | undefined {
    return this.#params;
  }

  /**
   * Stores out-of-band parameter sets (SDP sprop-parameter-sets / sprop-vps/sps/pps)
   * and returns the parameters they give, if new.
   */
  addOutOfBand(nals: Uint8Array[]): VideoParams | undefined {
    let changed: VideoParams | undefined;
    for (const nal of nals) changed = this.#nal(nal) ?? changed;
    return changed;
  }

  /** Looks at one access unit; returns new parameters when they changed. */
  observe(au: AccessUnit): VideoParams | undefined {
    const d = au.data;
    switch (this.codec) {
      case "h264":
      case "h265": {
        let changed: VideoParams | undefined;
        forEachNal(d, (nal) => {
          if (this.#isVcl(nal)) return true; // parameter sets come before the first slice
          changed = this.#nal(nal) ?? changed;
        }, this.#vclByte);
        return changed;
      }
      case "av1": {
        if (!au.key && this.#params) return undefined;
        const obus = splitObus(d);
        if (!obus.ok) return undefined;
        for (const o of obus.value) {
          if (o.type !== OBU_SEQUENCE_HEADER || same(this.sets.get(OBU_SEQUENCE_HEADER), o.bytes)) {
            continue;
          }
          this.sets.set(OBU_SEQUENCE_HEADER, o.bytes.slice());
          const r = parseAv1SequenceHeader(o.payload);
          if (r.ok) return this.#params = r.value;
        }
        return undefined;
      }
      case "jpegxs": {
        if (this.#frames++ % JXS_REPARSE_EVERY !== 0) return undefined;
        const r = parseJxsPictureHeader(d);
        if (!r.ok) return undefined;
        const p = r.value;
        const old = this.#params;
        this.#params = p;
        return !old || old.width !== p.width || old.height !== p.height ? p : undefined;
      }
      default:
        return undefined;
    }
  }

  #vclByte = (b: number): boolean => (this.codec === "h264" ? isH264Vcl(b) : isH265Vcl(b));

  #isVcl(nal: Uint8Array): boolean {
    return this.#vclByte(nal[0]);
  }

  #nal(nal: Uint8Array): VideoParams | undefined {
    if (nal.length < 2) return undefined;
    if (this.codec === "h264") {
      const t = nal[0] & 0x1f;
      if (t !== 7 && t !== 8) return undefined;
      if (same(this.sets.get(t), nal)) return undefined;
      this.sets.set(t, nal.slice());
      if (t !== 7) return undefined;
      const r = parseH264Sps(nal);
      return r.ok ? this.#params = r.value : undefined;
    }
    const t = (nal[0] >> 1) & 0x3f;
    if (t < 32 || t > 34) return undefined;
    if (same(this.sets.get(t), nal)) return undefined;
    this.sets.set(t, nal.slice());
    if (t === 32) {
      const v = parseH265Vps(nal);
      if (v.ok) this.#vps = v.value;
      return undefined;
    }
    if (t !== 33) return undefined;
    const r = parseH265Sps(nal, this.#vps);
    return r.ok ? this.#params = r.value : undefined;
  }

  /**
   * A keyframe made decodable on its own: parameter sets the AU lacks are put in front
   * (after the AV1 temporal delimiter for AV1). Returns the AU itself when complete.
   */
  decodable(au: AccessUnit): AccessUnit {
    const d = au.data;
    if (this.codec === "h264" || this.codec === "h265") {
      const want = this.codec === "h264" ? [7, 8] : [32, 33, 34];
      const have = new Set<number>();
      forEachNal(d, (nal) => {
        if (this.#isVcl(nal)) return true;
        have.add(this.codec === "h264" ? nal[0] & 0x1f : (nal[0] >> 1) & 0x3f);
      }, this.#vclByte);
      const parts: Uint8Array[] = [];
      for (const t of want) {
        const s = this.sets.get(t);
        if (!have.has(t) && s) parts.push(START, s);
      }
      return parts.length ? { ...au, data: concatBytes([...parts, d]) } : au;
    }
    if (this.codec === "av1") {
      const seq = this.sets.get(OBU_SEQUENCE_HEADER);
      const obus = splitObus(d);
      if (!seq || !obus.ok || obus.value.some((o) => o.type === OBU_SEQUENCE_HEADER)) return au;
      const first = obus.value[0];
      const head = first?.type === OBU_TEMPORAL_DELIMITER ? first.bytes : new Uint8Array(0);
      return { ...au, data: concatBytes([head, seq, d.subarray(head.length)]) };
    }
    return au;
  }
}

/** Merges parsed video parameters into a track's info. */
export function withVideoParams(info: TrackInfo, p: VideoParams): TrackInfo {
  return {
    ...info,
    width: p.width,
    height: p.height,
    fps: p.fps !== undefined ? Math.round(p.fps * 1000) / 1000 : info.fps,
    profile: p.profile,
    level: p.level,
    chromaFormat: p.chromaFormat,
    bitDepth: p.bitDepth,
    interlaced: p.interlaced,
  };
}
