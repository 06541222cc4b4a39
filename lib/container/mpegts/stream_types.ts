/**
 * Maps a PMT stream_type plus its descriptors to a codec (ISO/IEC 13818-1 Table 2-34;
 * registration descriptors per SMPTE RA: "AV01" (AOM AV1 in MPEG-2 TS 2.2), "Opus"
 * (ETSI TS 102 366-style Opus in TS), "AC-3"; DVB AC-3 descriptor 0x6A, ETSI EN 300 468).
 */
import type { Codec, CodecSource, TrackKind } from "../../core/types.ts";
import type { CodecGuess } from "../../codecs/detect.ts";
import { findDescriptor, registration } from "./psi.ts";

/** stream_type values sluice knows. */
export const StreamType = {
  MPEG1_AUDIO: 0x03,
  MPEG2_AUDIO: 0x04,
  PRIVATE_PES: 0x06,
  AAC_ADTS: 0x0f,
  AAC_LATM: 0x11,
  H264: 0x1b,
  H265: 0x24,
  JPEG_XS: 0x32,
  AC3: 0x81,
} as const;

/** What a PMT entry carries. */
export interface StreamClass {
  codec: Codec;
  kind: TrackKind;
  supported: boolean;
  codecSource: CodecSource;
  /** How the demuxer cuts PES payloads into chunks. */
  framing: "pes" | "adts" | "loas" | "opus";
}

type Entry = readonly [Codec, TrackKind, StreamClass["framing"]];

const UNKNOWN: Entry = ["unknown", "data", "pes"];

/** stream_type -> codec and framing (ISO/IEC 13818-1 Table 2-34; 0x81 ATSC A/52). */
const BY_STREAM_TYPE = new Map<number, Entry>([
  [StreamType.H264, ["h264", "video", "pes"]],
  [StreamType.H265, ["h265", "video", "pes"]],
  [StreamType.JPEG_XS, ["jpegxs", "video", "pes"]],
  [StreamType.AAC_ADTS, ["aac", "audio", "adts"]],
  [StreamType.AAC_LATM, ["aac", "audio", "loas"]],
  [StreamType.MPEG1_AUDIO, ["mp2", "audio", "pes"]],
  [StreamType.MPEG2_AUDIO, ["mp2", "audio", "pes"]],
  [StreamType.AC3, ["ac3", "audio", "pes"]],
]);

/** Registration descriptor format_identifier (2.6.8) -> codec, for stream_type 0x06. */
const BY_REGISTRATION = new Map<string, Entry>([
  ["AV01", ["av1", "video", "pes"]],
  ["Opus", ["opus", "audio", "opus"]],
  ["AC-3", ["ac3", "audio", "pes"]],
]);

function cls([codec, kind, framing]: Entry, codecSource: CodecSource): StreamClass {
  return { codec, kind, supported: codec !== "unknown", codecSource, framing };
}

/**
 * Classifies a stream_type (Table 2-34). For stream_type 0x06 (private PES) the codec
 * comes from the registration descriptor's `formatIdentifier` (2.6.8) or, failing that,
 * a DVB AC-3 descriptor (`dvbAc3`, EN 300 468 tag 0x6A). Unknown types come back as codec
 * "unknown", kind "data", supported false.
 */
export function classifyStreamType(
  streamType: number,
  formatIdentifier?: string,
  dvbAc3 = false,
): StreamClass {
  if (streamType !== StreamType.PRIVATE_PES) {
    return cls(BY_STREAM_TYPE.get(streamType) ?? UNKNOWN, "ts_stream_type");
  }
  const reg = formatIdentifier === undefined ? undefined : BY_REGISTRATION.get(formatIdentifier);
  const e = reg ?? (dvbAc3 ? BY_REGISTRATION.get("AC-3") : undefined);
  return cls(e ?? UNKNOWN, "ts_descriptor");
}

/**
 * Classifies one elementary stream. `esInfo` is its ES_info descriptor loop,
 * `programInfo` the program_info loop (registration there applies to all streams).
 * Unknown types come back as codec "unknown", supported false.
 */
export function classifyStream(
  streamType: number,
  esInfo: Uint8Array,
  programInfo: Uint8Array,
): StreamClass {
  if (streamType !== StreamType.PRIVATE_PES) return classifyStreamType(streamType);
  const reg = registration(esInfo) ?? registration(programInfo);
  return classifyStreamType(streamType, reg, findDescriptor(esInfo, 0x6a) !== undefined);
}

/**
 * Codec of an MPEG-TS elementary stream as a {@link CodecGuess} (clock 90 kHz), from
 * {@link classifyStreamType}: stream_type 0x06 (private PES) is decided by the registration
 * descriptor's format_identifier (2.6.8): "AV01", "Opus", "AC-3". Unknown types give codec
 * "unknown", kind "data".
 */
export function codecFromStreamType(streamType: number, formatIdentifier?: string): CodecGuess {
  const c = classifyStreamType(streamType, formatIdentifier);
  return { codec: c.codec, kind: c.kind, clockRate: 90000, source: c.codecSource };
}
