/**
 * JSON Schemas of GET /api/v1/stats (components of /api/v1/openapi.json, assembled in
 * routes/openapi_schemas.ts): the box's totals, refusals, memory, event loop lag and the
 * SSE hub's statistics.
 */

import { counts, nonNeg, numS, obj, ref, type Schema } from "./openapi_schema_kit.ts";

export const Stats: Schema = obj({
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
}, ["uptimeS", "streams", "memory", "refused", "portErrors", "eventLoopLagMs", "events"]);

export const SseStats = obj({
  clients: nonNeg,
  connections: nonNeg,
  queuedEvents: nonNeg,
  queueLimit: nonNeg,
  sentEvents: nonNeg,
  droppedEvents: nonNeg,
}, ["clients", "connections", "queuedEvents", "queueLimit", "sentEvents", "droppedEvents"]);
