/**
 * Maps a PMT stream_type plus its descriptors to a codec (ISO/IEC 13818-1 Table 2-34;
 * registration descriptors per SMPTE RA: "AV01" (AOM AV1 in MPEG-2 TS 2.2), "Opus"
 * (ETSI TS 102 366-style Opus in TS), "AC-3"; DVB AC-3 descriptor 0x6A, ETSI EN 300 468).
 */
import type { Codec, CodecSource, TrackKind } from "../types.ts";
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

function cls(
  codec: Codec,
  kind: TrackKind,
  source: CodecSource,
  framing: StreamClass["framing"] = "pes",
): StreamClass {
  return { codec, kind, supported: codec !== "unknown", codecSource: source, framing };
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
  switch (streamType) {
    case StreamType.H264:
      return cls("h264", "video", "ts_stream_type");
    case StreamType.H265:
      return cls("h265", "video", "ts_stream_type");
    case StreamType.JPEG_XS:
      return cls("jpegxs", "video", "ts_stream_type");
    case StreamType.AAC_ADTS:
      return cls("aac", "audio", "ts_stream_type", "adts");
    case StreamType.AAC_LATM:
      return cls("aac", "audio", "ts_stream_type", "loas");
    case StreamType.MPEG1_AUDIO:
    case StreamType.MPEG2_AUDIO:
      return cls("mp2", "audio", "ts_stream_type");
    case StreamType.AC3:
      return cls("ac3", "audio", "ts_stream_type");
    case StreamType.PRIVATE_PES: {
      const reg = registration(esInfo) ?? registration(programInfo);
      if (reg === "AV01") return cls("av1", "video", "ts_descriptor");
      if (reg === "Opus") return cls("opus", "audio", "ts_descriptor", "opus");
      if (reg === "AC-3" || findDescriptor(esInfo, 0x6a)) {
        return cls("ac3", "audio", "ts_descriptor");
      }
      return cls("unknown", "data", "ts_descriptor");
    }
  }
  return cls("unknown", "data", "ts_stream_type");
}
