/**
 * JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of what the API returns: the
 * components of /api/v1/openapi.json (routes/openapi.ts). tests/e2e/openapi_test.ts
 * validates live responses of every route against them, so a field added to a route's
 * JSON must be added here too. Objects that belong to this API's contract are closed
 * (`additionalProperties: false`); open-ended ones (transport statistics, listener
 * health, counters by reason) say so.
 */

import { EVENT_SCHEMAS } from "./openapi_events.ts";
import {
  bool,
  counts,
  dateTime,
  int,
  nonNeg,
  nullable,
  numS,
  obj,
  OUTPUT_STATES,
  ref,
  type Schema,
  str,
  STREAM_STATES,
} from "./openapi_schema_kit.ts";

const breaker = obj({
  state: { enum: ["closed", "open", "half-open"] },
  failures: nonNeg,
  opened: nonNeg,
}, ["state", "failures", "opened"]);
const relayProps: Record<string, Schema> = {
  state: { enum: OUTPUT_STATES },
  target: { type: "string", description: "host:port" },
  since: dateTime,
  bytes: nonNeg,
  frames: nonNeg,
  drops: counts,
  gopsDropped: nonNeg,
  retries: nonNeg,
  nextAttemptAt: nullable(dateTime),
  breaker,
  lastError: nullable(str),
};

const Track = obj({
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

const Listener: Schema = {
  type: "object",
  properties: {
    enabled: bool,
    reason: str,
    port: nonNeg,
    socket: { enum: ["sluice", "libsrt"], description: "SRT: who opened the UDP socket" },
    socketBufferBytes: { ...nonNeg, description: "kernel receive buffer granted" },
    kernelDrops: { ...nullable(nonNeg), description: "datagrams the kernel dropped (full buffer)" },
  },
  required: ["enabled"],
  additionalProperties: true,
  description: "listener health; `reason` says why one is disabled",
};

const SseStats = obj({
  clients: nonNeg,
  connections: nonNeg,
  queuedEvents: nonNeg,
  queueLimit: nonNeg,
  sentEvents: nonNeg,
  droppedEvents: nonNeg,
}, ["clients", "connections", "queuedEvents", "queueLimit", "sentEvents", "droppedEvents"]);

const series = (s: Schema): Schema => ({ type: "array", items: nullable(s) });

const LINK_STATES = ["connecting", "connected", "reconnecting", "down", "stopped"];

/** health's `nats` part (lib/fleet/mod.ts Fleet.health), present when `nats:` is configured. */
const NatsHealth = obj({
  enabled: bool,
  state: { enum: LINK_STATES },
  since: dateTime,
  box: str,
  servers: { type: "array", items: str },
  server: { ...str, description: "the server connected to" },
  error: { ...str, description: "why the link or JetStream is down" },
  jetstream: { ...str, description: '"ok", "unknown" while not connected, else the error' },
  reconnects: nonNeg,
  failedAttempts: nonNeg,
  socketErrors: nonNeg,
  pendingBytes: nonNeg,
  pending: obj({ events: nonNeg, registry: nonNeg }, ["events", "registry"]),
  publishErrors: nonNeg,
  writeError: str,
  breaker: { enum: ["closed", "open", "half-open"] },
  published: obj({ events: nonNeg, registry: nonNeg, frames: nonNeg, frameBytes: nonNeg }, [
    "events",
    "registry",
    "frames",
    "frameBytes",
  ]),
  dropped: obj({ events: nonNeg, registry: nonNeg, frames: counts }, [
    "events",
    "registry",
    "frames",
  ]),
  frameStreams: { type: "array", items: str },
}, [
  "enabled",
  "state",
  "since",
  "box",
  "servers",
  "jetstream",
  "reconnects",
  "pendingBytes",
  "publishErrors",
  "published",
  "dropped",
]);

/** components.schemas of the document. */
export const SCHEMAS: Record<string, Schema> = {
  Error: obj({ error: obj({ code: str, message: str }, ["code", "message"]) }, ["error"]),
  Health: obj({
    status: { enum: ["ok", "degraded"] },
    reasons: {
      type: "array",
      items: str,
      description: "why degraded: a configured listener disabled, an output down",
    },
    version: str,
    uptimeS: numS,
    listeners: {
      type: "object",
      properties: {
        srt: Listener,
        rtp: Listener,
        api: obj({ enabled: bool, address: str, tls: bool }, ["enabled", "address", "tls"]),
      },
      required: ["api"],
      additionalProperties: Listener,
    },
    outputs: obj({
      configured: nonNeg,
      down: { type: "array", items: str, description: "outputs not connected" },
    }, ["configured", "down"]),
    nats: NatsHealth,
  }, ["status", "version", "uptimeS", "listeners"]),
  Track,
  Stream: obj(streamProps, streamRequired),
  StreamSummary: obj({
    ...streamProps,
    codecs: { type: "array", items: str, description: "codec of each track" },
  }, [...streamRequired, "codecs"]),
  StreamList: obj({ streams: { type: "array", items: ref("StreamSummary") } }, ["streams"]),
  Removed: obj({ id: str, removed: { const: true } }, ["id", "removed"]),
  Stats: obj({
    uptimeS: numS,
    streams: obj({
      total: nonNeg,
      live: nonNeg,
      byState: counts,
      opened: nonNeg,
    }, ["total", "live", "byState", "opened"]),
    maxConnections: nonNeg,
    codecs: counts,
    bitrateBps: nonNeg,
    packets: nonNeg,
    bytes: nonNeg,
    errors: nonNeg,
    drops: nonNeg,
    refused: { ...counts, description: "refused publishers by <protocol>_<reason>" },
    portErrors: { ...counts, description: "input rejected before a stream, <listener>_<reason>" },
    takeovers: {
      ...counts,
      description: "publishers that took a stream over, by <protocol>_<reason>",
    },
    closed: {
      ...counts,
      description: "streams closed, by <protocol>_<reason> (connect_timeout, shutdown ...)",
    },
    memory: obj({
      rssBytes: nonNeg,
      heapUsedBytes: nonNeg,
      bufferedBytes: nonNeg,
      globalLimitBytes: nonNeg,
      perStreamLimitBytes: nonNeg,
    }, ["rssBytes", "heapUsedBytes", "bufferedBytes", "globalLimitBytes", "perStreamLimitBytes"]),
    eventLoopLagMs: numS,
    eventLoopLagMaxMs: numS,
    eventLoopLagP99Ms: {
      ...numS,
      description: "99th percentile of the last minute of lag samples",
    },
    events: ref("SseStats"),
  }, ["uptimeS", "streams", "memory", "refused", "portErrors", "eventLoopLagMs", "events"]),
  SseStats,
  StreamStats: obj({
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
  }, ["id", "state", "packets", "bytes", "bitrateBps", "errors", "drops", "tracks"]),
  History: obj({
    id: str,
    intervalMs: { const: 1000 },
    t: { type: "array", items: numS, description: "sample times, ms since the epoch" },
    bitrateBps: series(nonNeg),
    fps: series(numS),
    lost: series(nonNeg),
    dropped: series(nonNeg),
    errors: series(nonNeg),
    bufferedBytes: series(nonNeg),
  }, ["id", "intervalMs", "t", "bitrateBps", "fps", "lost", "dropped", "errors", "bufferedBytes"]),
  FrameIndex: obj({
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
  }, ["frames", "gops"]),
  RecentEvents: obj({
    lastId: { ...nonNeg, description: "newest event id: resume SSE with Last-Event-ID" },
    events: {
      type: "array",
      items: {
        oneOf: Object.keys(EVENT_SCHEMAS).map((type) =>
          obj({
            id: nonNeg,
            time: { type: "string", format: "date-time" },
            type: { const: type },
            data: ref(`Event.${type}`),
          }, [
            "id",
            "time",
            "type",
            "data",
          ])
        ),
      },
    },
  }, ["lastId", "events"]),
  ...Object.fromEntries(Object.entries(EVENT_SCHEMAS).map(([t, s]) => [`Event.${t}`, s])),
  Output: obj({
    name: str,
    stream: { type: "string", description: "stream id or glob" },
    url: { type: "string", description: "the configured URL, passphrase redacted" },
    mode: { enum: ["remux", "passthrough"] },
    ...relayProps,
    connects: nonNeg,
    lastErrorAt: nullable(dateTime),
    relays: {
      type: "array",
      description: "one per stream the output takes",
      items: obj({ stream: str, ...relayProps }, ["stream", "state", "target", "bytes"]),
    },
  }, ["name", "stream", "url", "mode", "state", "target", "bytes", "frames", "drops", "relays"]),
  OutputList: obj({
    outputs: { type: "array", items: ref("Output") },
    live: {
      type: "array",
      description: "live.ts clients",
      items: obj({
        id: nonNeg,
        stream: str,
        remote: str,
        since: dateTime,
        bytes: nonNeg,
        frames: nonNeg,
        queuedBytes: nonNeg,
        drops: counts,
        gopsDropped: nonNeg,
      }, ["id", "stream", "remote", "since", "bytes", "frames", "queuedBytes", "drops"]),
    },
  }, ["outputs", "live"]),
  SyncAdjust: obj({ track: int, offsetMs: numS }, ["offsetMs"]),
  /** GET /api/v1/sync/status/{id} (lib/sync/status.ts). */
  SyncStatus: obj({
    id: str,
    reference: { enum: ["pcr", "rtcp", "arrival"] },
    state: { enum: ["measuring", "locked", "correcting", "single-track"] },
    thresholdMs: numS,
    avOffsetMs: nullable(numS),
    targetAvOffsetMs: nullable(numS),
    outputAvOffsetMs: nullable(numS),
    tracks: {
      type: "array",
      items: {
        type: "object",
        properties: {
          id: int,
          kind: str,
          codec: str,
          reference: str,
          offsetMs: nullable(numS),
          driftPpm: nullable(numS),
          jitterMs: nullable(numS),
          samples: nonNeg,
          correctionMs: nullable(numS),
          manualOffsetMs: nullable(numS),
        },
        required: [
          "id",
          "kind",
          "codec",
          "reference",
          "offsetMs",
          "driftPpm",
          "jitterMs",
          "samples",
          "correctionMs",
          "manualOffsetMs",
        ],
      },
    },
    corrections: obj({
      count: nonNeg,
      slewedMs: numS,
      framesDropped: nonNeg,
      framesDuplicated: nonNeg,
      resyncs: {
        ...nonNeg,
        description:
          "output timeline rebases: each new publisher session (reconnect, takeover, RTP sender restart), timestamp jumps, PCR discontinuities",
      },
    }, ["count", "slewedMs", "framesDropped", "framesDuplicated", "resyncs"]),
  }, [
    "id",
    "reference",
    "state",
    "thresholdMs",
    "avOffsetMs",
    "targetAvOffsetMs",
    "outputAvOffsetMs",
    "tracks",
    "corrections",
  ]),
};
