/**
 * Per-codec rules of the MPEG-TS muxer: stream_type, PES stream_id and ES_info
 * descriptors for each codec, and how an access unit becomes PES payload bytes.
 *
 * - H.264 (0x1B) / H.265 (0x24): Annex B with an access unit delimiter first and the
 *   parameter sets (SPS/PPS, VPS/SPS/PPS) in front of every keyframe.
 * - AAC: ADTS (0x0F) as received, or raw AUs (RTP) given a 7-byte ADTS header; LOAS (0x11)
 *   as received.
 * - Opus: 0x06 + registration 'Opus' + DVB extension descriptor (channel_config_code), an
 *   opus_control_header before each packet (opus_ts.ts), stream_id 0xBD.
 * - AV1: 0x06 + registration 'AV01' + AV1 video descriptor (tag 0x80), start-code format
 *   (lib/codecs/av1/ts_obu.ts), stream_id 0xBD.
 * - JPEG XS: 0x32 + JPEG_XS_video_descriptor, jxes box before each codestream
 *   (lib/codecs/jpegxs/ts_header.ts), stream_id 0xBD.
 * - MPEG audio (0x03) and AC-3 (0x81) as received. G.711/L16 have no TS mapping.
 */
import { adtsHeader } from "../../codecs/aac/adts.ts";
import { forEachNal } from "../../core/bits.ts";
import { h264IsVcl } from "../../codecs/h264/nal.ts";
import { h265IsVcl } from "../../codecs/h265/nal.ts";
import { parseAv1SequenceHeader } from "../../codecs/av1/sequence_header.ts";
import { splitObus } from "../../codecs/av1/obu.ts";
import { toTsObus } from "../../codecs/av1/ts_obu.ts";
import { parseJxsPictureHeader } from "../../codecs/jpegxs/picture_header.ts";
import {
  jxesBox,
  type JxsTsParams,
  jxsTsParams,
  jxsVideoDescriptor,
} from "../../codecs/jpegxs/ts_header.ts";
import type { AccessUnit, Codec, TrackInfo, VideoParams } from "../../core/types.ts";
import type { DataReason } from "../../core/reasons/catalogue.ts";
import { opusControlHeader } from "./opus_ts.ts";
import { StreamType } from "./stream_types.ts";

/** Parameter sets by NAL type (no start codes), as lib/codecs/params.ts keeps them. */
export type ParamSets = ReadonlyMap<number, Uint8Array>;

/** How one track is carried. */
export interface Carriage {
  streamType: number;
  streamId: number;
  /** ES_info descriptor loop. */
  descriptors: Uint8Array;
}

const START = new Uint8Array([0, 0, 0, 1]);
const AUD_H264 = new Uint8Array([0, 0, 0, 1, 0x09, 0xf0]);
const AUD_H265 = new Uint8Array([0, 0, 0, 1, 0x46, 0x01, 0x50]);
const NONE = new Uint8Array(0);

const reg = (s: string) => [0x05, 4, ...[...s].map((c) => c.charCodeAt(0))];

/** Codecs the muxer carries. */
export function muxable(codec: Codec): boolean {
  return codec === "h264" || codec === "h265" || codec === "aac" || codec === "opus" ||
    codec === "av1" || codec === "jpegxs" || codec === "mp2" || codec === "ac3";
}

/** AV1 video descriptor (AOM AV1-in-TS 2.2) from sequence-header parameters. */
export function av1Descriptor(p: Partial<VideoParams> & { seqLevelIdx?: number }): Uint8Array {
  const profile = Math.max(0, ["Main", "High", "Professional"].indexOf(p.profile ?? "Main"));
  let level = p.seqLevelIdx;
  if (level === undefined) {
    const m = /^(\d+)\.(\d+)$/.exec(p.level ?? "");
    level = m ? Math.max(0, (Number(m[1]) - 2) * 4 + Number(m[2])) : 31;
  }
  const depth = p.bitDepth ?? 8;
  const cf = p.chromaFormat ?? "4:2:0";
  const mono = cf === "4:0:0";
  const sx = mono || cf === "4:2:0" || cf === "4:2:2" ? 1 : 0;
  const sy = mono || cf === "4:2:0" ? 1 : 0;
  return new Uint8Array([
    0x80,
    4,
    0x81, // marker, version 1
    (profile << 5) | (level & 0x1f),
    ((depth > 8 ? 1 : 0) << 6) | ((depth === 12 ? 1 : 0) << 5) | ((mono ? 1 : 0) << 4) |
    (sx << 3) | (sy << 2), // seq_tier_0 0, chroma_sample_position 0
    0x30, // hdr_wcg_idc 3 (no indication), no initial_presentation_delay
  ]);
}

/** Sequence header parameters of an AV1 temporal unit, if it has one. */
function av1Params(tu: Uint8Array): Parameters<typeof av1Descriptor>[0] | undefined {
  const obus = splitObus(tu);
  if (!obus.ok) return undefined;
  const seq = obus.value.find((o) => o.type === 1);
  const r = seq && parseAv1SequenceHeader(seq.payload);
  return r && r.ok ? r.value : undefined;
}

/**
 * The carriage of a track: from its info alone, or refined by its first access unit
 * (AAC framing, AV1 sequence header, JPEG XS picture header). Undefined = not muxable.
 */
export function carriage(info: TrackInfo, au?: AccessUnit): Carriage | undefined {
  const d = (b: number[] | Uint8Array) => Uint8Array.from(b);
  switch (info.codec) {
    case "h264":
      return { streamType: StreamType.H264, streamId: 0xe0, descriptors: NONE };
    case "h265":
      return { streamType: StreamType.H265, streamId: 0xe0, descriptors: NONE };
    case "aac": {
      const loas = au
        ? au.data[0] === 0x56 && (au.data[1] & 0xe0) === 0xe0
        : info.streamType === 0x11;
      return {
        streamType: loas ? StreamType.AAC_LATM : StreamType.AAC_ADTS,
        streamId: 0xc0,
        descriptors: NONE,
      };
    }
    case "mp2":
      return { streamType: StreamType.MPEG1_AUDIO, streamId: 0xc0, descriptors: NONE };
    case "ac3":
      return { streamType: StreamType.AC3, streamId: 0xbd, descriptors: d(reg("AC-3")) };
    case "opus": {
      const ch = Math.min(8, Math.max(1, info.channels ?? (au && au.data[0] & 4 ? 2 : 1)));
      return {
        streamType: StreamType.PRIVATE_PES,
        streamId: 0xbd,
        descriptors: d([...reg("Opus"), 0x7f, 2, 0x80, ch]),
      };
    }
    case "av1": {
      const p = (au?.key ? av1Params(au.data) : undefined) ?? info;
      return {
        streamType: StreamType.PRIVATE_PES,
        streamId: 0xbd,
        descriptors: d([...reg("AV01"), ...av1Descriptor(p)]),
      };
    }
    case "jpegxs":
      return {
        streamType: StreamType.JPEG_XS,
        streamId: 0xbd,
        descriptors: jxsVideoDescriptor(jxsParams(info, au)),
      };
    default:
      return undefined;
  }
}

function jxsParams(info: TrackInfo, au?: AccessUnit): JxsTsParams {
  const h = au ? parseJxsPictureHeader(au.data) : undefined;
  if (h?.ok) return jxsTsParams(h.value, info.fps ?? 0);
  return {
    width: info.width ?? 0,
    height: info.height ?? 0,
    ppih: 0,
    plev: 0,
    fps: info.fps ?? 0,
    brat: 0,
  };
}

/** Turns access units of one track into PES payload parts (per-track state). */
export class EsPreparer {
  /** Parameter sets seen in this track's keyframes, by NAL type. */
  readonly #sets = new Map<number, Uint8Array>();
  #jxs: JxsTsParams | undefined;

  constructor(
    readonly info: TrackInfo,
    readonly streamType: number,
    private readonly outOfBand?: () => ParamSets | undefined,
  ) {}

  /** Payload parts for one access unit, or a failure reason (counted by the muxer). */
  prepare(au: AccessUnit, pts90: number): Uint8Array[] | DataReason {
    switch (this.info.codec) {
      case "h264":
      case "h265":
        return this.#h26x(au);
      case "aac":
        return this.#aac(au);
      case "opus":
        return [opusControlHeader(au.data.length), au.data];
      case "av1": {
        const t = toTsObus(au.data);
        return t ? [t] : "mux_av1_invalid";
      }
      case "jpegxs": {
        if (!this.#jxs || au.key) this.#jxs = jxsParams(this.info, au);
        return [jxesBox(this.#jxs, pts90 / 90000), au.data];
      }
      default:
        return [au.data];
    }
  }

  #aac(au: AccessUnit): Uint8Array[] | DataReason {
    const d = au.data;
    if (this.streamType === StreamType.AAC_LATM) return [d];
    if (d.length >= 2 && d[0] === 0xff && (d[1] & 0xf6) === 0xf0) return [d];
    const he = /HE/.test(this.info.profile ?? "");
    const rate = (this.info.sampleRate ?? au.clockRate) / (he ? 2 : 1);
    const h = adtsHeader(2, rate, this.info.channels ?? 2, d.length);
    return h ? [h, d] : "mux_aac_no_adts";
  }

  #h26x(au: AccessUnit): Uint8Array[] {
    const h264 = this.info.codec === "h264";
    const vcl = h264
      ? (b: number) => h264IsVcl(b & 0x1f)
      : (b: number) => h265IsVcl((b >> 1) & 0x3f);
    const type = (b: number) => (h264 ? b & 0x1f : (b >> 1) & 0x3f);
    const audType = h264 ? 9 : 35;
    const want = h264 ? [7, 8] : [32, 33, 34];
    const d = au.data;
    let audEnd = -1;
    const have = new Set<number>();
    let firstNal = true;
    forEachNal(d, (nal) => {
      if (vcl(nal[0])) return true;
      const t = type(nal[0]);
      if (firstNal && t === audType) audEnd = nal.byteOffset - d.byteOffset + nal.length;
      firstNal = false;
      if (want.includes(t)) {
        have.add(t);
        if (au.key) this.#sets.set(t, nal.slice());
      }
    }, vcl);
    const parts: Uint8Array[] = [];
    let rest = d;
    if (audEnd > 0) {
      parts.push(d.subarray(0, audEnd));
      rest = d.subarray(audEnd);
    } else parts.push(h264 ? AUD_H264 : AUD_H265);
    if (au.key) {
      const oob = this.outOfBand?.();
      for (const t of want) {
        if (have.has(t)) continue;
        const s = this.#sets.get(t) ?? oob?.get(t);
        if (s) parts.push(START, s);
      }
    }
    parts.push(rest);
    return parts;
  }
}
