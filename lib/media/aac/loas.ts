/**
 * LOAS/LATM for AAC in MPEG-TS stream_type 0x11 (ISO/IEC 14496-3 1.7.2 AudioSyncStream,
 * 1.7.3 AudioMuxElement / StreamMuxConfig, 1.6.2.1 AudioSpecificConfig).
 *
 * ```
 * AudioSyncStream: syncword(11)=0x2B7 audioMuxLengthBytes(13) AudioMuxElement(muxConfigPresent=1)
 * AudioMuxElement: useSameStreamMux(1) [StreamMuxConfig] PayloadLengthInfo PayloadMux ...
 * ```
 */
import { BitReader } from "../bits.ts";
import { type AudioParams, fail, ok, type Result } from "../types.ts";
import { AAC_SAMPLE_RATES } from "./adts.ts";

/** Largest LOAS frame: 3 header bytes + 13-bit audioMuxLengthBytes. */
export const MAX_LOAS_FRAME_BYTES = 3 + 8191;

/** Result of splitting a buffer of LOAS frames (views, 3-byte sync header included). */
export interface LoasSplit {
  frames: Uint8Array[];
  /** Offset of an incomplete frame at the end (= input length when none). */
  rest: number;
  /** Times garbage was skipped to find the next syncword. */
  resyncs: number;
}

/** Splits an AudioSyncStream into LOAS frames (zero-copy). Never throws. */
export function splitLoas(d: Uint8Array): LoasSplit {
  const frames: Uint8Array[] = [];
  let off = 0;
  let resyncs = 0;
  let lost = false;
  while (off < d.length) {
    if (d.length - off < 3) {
      if (d[off] === 0x56) break;
    } else if (d[off] === 0x56 && (d[off + 1] & 0xe0) === 0xe0) {
      const end = off + 3 + (((d[off + 1] & 0x1f) << 8) | d[off + 2]);
      if (end > d.length) break;
      frames.push(d.subarray(off, end));
      off = end;
      lost = false;
      continue;
    }
    if (!lost) resyncs++;
    lost = true;
    const next = d.indexOf(0x56, off + 1);
    off = next < 0 ? d.length : next;
  }
  return { frames, rest: off, resyncs };
}

function latmValue(r: BitReader): number {
  const n = r.bits(2);
  return r.bits(8 * (n + 1));
}

/** LATM stream parameters: AudioParams plus AAC frames per AudioMuxElement. */
export interface LatmConfig extends AudioParams {
  /** numSubFrames + 1: AAC frames carried by one AudioMuxElement. */
  subFrames: number;
}

/**
 * Reads the StreamMuxConfig of one LOAS frame (audioMuxVersion 0 or 1). Returns
 * "latm_same_mux" when the frame reuses an earlier config, "latm_invalid" when unreadable.
 */
export function parseLatmConfig(frame: Uint8Array): Result<LatmConfig> {
  const r = new BitReader(frame, 3);
  if (r.bit() === 1) return fail("latm_same_mux");
  const version = r.bit();
  const versionA = version ? r.bit() : 0;
  if (versionA) return fail("latm_invalid");
  if (version) latmValue(r); // taraBufferFullness
  r.skip(1); // allStreamsSameTimeFraming
  const subFrames = r.bits(6) + 1;
  r.skip(4 + 3); // numProgram, numLayer (first program/layer only)
  if (version) latmValue(r); // ascLen
  let aot = r.bits(5);
  if (aot === 31) aot = 32 + r.bits(6);
  const sfi = r.bits(4);
  let rate = sfi === 15 ? r.bits(24) : AAC_SAMPLE_RATES[sfi] ?? 0;
  const channels = r.bits(4);
  let frameSamples = 1024;
  if (aot === 5 || aot === 29) {
    const esfi = r.bits(4);
    rate = esfi === 15 ? r.bits(24) : AAC_SAMPLE_RATES[esfi] ?? 0;
    frameSamples = 2048;
  }
  if (r.overrun || rate === 0) return fail("latm_invalid");
  const profile = aot === 2 ? "LC" : aot === 5 ? "HE-AAC" : aot === 29 ? "HE-AACv2" : `aot${aot}`;
  return ok({ sampleRate: rate, channels, profile, frameSamples, subFrames });
}
