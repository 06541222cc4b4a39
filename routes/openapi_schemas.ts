/**
 * JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of what the API returns: the
 * components of /api/v1/openapi.json (routes/openapi.ts). tests/e2e/openapi_test.ts
 * validates live responses of every route against them, so a field added to a route's
 * JSON must be added here too. Objects that belong to this API's contract are closed
 * (`additionalProperties: false`); open-ended ones (transport statistics, listener
 * health, counters by reason) say so.
 */

import { EVENT_SCHEMAS } from "./openapi_events.ts";
import { Health } from "./openapi_health_schemas.ts";
import { Output, OutputList } from "./openapi_output_schemas.ts";
import { nonNeg, obj, ref, type Schema, str } from "./openapi_schema_kit.ts";
import { SseStats, Stats } from "./openapi_stats_schemas.ts";
import {
  FrameIndex,
  History,
  Removed,
  Stream,
  StreamList,
  StreamStats,
  StreamSummary,
  Track,
} from "./openapi_stream_schemas.ts";
import { SyncAdjust, SyncStatus } from "./openapi_sync_schemas.ts";

/** The recent events (GET /api/v1/events/recent), one `oneOf` branch per event type. */
const RecentEvents: Schema = obj({
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
}, ["lastId", "events"]);

/**
 * components.schemas of the document, one file per resource: streams
 * (routes/openapi_stream_schemas.ts), health (routes/openapi_health_schemas.ts), stats
 * (routes/openapi_stats_schemas.ts), events (routes/openapi_events.ts), outputs
 * (routes/openapi_output_schemas.ts), sync (routes/openapi_sync_schemas.ts).
 */
export const SCHEMAS: Record<string, Schema> = {
  Error: obj({ error: obj({ code: str, message: str }, ["code", "message"]) }, ["error"]),
  Health,
  Track,
  Stream,
  StreamSummary,
  StreamList,
  Removed,
  Stats,
  SseStats,
  StreamStats,
  History,
  FrameIndex,
  RecentEvents,
  ...Object.fromEntries(Object.entries(EVENT_SCHEMAS).map(([t, s]) => [`Event.${t}`, s])),
  Output,
  OutputList,
  SyncAdjust,
  SyncStatus,
};
