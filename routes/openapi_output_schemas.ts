/**
 * JSON Schemas of the output resources of the API (components of /api/v1/openapi.json,
 * assembled in routes/openapi_schemas.ts): push outputs with their relays, and live.ts
 * clients.
 */

import {
  counts,
  dateTime,
  nonNeg,
  nullable,
  obj,
  OUTPUT_STATES,
  ref,
  type Schema,
  str,
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

export const Output: Schema = obj({
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
}, ["name", "stream", "url", "mode", "state", "target", "bytes", "frames", "drops", "relays"]);
export const OutputList: Schema = obj({
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
}, ["outputs", "live"]);
