/**
 * JSON Schema of GET /api/v1/health (components of /api/v1/openapi.json, assembled in
 * routes/openapi_schemas.ts): status and reasons, listener health, outputs down, and the
 * NATS link's part.
 */

import {
  bool,
  counts,
  dateTime,
  nonNeg,
  nullable,
  numS,
  obj,
  type Schema,
  str,
} from "./openapi_schema_kit.ts";

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

export const Health: Schema = obj({
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
}, ["status", "version", "uptimeS", "listeners"]);
