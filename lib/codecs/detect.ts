/**
 * Codec detection for RTP: from an RTP encoding name (SDP rtpmap, RFC 8866 6.6; names per
 * the IANA media type registry) or a static payload type (RFC 3551 Tables 4 and 5).
 * Sniffing RTP payloads lives in sniff.ts; MPEG-TS stream types in
 * lib/container/mpegts/stream_types.ts.
 */
import type { Codec, CodecSource, TrackKind } from "../core/types.ts";

/** What a detector decided about one track. `clockRate` 0 means "unknown here". */
export interface CodecGuess {
  codec: Codec;
  kind: TrackKind;
  /** Timestamp clock, Hz: 90000 for MPEG-TS and RTP video, the RTP clock for RTP audio. */
  clockRate: number;
  source: CodecSource;
  /** Audio channels when the rtpmap or static table says. */
  channels?: number;
}

function guess(
  codec: Codec,
  kind: TrackKind,
  clockRate: number,
  source: CodecSource,
  channels?: number,
): CodecGuess {
  const g: CodecGuess = { codec, kind, clockRate, source };
  if (channels !== undefined) g.channels = channels;
  return g;
}

/** An rtpmap value "<encoding name>/<clock rate>[/<channels>]" taken apart. */
export interface Rtpmap {
  encodingName: string;
  clockRate: number;
  channels?: number;
}

/**
 * Parses an rtpmap value (RFC 8866 6.6), with or without the leading payload type:
 * "96 H264/90000", "opus/48000/2", "H265/90000". Returns null when malformed.
 */
export function parseRtpmap(value: string): (Rtpmap & { payloadType?: number }) | null {
  const m = /^\s*(?:(\d{1,3})\s+)?([A-Za-z0-9_.+-]{1,32})\/(\d{1,7})(?:\/(\d{1,3}))?\s*$/.exec(
    value,
  );
  if (!m) return null;
  const out: Rtpmap & { payloadType?: number } = { encodingName: m[2], clockRate: Number(m[3]) };
  if (m[1] !== undefined) out.payloadType = Number(m[1]);
  if (m[4] !== undefined) out.channels = Number(m[4]);
  if (out.clockRate === 0 || (out.payloadType ?? 0) > 127) return null;
  return out;
}

// deno-fmt-ignore
const BY_NAME: Record<string, [Codec, TrackKind]> = {
  H264: ["h264", "video"], H265: ["h265", "video"], AV1: ["av1", "video"], JXSV: ["jpegxs", "video"],
  "MP4A-LATM": ["aac", "audio"], "MPEG4-GENERIC": ["aac", "audio"], OPUS: ["opus", "audio"],
  PCMU: ["pcmu", "audio"], PCMA: ["pcma", "audio"], L16: ["l16", "audio"], MPA: ["mp2", "audio"],
  AC3: ["ac3", "audio"],
};

/**
 * Codec of an RTP encoding name (case-insensitive: H264, H265, AV1, jxsv, MP4A-LATM,
 * MPEG4-GENERIC, opus, PCMU, PCMA, L16, MPA, AC3). `kindHint` (the SDP m= media) decides
 * MPEG4-GENERIC video. Unknown names give codec "unknown".
 */
export function codecFromEncodingName(
  encodingName: string,
  clockRate: number,
  channels?: number,
  source: CodecSource = "sdp",
  kindHint?: TrackKind,
): CodecGuess {
  const e = BY_NAME[encodingName.toUpperCase()];
  if (!e) return guess("unknown", kindHint ?? "data", clockRate, source, channels);
  if (e[1] === "audio" && kindHint === "video") return guess("unknown", "video", clockRate, source);
  const ch = e[1] === "audio" ? channels ?? 1 : undefined;
  return guess(e[0], e[1], clockRate, source, ch);
}

/** Codec of an rtpmap value such as "H264/90000" or "97 opus/48000/2"; null when malformed. */
export function codecFromRtpmap(value: string, source: CodecSource = "sdp"): CodecGuess | null {
  const m = parseRtpmap(value);
  return m ? codecFromEncodingName(m.encodingName, m.clockRate, m.channels, source) : null;
}

/** Static payload types of RFC 3551 Tables 4 and 5: [name, kind, clock, channels]. */
// deno-fmt-ignore
const STATIC: Record<number, [string, TrackKind, number, number?]> = {
  0: ["PCMU", "audio", 8000, 1], 3: ["GSM", "audio", 8000, 1], 4: ["G723", "audio", 8000, 1],
  5: ["DVI4", "audio", 8000, 1], 6: ["DVI4", "audio", 16000, 1], 7: ["LPC", "audio", 8000, 1],
  8: ["PCMA", "audio", 8000, 1], 9: ["G722", "audio", 8000, 1], 10: ["L16", "audio", 44100, 2],
  11: ["L16", "audio", 44100, 1], 12: ["QCELP", "audio", 8000, 1], 13: ["CN", "audio", 8000, 1],
  14: ["MPA", "audio", 90000], 15: ["G728", "audio", 8000, 1], 16: ["DVI4", "audio", 11025, 1],
  17: ["DVI4", "audio", 22050, 1], 18: ["G729", "audio", 8000, 1], 25: ["CelB", "video", 90000],
  26: ["JPEG", "video", 90000], 28: ["nv", "video", 90000], 31: ["H261", "video", 90000],
  32: ["MPV", "video", 90000], 33: ["MP2T", "video", 90000], 34: ["H263", "video", 90000],
};

/**
 * Codec of a static RTP payload type (RFC 3551 6): 0 PCMU, 8 PCMA, 10/11 L16, 14 MPA ...
 * Returns null for dynamic (96-127) and unassigned types.
 */
export function codecFromStaticPayloadType(pt: number): CodecGuess | null {
  const s = STATIC[pt];
  if (!s) return null;
  const e = BY_NAME[s[0].toUpperCase()];
  const codec = e ? e[0] : "unknown";
  return guess(codec, s[1], s[2], "rtp_static", s[3]);
}
