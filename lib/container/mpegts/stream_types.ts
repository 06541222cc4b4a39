/**
 * Maps a PMT stream_type plus its descriptors to a codec (ISO/IEC 13818-1 Table 2-34;
 * registration descriptors per SMPTE RA: "AV01" (AOM AV1 in MPEG-2 TS 2.2), "Opus"
 * (ETSI TS 102 366-style Opus in TS), "AC-3"; DVB AC-3 descriptor 0x6A, ETSI EN 300 468).
 */
import type { Codec, CodecSource, TrackKind } from "../../core/types.ts";
import { codecForRegistration, codecForStreamType } from "../../codecs/registry.ts";
import type { CodecSpec, TsFraming } from "../../codecs/spec.ts";
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
  framing: TsFraming;
}

function cls(
  found: [CodecSpec, TsFraming] | undefined,
  codecSource: CodecSource,
): StreamClass {
  if (!found) {
    return { codec: "unknown", kind: "data", supported: false, codecSource, framing: "pes" };
  }
  const [c, framing] = found;
  return { codec: c.name, kind: c.kind, supported: true, codecSource, framing };
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
    return cls(codecForStreamType(streamType), "ts_stream_type");
  }
  const reg = formatIdentifier === undefined ? undefined : codecForRegistration(formatIdentifier);
  return cls(reg ?? (dvbAc3 ? codecForRegistration("AC-3") : undefined), "ts_descriptor");
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
