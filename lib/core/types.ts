/**
 * The vocabulary every media stage speaks: transport packets in, elementary-stream
 * chunks, access units (frames) and GOPs out. Timestamps are unwrapped integer
 * ticks of the track's `clockRate` (90 kHz for MPEG-TS and RTP video, the sample
 * rate for RTP audio).
 */
import type { DataReason } from "./reasons/catalogue.ts";

/** Video codecs sluice parses. */
export type VideoCodec = "h264" | "h265" | "av1" | "jpegxs";
/** Audio codecs sluice parses. */
export type AudioCodec = "aac" | "opus" | "pcmu" | "pcma" | "l16" | "mp2" | "ac3";
/** Every codec name used in track info and the API. */
export type Codec = VideoCodec | AudioCodec | "unknown";
/** Kind of elementary stream. */
export type TrackKind = "video" | "audio" | "data";

/**
 * Where a stage counts: a catalogue reason (lib/core/reasons/catalogue.ts), counted per stream in
 * `errors` or `drops` as the catalogue says, or per port in `portErrors`.
 */
export type Counter = (reason: DataReason, n?: number) => void;

/**
 * One RTP packet after header parsing (RFC 3550 5.1). `payload` is a subarray of the
 * datagram, never a copy. `seq` is 16-bit as on the wire; `extSeq` is the extended
 * (cycle-counted) sequence number when the session has assigned one.
 */
export interface RtpPacket {
  version: number;
  padding: boolean;
  extension: boolean;
  marker: boolean;
  payloadType: number;
  seq: number;
  extSeq: number;
  /** 32-bit RTP timestamp as on the wire. */
  timestamp: number;
  ssrc: number;
  csrcs: number[];
  /** Header extension profile and data when present. */
  extensionProfile?: number;
  extensionData?: Uint8Array;
  payload: Uint8Array;
  /** Monotonic arrival time in ms (performance.now()). */
  arrivalMs: number;
}

/**
 * A piece of one elementary stream as the transport delivered it, before frame
 * assembly: one PES payload (or part of one) from MPEG-TS, with its timestamps.
 * `pts`/`dts` are unwrapped 90 kHz ticks, or undefined when the PES carried none.
 */
export interface EsChunk {
  trackId: number;
  data: Uint8Array;
  pts?: number;
  dts?: number;
  /** MPEG-TS random_access_indicator or PES data_alignment hint. */
  randomAccess: boolean;
  /** True for the first chunk of a PES packet (a unit start). */
  unitStart: boolean;
  arrivalMs: number;
  /** MPEG-TS: the program clock at the PES's first packet (TsDemuxer.pcrNow), 90 kHz. */
  pcr?: number;
}

/** Frame types where the slice/frame header tells. */
export type FrameType = "I" | "P" | "B";

/**
 * One access unit (a frame). `data` is one contiguous buffer, copied once at assembly:
 * Annex B (start codes) for H.264/H.265, a low-overhead OBU stream (every OBU with
 * `obu_has_size_field`, temporal delimiter first) for AV1, the codestream (SOC..EOC)
 * for JPEG XS, one raw audio frame (ADTS frame for AAC from TS, raw AU for AAC from
 * RTP, one Opus packet, G.711 samples) for audio.
 */
export interface AccessUnit {
  trackId: number;
  codec: Codec;
  kind: TrackKind;
  /** Presentation time, unwrapped ticks of clockRate. */
  pts: number;
  /** Decode time, unwrapped ticks of clockRate (equal to pts when not reordered). */
  dts: number;
  clockRate: number;
  /** Random access point: H.264 IDR (or recovery point), H.265 IRAP, AV1 key TU, every JPEG XS frame. */
  key: boolean;
  frameType?: FrameType;
  data: Uint8Array;
  /** Monotonic arrival time in ms of the last byte. */
  arrivalMs: number;
  /** Duration in ticks when known (audio frames). */
  duration?: number;
  /**
   * MPEG-TS: the program clock when this frame completed (90 kHz, unwrapped, extrapolated
   * to the TS packet; see TsDemuxer.pcrNow), the reference lib/sync measures against.
   */
  pcr?: number;
  /** Presentation time on the stream's output timeline, ms (set by lib/sync). */
  ptsMs?: number;
  /** Decode time on the stream's output timeline, ms; never decreases within a track. */
  dtsMs?: number;
}

/** A group of pictures: frames from one random access point up to the next. */
export interface Gop {
  /** Sequence number of this GOP within its track, from 0. */
  seq: number;
  trackId: number;
  frames: AccessUnit[];
  /** Sum of frames' byte sizes. */
  bytes: number;
  /** First frame's pts, ticks. */
  startPts: number;
  /** Duration in ticks (last pts - first pts + one frame). */
  duration: number;
  /** False when the GOP starts on an open random access point (CRA with RASL, recovery point). */
  closed: boolean;
  /** True when frames are still being added. */
  open: boolean;
}

/** How the codec of a track was decided. */
export type CodecSource =
  | "ts_stream_type"
  | "ts_descriptor"
  | "rtp_static"
  | "config"
  | "sdp"
  | "inferred";

/** Stream info of one track, filled by the bitstream parsers as they see config data. */
export interface TrackInfo {
  id: number;
  kind: TrackKind;
  codec: Codec;
  codecSource?: CodecSource;
  clockRate: number;
  /** MPEG-TS stream_type or RTP payload type. */
  streamType?: number;
  payloadType?: number;
  supported: boolean;
  // video
  width?: number;
  height?: number;
  fps?: number;
  profile?: string;
  level?: string;
  chromaFormat?: string;
  bitDepth?: number;
  interlaced?: boolean;
  // audio
  sampleRate?: number;
  channels?: number;
}

/** Video parameters read from an SPS / sequence header / picture header. */
export interface VideoParams {
  width: number;
  height: number;
  profile: string;
  level: string;
  fps?: number;
  chromaFormat?: string;
  bitDepth?: number;
  interlaced?: boolean;
}

/** Audio parameters read from an AudioSpecificConfig / ADTS header / TOC. */
export interface AudioParams {
  sampleRate: number;
  channels: number;
  profile?: string;
  /** Samples per frame when fixed (1024 for AAC-LC). */
  frameSamples?: number;
}

/** An access unit reassembled from RTP packets, before timestamp unwrapping. */
export interface RtpUnit {
  /** 32-bit RTP timestamp as on the wire. */
  timestamp: number;
  /** The access unit (same byte format as AccessUnit.data). */
  data: Uint8Array;
  /** Random access point (see AccessUnit.key). */
  key: boolean;
  /** Monotonic arrival time in ms of the last packet. */
  arrivalMs: number;
}

/** Options every RTP depacketizer takes. */
export interface DepacketizerOptions {
  /** Receives each complete access unit. */
  onUnit: (unit: RtpUnit) => void;
  /** Counts errors and drops by reason (e.g. "fu_without_start", "frame_loss"). */
  count: Counter;
  /** Emit dependent frames after a loss instead of waiting for the next key unit. */
  emitAfterLoss?: boolean;
  /** Cap on one access unit, bytes (default per codec, e.g. 8 MiB). */
  maxUnitBytes?: number;
  /** SDP fmtp parameters of the payload type (sprop-parameter-sets, packetization-mode ...). */
  fmtp?: Record<string, string>;
}

/**
 * The interface every RTP depacketizer implements (lib/codecs/<codec>/depacketizer.ts).
 * Packets arrive in sequence order from the jitter buffer; `lostBefore` is true when
 * one or more packets were declared lost right before this one.
 */
export interface RtpDepacketizer {
  push(pkt: RtpPacket, lostBefore: boolean): void;
  /** Emit or drop whatever is pending (end of stream). */
  flush(): void;
}
