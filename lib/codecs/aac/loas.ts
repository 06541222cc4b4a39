/**
 * LOAS/LATM for AAC in MPEG-TS stream_type 0x11 (ISO/IEC 14496-3 1.7.2 AudioSyncStream,
 * 1.7.3 AudioMuxElement / StreamMuxConfig, 1.6.2.1 AudioSpecificConfig).
 *
 * ```
 * AudioSyncStream: syncword(11)=0x2B7 audioMuxLengthBytes(13) AudioMuxElement(muxConfigPresent=1)
 * AudioMuxElement: useSameStreamMux(1) [StreamMuxConfig] PayloadLengthInfo PayloadMux ...
 * ```
 */
import { BitReader } from "../../core/bits.ts";
import { type LatmMuxConfig, readStreamMuxConfig } from "./latm.ts";
import { fail, type Result } from "../../core/result.ts";

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

/** LATM stream parameters: AudioParams plus AAC frames per AudioMuxElement (subFrames). */
export type LatmConfig = LatmMuxConfig;

/**
 * Reads the StreamMuxConfig of one LOAS frame (AudioMuxElement(1), 1.7.3) with
 * readStreamMuxConfig (latm.ts). Returns "latm_same_mux" when the frame reuses an earlier
 * config, or the reason the config is unreadable or unsupported.
 */
export function parseLatmConfig(frame: Uint8Array): Result<LatmConfig> {
  const r = new BitReader(frame, 3);
  if (r.bit() === 1) return fail("latm_same_mux");
  return readStreamMuxConfig(r);
}
