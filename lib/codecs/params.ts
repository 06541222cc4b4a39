/**
 * Per-track parameter tracking: the codec's parameter-set reader from the registry
 * (H.264/H.265 SPS/VPS in lib/codecs/h26x/params.ts, the AV1 sequence header in
 * lib/codecs/av1/params.ts, the JPEG XS picture header in lib/codecs/jpegxs/params.ts)
 * reads access units as they pass, keeps the latest parameter sets (also those given out of
 * band, e.g. SDP sprop) and turns them into TrackInfo updates and decodable preview frames.
 */
import type { AccessUnit, Codec, TrackInfo, VideoParams } from "../core/types.ts";
import { codecSpec } from "./registry.ts";
import type { ParamReader } from "./spec.ts";

/** Tracks one video track's parameters (nothing for codecs without a reader). */
export class ParamTracker {
  readonly #reader: ParamReader | undefined;

  constructor(readonly codec: Codec) {
    this.#reader = codecSpec(codec)?.params?.();
  }

  /** Latest parameter set NAL units by type (no start codes) or the AV1 sequence header OBU. */
  get sets(): Map<number, Uint8Array> {
    return this.#reader?.sets ?? new Map();
  }

  /** Parameters read so far. */
  get params(): VideoParams | undefined {
    return this.#reader?.params;
  }

  /**
   * Stores out-of-band parameter sets (SDP sprop-parameter-sets / sprop-vps/sps/pps)
   * and returns the parameters they give, if new.
   */
  addOutOfBand(nals: Uint8Array[]): VideoParams | undefined {
    return this.#reader?.addOutOfBand(nals);
  }

  /** Looks at one access unit; returns new parameters when they changed. */
  observe(au: AccessUnit): VideoParams | undefined {
    return this.#reader?.observe(au);
  }

  /**
   * A keyframe made decodable on its own: parameter sets the AU lacks are put in front
   * (after the AV1 temporal delimiter for AV1). Returns the AU itself when complete.
   */
  decodable(au: AccessUnit): AccessUnit {
    return this.#reader ? this.#reader.decodable(au) : au;
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
