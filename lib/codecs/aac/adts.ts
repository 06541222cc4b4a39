/**
 * ADTS (Audio Data Transport Stream) headers and frame splitting
 * (ISO/IEC 14496-3 1.A.3.2 / ISO/IEC 13818-7 6.2).
 *
 * ```
 * syncword(12)=0xFFF ID(1) layer(2)=0 protection_absent(1) profile(2) sf_index(4)
 * private(1) channel_config(3) original(1) home(1) copyright_id(1) copyright_start(1)
 * frame_length(13) buffer_fullness(11) number_of_raw_data_blocks_in_frame(2)
 * [crc_check(16) when protection_absent = 0]
 * ```
 */
import type { AudioParams } from "../../core/types.ts";
import { fail, ok, type Result } from "../../core/result.ts";

/** Sampling frequencies by sampling_frequency_index (ISO/IEC 14496-3 Table 1.18). */
export const AAC_SAMPLE_RATES = [
  96000,
  88200,
  64000,
  48000,
  44100,
  32000,
  24000,
  22050,
  16000,
  12000,
  11025,
  8000,
  7350,
] as const;

/** Largest ADTS frame: frame_length is 13 bits. */
export const MAX_ADTS_FRAME_BYTES = 8191;

const PROFILES = ["Main", "LC", "SSR", "LTP"] as const;

/** One parsed ADTS header. */
export interface AdtsHeader {
  /** MPEG-4 audio object type (profile + 1): 1 Main, 2 LC, 3 SSR, 4 LTP. */
  objectType: number;
  sampleRate: number;
  samplingIndex: number;
  /** channel_configuration (0 = defined in a program_config_element). */
  channels: number;
  /** Whole frame, header included. */
  frameLength: number;
  /** 7, or 9 with CRC. */
  headerLength: number;
  /** PCM samples per channel in this frame: 1024 per raw data block. */
  samples: number;
}

/** Parses the ADTS header at `off`; reason "adts_invalid" (or "adts_short" for < 7 bytes). */
export function parseAdtsHeader(d: Uint8Array, off = 0): Result<AdtsHeader> {
  if (d.length - off < 7) return fail("adts_short");
  if (d[off] !== 0xff || (d[off + 1] & 0xf6) !== 0xf0) return fail("adts_invalid");
  const samplingIndex = (d[off + 2] >> 2) & 0x0f;
  if (samplingIndex >= AAC_SAMPLE_RATES.length) return fail("adts_invalid");
  const headerLength = d[off + 1] & 1 ? 7 : 9;
  const frameLength = ((d[off + 3] & 3) << 11) | (d[off + 4] << 3) | (d[off + 5] >> 5);
  if (frameLength < headerLength) return fail("adts_invalid");
  return ok({
    objectType: (d[off + 2] >> 6) + 1,
    sampleRate: AAC_SAMPLE_RATES[samplingIndex],
    samplingIndex,
    channels: ((d[off + 2] & 1) << 2) | (d[off + 3] >> 6),
    frameLength,
    headerLength,
    samples: 1024 * ((d[off + 6] & 3) + 1),
  });
}

/** AudioParams of an ADTS header (profile name per ISO/IEC 13818-7 Table 31). */
export function adtsAudioParams(h: AdtsHeader): AudioParams {
  return {
    sampleRate: h.sampleRate,
    channels: h.channels,
    profile: PROFILES[h.objectType - 1],
    frameSamples: h.samples,
  };
}

/** One ADTS frame found by `splitAdts`: a view into the input, header included. */
export interface AdtsFrame {
  data: Uint8Array;
  header: AdtsHeader;
}

/** Result of splitting a buffer of concatenated ADTS frames. */
export interface AdtsSplit {
  frames: AdtsFrame[];
  /** Offset of an incomplete frame at the end (= input length when none). */
  rest: number;
  /** Times garbage was skipped to find the next syncword. */
  resyncs: number;
}

/**
 * Splits concatenated ADTS frames (zero-copy views). Garbage between frames is skipped
 * up to the next header that parses (counted in `resyncs`); a trailing partial frame is
 * reported by `rest` so the caller can join it with the next buffer. Never throws.
 */
export function splitAdts(d: Uint8Array): AdtsSplit {
  const frames: AdtsFrame[] = [];
  let off = 0;
  let resyncs = 0;
  let lost = false;
  while (off < d.length) {
    const r = parseAdtsHeader(d, off);
    if (r.ok) {
      const end = off + r.value.frameLength;
      if (end > d.length) break;
      frames.push({ data: d.subarray(off, end), header: r.value });
      off = end;
      lost = false;
      continue;
    }
    if (r.reason === "adts_short" && d[off] === 0xff) break;
    if (!lost) resyncs++;
    lost = true;
    const next = d.indexOf(0xff, off + 1);
    if (next < 0) {
      off = d.length;
      break;
    }
    off = next;
  }
  return { frames, rest: off, resyncs };
}

/**
 * A 7-byte ADTS header (no CRC) for one raw AAC frame of `payloadBytes`, for carrying
 * RTP/LATM-delivered raw access units in MPEG-TS (stream_type 0x0F). `objectType` is the
 * MPEG-4 audio object type (2 = LC); returns undefined for a rate ADTS cannot signal.
 */
export function adtsHeader(
  objectType: number,
  sampleRate: number,
  channels: number,
  payloadBytes: number,
): Uint8Array | undefined {
  const sf = AAC_SAMPLE_RATES.indexOf(sampleRate as typeof AAC_SAMPLE_RATES[number]);
  const len = payloadBytes + 7;
  if (sf < 0 || objectType < 1 || objectType > 4 || len > MAX_ADTS_FRAME_BYTES) return undefined;
  const ch = channels & 7;
  return new Uint8Array([
    0xff,
    0xf1, // MPEG-4, layer 0, protection_absent
    ((objectType - 1) << 6) | (sf << 2) | (ch >> 2),
    ((ch & 3) << 6) | (len >> 11),
    (len >> 3) & 0xff,
    ((len & 7) << 5) | 0x1f, // buffer fullness 0x7FF (VBR)
    0xfc, // one raw data block
  ]);
}
