/**
 * JSON Schemas of the stream resources of the API (components of /api/v1/openapi.json,
 * assembled in routes/openapi_schemas.ts): a stream and its tracks, the stream list,
 * per-stream statistics and history, and the GOP buffer's frame index.
 */

import {
  bool,
  counts,
  int,
  nonNeg,
  nullable,
  numS,
  obj,
  ref,
  type Schema,
  str,
  STREAM_STATES,
} from "./openapi_schema_kit.ts";

export const Track = obj({
  id: int,
  kind: { enum: ["video", "audio", "data"] },
  codec: str,
  codecSource: str,
  supported: bool,
  clockRate: nonNeg,
  frames: nonNeg,
  keyframes: nonNeg,
  bytes: nonNeg,
  bitrateBps: nonNeg,
  bitrate10sBps: nonNeg,
  width: nullable(nonNeg),
  height: nullable(nonNeg),
  fps: nullable(numS),
  measuredFps: numS,
  profile: nullable(str),
  level: nullable(str),
  chromaFormat: str,
  bitDepth: nonNeg,
  interlaced: bool,
  gopFrames: nullable(nonNeg),
  gop: obj({
    count: nonNeg,
    open: nonNeg,
    lastFrames: nonNeg,
    avgFrames: numS,
    lastDurationMs: numS,
    avgDurationMs: numS,
    framesBeforeFirstKey: nonNeg,
  }, ["count", "open", "lastFrames", "avgFrames", "lastDurationMs", "avgDurationMs"]),
  sampleRate: nullable(nonNeg),
  channels: nullable(nonNeg),
  streamType: nonNeg,
  payloadType: nonNeg,
}, ["id", "kind", "codec", "frames", "keyframes", "bytes", "bitrateBps"]);

const streamProps: Record<string, Schema> = {
  id: str,
  name: str,
  protocol: { enum: ["srt", "rtp"] },
  state: { enum: STREAM_STATES },
  remote: { type: "string", description: "publisher address host:port" },
  startedAt: { type: "string", format: "date-time" },
  uptimeS: numS,
  bitrateBps: { ...nonNeg, description: "input bitrate over the last second" },
  bitrate10sBps: nonNeg,
  packets: nonNeg,
  bytes: nonNeg,
  bufferedBytes: nonNeg,
  sessions: { ...nonNeg, description: "1 + reconnects and takeovers within the grace window" },
  tracks: { type: "array", items: ref("Track") },
  errors: { ...counts, description: "malformed input by reason" },
  drops: { ...counts, description: "data discarded on purpose by reason" },
  transport: {
    type: "object",
    description: "protocol statistics (SRT: rttMs, packetsLost ...; RTP: lost, jitter_ms ...)",
    additionalProperties: { type: ["number", "string", "boolean", "null"] },
  },
  ssrc: nonNeg,
  ssrcs: {
    type: "array",
    items: nonNeg,
    description: "RTP: every SSRC of the stream (`ssrc` first; the others joined as tracks)",
  },
  streamId: str,
  user: str,
  closedAt: { type: "string", format: "date-time" },
  closeReason: str,
};
const streamRequired = [
  "id",
  "name",
  "protocol",
  "state",
  "remote",
  "startedAt",
  "uptimeS",
  "bitrateBps",
  "packets",
  "bytes",
  "bufferedBytes",
  "tracks",
  "errors",
  "drops",
  "transport",
];

const series = (s: Schema): Schema => ({ type: "array", items: nullable(s) });

export const Stream: Schema = obj(streamProps, streamRequired);
export const StreamSummary: Schema = obj({
  ...streamProps,
  codecs: { type: "array", items: str, description: "codec of each track" },
}, [...streamRequired, "codecs"]);
export const StreamList: Schema = obj({ streams: { type: "array", items: ref("StreamSummary") } }, [
  "streams",
]);
export const Removed: Schema = obj({ id: str, removed: { const: true } }, ["id", "removed"]);
export const StreamStats: Schema = obj({
  id: str,
  state: { enum: STREAM_STATES },
  uptimeS: numS,
  packets: nonNeg,
  bytes: nonNeg,
  bitrateBps: nonNeg,
  bitrate10sBps: nonNeg,
  bufferedBytes: nonNeg,
  errors: counts,
  drops: counts,
  transport: streamProps.transport,
  tracks: { type: "array", items: ref("Track") },
}, ["id", "state", "packets", "bytes", "bitrateBps", "errors", "drops", "tracks"]);
export const History: Schema = obj({
  id: str,
  intervalMs: { const: 1000 },
  t: { type: "array", items: numS, description: "sample times, ms since the epoch" },
  bitrateBps: series(nonNeg),
  fps: series(numS),
  lost: series(nonNeg),
  dropped: series(nonNeg),
  errors: series(nonNeg),
  bufferedBytes: series(nonNeg),
}, ["id", "intervalMs", "t", "bitrateBps", "fps", "lost", "dropped", "errors", "bufferedBytes"]);
export const FrameIndex: Schema = obj({
  frames: {
    type: "array",
    items: obj({
      index: nonNeg,
      track: int,
      pts: numS,
      dts: numS,
      key: bool,
      size: nonNeg,
      gop: int,
      ptsMs: { ...nullable(numS), description: "presentation time on the output timeline" },
      dtsMs: { ...nullable(numS), description: "decode time on the output timeline" },
    }, ["index", "track", "pts", "dts", "key", "size", "gop", "ptsMs", "dtsMs"]),
  },
  gops: nonNeg,
}, ["frames", "gops"]);
