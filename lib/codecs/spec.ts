/**
 * What the pipeline asks of a codec: one `CodecSpec` object per codec, exported by
 * lib/codecs/<codec>/codec.ts and listed once in lib/codecs/registry.ts. The pipeline,
 * the MPEG-TS stream-type table, the RTP payload map and the payload sniffer ask the
 * registry; none of them switches on a codec name (docs/ARCHITECTURE.md, "Adding a codec").
 */
import type {
  AccessUnit,
  Codec,
  Counter,
  DepacketizerOptions,
  RtpDepacketizer,
  TrackKind,
  VideoParams,
} from "../core/types.ts";

/** Per-payload plausibility: -1 impossible, 0 weak, 1 plausible, 2 conclusive. */
export type SniffScore = -1 | 0 | 1 | 2;

/** One RTP payload format a codec can be recognised by from its bytes alone. */
export interface PayloadSniffer {
  /** Scores one payload. */
  score(payload: Uint8Array): SniffScore;
  /** False when `next` cannot follow `prev` in sequence (AV1: Y of one is Z of the next). */
  follows?(prev: Uint8Array, next: Uint8Array): boolean;
}

/** How the MPEG-TS demuxer cuts a PES payload into chunks (lib/container/mpegts/track.ts). */
export type TsFraming = "pes" | "adts" | "loas" | "opus";

/** MPEG-TS carriage of a codec (ISO/IEC 13818-1 Table 2-34, registration descriptor 2.6.8). */
export interface TsCarriage {
  /** stream_type -> framing. */
  streamTypes?: Readonly<Record<number, TsFraming>>;
  /** format_identifier of a registration descriptor on stream_type 0x06 -> framing. */
  registrations?: Readonly<Record<string, TsFraming>>;
}

/** RTP carriage of a codec (RFC 8866 6.6 rtpmap). */
export interface RtpCarriage {
  /** Encoding names as the IANA media type registry writes them (matched case-insensitively). */
  encodings: readonly string[];
  /** Clock rate the payload format fixes, Hz; absent when only the rtpmap can say (AAC). */
  clockRate?: number;
}

/**
 * H.264/H.265 facts the shared Annex B machinery (lib/codecs/h26x/) needs: NAL unit
 * types, VCL test, parameter sets and their SDP keys.
 */
export interface AnnexBRules {
  codec: "h264" | "h265";
  /** nal_unit_type from the first header byte. */
  nalType(b0: number): number;
  /** True for a coded slice (VCL) NAL unit type. */
  isVcl(type: number): boolean;
  /** Parameter sets a decoder needs ahead of a key frame, in decoding order. */
  paramSetTypes: readonly number[];
  /** fmtp keys carrying out-of-band parameter sets (RFC 6184 8.1, RFC 7798 7.1), in order. */
  spropKeys: readonly string[];
}

/** Reads one track's parameter sets for stream info and decodable previews. */
export interface ParamReader {
  /** Latest parameter sets by NAL type (no start codes), or AV1 OBU type. */
  readonly sets: Map<number, Uint8Array>;
  /** Parameters read so far. */
  readonly params: VideoParams | undefined;
  /** Out-of-band parameter sets (SDP sprop-*); returns new parameters when they changed. */
  addOutOfBand(nals: Uint8Array[]): VideoParams | undefined;
  /** Looks at one access unit; returns new parameters when they changed. */
  observe(au: AccessUnit): VideoParams | undefined;
  /** A key frame made decodable on its own (missing parameter sets put in front). */
  decodable(au: AccessUnit): AccessUnit;
}

/** Everything the pipeline asks of one codec. Optional parts are absent when not parsed. */
export interface CodecSpec {
  /** Name in TrackInfo, the API and metrics (a member of Codec, lib/core/types.ts). */
  readonly name: Codec;
  readonly kind: TrackKind;
  readonly ts?: TsCarriage;
  readonly rtp?: RtpCarriage;
  /** Payload formats the sniffer tries, in its tie-break order. */
  readonly sniffers?: readonly PayloadSniffer[];
  /** RTP depacketizer (`encoding`: the rtpmap name, e.g. MPEG4-GENERIC vs MP4A-LATM). */
  depacketizer?(o: DepacketizerOptions, encoding?: string): RtpDepacketizer;
  /** Annex B codecs: frames are assembled from NAL units, DTS derived, key/type read. */
  readonly annexB?: AnnexBRules;
  /** Random access test for one frame of a video codec without Annex B (one PES, one TU). */
  isKeyFrame?(data: Uint8Array): boolean;
  /** Parameter-set reader for stream info and previews, one per track. */
  params?(): ParamReader;
  /** Out-of-band parameter sets from an SDP fmtp, NAL units without start codes. */
  spropSets?(fmtp: Record<string, string>, count: Counter): Uint8Array[];
}
