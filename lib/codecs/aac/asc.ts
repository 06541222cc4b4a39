/**
 * MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1), as carried in SDP `config=`
 * (RFC 3640 MPEG4-GENERIC), LATM StreamMuxConfig (RFC 6416) and MP4 esds: object type,
 * sample rate (index or explicit 24-bit rate), channels, and SBR / PS signalling, both
 * explicit (AOT 5 / 29 first) and backward-compatible (sync extension 0x2B7 / 0x548).
 *
 * ```
 * audioObjectType(5) [audioObjectTypeExt(6) when 31] samplingFrequencyIndex(4)
 * [samplingFrequency(24) when index 15] channelConfiguration(4)
 * [AOT 5/29: extensionSamplingFrequencyIndex(4) [(24)] audioObjectType(5..11)]
 * GASpecificConfig: frameLengthFlag(1) dependsOnCoreCoder(1) [coreCoderDelay(14)]
 *                   extensionFlag(1) [program_config_element() when channelConfiguration 0]
 * [syncExtensionType(11)=0x2B7 extensionAudioObjectType(5)=5 sbrPresentFlag(1)
 *  [extensionSamplingFrequencyIndex(4) [(24)] [syncExtensionType(11)=0x548 psPresentFlag(1)]]]
 * ```
 */
import { BitReader } from "../../core/bits.ts";
import type { AudioParams } from "../../core/types.ts";
import { AAC_SAMPLE_RATES } from "./adts.ts";
import { fail, ok, type Result } from "../../core/result.ts";
import type { DataReason } from "../../core/reasons/catalogue.ts";

/** Channels by channelConfiguration (Table 1.19, ISO/IEC 23001-8 for 11..14). */
const CHANNELS = [0, 1, 2, 3, 4, 5, 6, 8, 0, 0, 0, 7, 8, 24, 8] as const;

/** Bytes of an AudioSpecificConfig looked at. */
export const MAX_ASC_BYTES = 256;

/** Audio object types whose specific config is a GASpecificConfig (1.6.2.1, Table 1.1). */
export const GA_OBJECT_TYPES: readonly number[] = [1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23];

/** AudioSpecificConfig fields beyond AudioParams. */
export interface AudioSpecificConfig extends AudioParams {
  /** Core audio object type (2 = AAC LC under HE-AAC). */
  objectType: number;
  /** Signalled object type: 5 for HE-AAC, 29 for HE-AACv2, else the core type. */
  signalledObjectType: number;
  /** Core sample rate (half the output rate under SBR). */
  coreSampleRate: number;
  channelConfiguration: number;
  sbr: boolean;
  ps: boolean;
  /** Samples per frame: 1024, or 960 with frameLengthFlag; doubled under SBR. */
  frameSamples: number;
  /** epConfig of an error-resilient GASpecificConfig (1.6.2.1), else 0. */
  epConfig: number;
}

const NAMES: Record<number, string> = {
  1: "Main",
  2: "LC",
  3: "SSR",
  4: "LTP",
  5: "HE-AAC",
  29: "HE-AACv2",
};

function readAot(r: BitReader): number {
  const aot = r.bits(5);
  return aot === 31 ? 32 + r.bits(6) : aot;
}

function readRate(r: BitReader): number {
  const i = r.bits(4);
  return i === 15 ? r.bits(24) : AAC_SAMPLE_RATES[i] ?? 0;
}

/** Channels of a program_config_element (4.4.1.1), read from its element counts. */
function pceChannels(r: BitReader): number {
  r.skip(4 + 2 + 4); // element_instance_tag, object_type, sampling_frequency_index
  const front = r.bits(4), side = r.bits(4), back = r.bits(4);
  const lfe = r.bits(2);
  r.skip(3 + 4); // num_assoc_data_elements, num_valid_cc_elements
  if (r.flag()) r.skip(4); // mono_mixdown
  if (r.flag()) r.skip(4); // stereo_mixdown
  if (r.flag()) r.skip(3); // matrix_mixdown
  let ch = lfe;
  for (let i = 0; i < front + side + back && !r.overrun; i++) {
    const cpe = r.bit(); // is_cpe (a channel pair)
    r.skip(4); // element_tag_select
    ch += cpe ? 2 : 1;
  }
  return ch;
}

/**
 * Reads an AudioSpecificConfig at the reader's position (for callers inside a
 * StreamMuxConfig). `bitsAvailable` bounds the backward-compatible extension search.
 */
export function readAudioSpecificConfig(
  r: BitReader,
  bitsAvailable = r.left,
): Result<AudioSpecificConfig, DataReason> {
  const startPos = r.pos;
  const signalled = readAot(r);
  let coreSampleRate = readRate(r);
  const channelConfiguration = r.bits(4);
  let sampleRate = coreSampleRate;
  let objectType = signalled;
  let sbr = false;
  let ps = false;
  if (signalled === 5 || signalled === 29) {
    sbr = true;
    ps = signalled === 29;
    sampleRate = readRate(r);
    objectType = readAot(r);
    if (objectType === 22) r.skip(4); // extensionChannelConfiguration
  }
  let frameSamples = 1024;
  let channels: number = CHANNELS[channelConfiguration] ?? 0;
  let epConfig = 0;
  if (GA_OBJECT_TYPES.includes(objectType)) {
    if (r.flag()) frameSamples = 960; // frameLengthFlag
    if (r.flag()) r.skip(14); // dependsOnCoreCoder -> coreCoderDelay
    const extensionFlag = r.flag();
    if (channelConfiguration === 0) channels = pceChannels(r);
    if (objectType === 6 || objectType === 20) r.skip(3); // layerNr
    if (extensionFlag) {
      if (objectType === 22) r.skip(16); // numOfSubFrame, layer_length
      if ([17, 19, 20, 23].includes(objectType)) r.skip(3); // resilience flags
      r.skip(1); // extensionFlag3
    }
    // epConfig (1.6.2.1): 2 and 3 add an ErrorProtectionSpecificConfig, not read here, so
    // the extension search below would read garbage: stop looking.
    if (objectType >= 17) epConfig = r.bits(2);
    const errorProtected = epConfig > 1;
    // Backward-compatible SBR / PS signalling (1.6.5.2).
    if (!sbr && !errorProtected && !r.overrun && bitsAvailable - (r.pos - startPos) >= 16) {
      const save = r.pos;
      if (r.bits(11) === 0x2b7 && readAot(r) === 5) {
        if (r.flag()) {
          sbr = true;
          sampleRate = readRate(r);
          if (bitsAvailable - (r.pos - startPos) >= 12 && r.bits(11) === 0x548) ps = r.flag();
        }
      } else {
        r.pos = save;
      }
    }
  }
  if (r.overrun) return fail("asc_truncated");
  if (coreSampleRate === 0 || sampleRate === 0 || objectType === 0) return fail("asc_invalid");
  if (ps && channels === 1) channels = 2;
  if (sbr) frameSamples *= 2;
  coreSampleRate = Math.min(coreSampleRate, sampleRate);
  const profileType = ps ? 29 : sbr ? 5 : objectType;
  return ok({
    sampleRate,
    channels,
    profile: NAMES[profileType] ?? `aot${profileType}`,
    frameSamples,
    objectType,
    signalledObjectType: signalled,
    coreSampleRate,
    channelConfiguration,
    sbr,
    ps,
    epConfig,
  });
}

/**
 * Parses an AudioSpecificConfig from bytes (e.g. the hex `config=` of an SDP fmtp line,
 * decoded). Reasons: "asc_short", "asc_truncated", "asc_invalid".
 */
export function parseAudioSpecificConfig(
  data: Uint8Array,
): Result<AudioSpecificConfig, DataReason> {
  if (data.length < 2) return fail("asc_short");
  const d = data.subarray(0, MAX_ASC_BYTES);
  return readAudioSpecificConfig(new BitReader(d), d.length * 8);
}

/** Decodes a hex string (SDP `config=`) to bytes; null when it is not hex. */
export function hexToBytes(hex: string): Uint8Array | null {
  const s = hex.trim();
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s) || s.length > 2 * MAX_ASC_BYTES) return null;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
  return out;
}
