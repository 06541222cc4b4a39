/**
 * JSON Schemas of the event bus payloads (lib/stream/events.ts EventMap) as the SSE route
 * sends them; typed by EventType so an event without a schema fails deno check.
 */
import type { EventType } from "../lib/stream/events.ts";
import {
  int,
  nonNeg,
  nullable,
  numS,
  obj,
  OUTPUT_STATES,
  type Schema,
  str,
  STREAM_STATES,
} from "./openapi_schema_kit.ts";

/** Payload of each event type (lib/stream/events.ts EventMap), as SSE `data` (plus `time`). */
export const EVENT_SCHEMAS: Record<EventType, Schema> = {
  "stream.opened": obj({ stream: str, protocol: str, remote: str, sessions: nonNeg }, [
    "stream",
    "protocol",
    "remote",
    "sessions",
  ]),
  "stream.state": obj({ stream: str, from: str, to: str, reason: str }, ["stream", "from", "to"]),
  "stream.closed": obj({ stream: str, reason: str }, ["stream", "reason"]),
  "stream.removed": obj({ stream: str, reason: str }, ["stream", "reason"]),
  "stream.refused": obj({ stream: str, protocol: str, reason: str, remote: str }, [
    "protocol",
    "reason",
  ]),
  "stream.stats": obj({
    stream: str,
    state: { enum: STREAM_STATES },
    bitrateBps: nonNeg,
    fps: nullable(numS),
    bufferedBytes: nonNeg,
    lost: { ...nonNeg, description: "packets lost by the transport in this second" },
    dropped: { ...nonNeg, description: "drops counted in this second" },
    errors: { ...nonNeg, description: "errors counted in this second" },
  }, ["stream", "state", "bitrateBps", "fps", "bufferedBytes", "lost", "dropped", "errors"]),
  "stream.gop": obj({
    stream: str,
    track: int,
    codec: str,
    pts: numS,
    keyBytes: nonNeg,
    lastFrames: nullable(nonNeg),
    lastDurationMs: nullable(numS),
    skipped: nonNeg,
  }, ["stream", "track", "codec", "pts", "keyBytes", "lastFrames", "lastDurationMs", "skipped"]),
  "output.state": obj({
    output: str,
    stream: str,
    target: str,
    from: { enum: OUTPUT_STATES },
    to: { enum: OUTPUT_STATES },
    reason: str,
    retryInMs: numS,
  }, ["output", "stream", "target", "from", "to"]),
  "stream.takeover": obj({
    stream: str,
    protocol: str,
    reason: str,
    remote: str,
    previousRemote: str,
    sessions: nonNeg,
    silentMs: numS,
  }, ["stream", "protocol", "reason", "remote", "previousRemote", "sessions", "silentMs"]),
  "sync.state": obj({ stream: str, from: str, to: str }, ["stream", "from", "to"]),
  "sync.reference": obj({ stream: str, from: str, to: str }, ["stream", "from", "to"]),
  "sync.correction": obj({
    stream: str,
    track: int,
    phase: { enum: ["start", "end"] },
    errorMs: numS,
    correctionMs: numS,
  }, ["stream", "track", "phase", "errorMs", "correctionMs"]),
  "sync.resync": obj({ stream: str, track: int, reason: str }, ["stream", "track", "reason"]),
  "sync.adjust": obj({ stream: str, track: int, offsetMs: numS }, ["stream", "track", "offsetMs"]),
  "link.state": obj({ link: str, from: str, to: str, error: str }, ["link", "from", "to"]),
  "memory.pressure": obj({ bufferedBytes: nonNeg, limitBytes: nonNeg, freedBytes: nonNeg }, [
    "bufferedBytes",
    "limitBytes",
    "freedBytes",
  ]),
};
