/**
 * GET /api/v1/openapi.json: the OpenAPI 3.1 document of the whole API (schemas in
 * routes/openapi_schemas.ts). It is public like the page (it describes, it holds no
 * data) and says whether this box wants a bearer token (`security`), which the
 * dashboard reads before its first call. tests/e2e/openapi_test.ts fails when a route
 * of the app is missing here or answers what the document does not say.
 */
import { Hono } from "hono";
import type { ApiDeps } from "./context.ts";
import { EVENT_TYPES } from "./events.ts";
import { SCHEMAS } from "./openapi_schemas.ts";

type Json = Record<string, unknown>;

const json = (schema: string, description: string): Json => ({
  description,
  content: { "application/json": { schema: { $ref: `#/components/schemas/${schema}` } } },
});
const err = (description: string): Json => json("Error", description);
const E400 = err("bad request (body, query or path)");
const E404 = err("no such stream, frame or file");
const E409 = err("conflict (state, no buffer, no keyframe yet)");
const idParam = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string" },
  description: "stream id",
};
const nameParam = {
  name: "name",
  in: "path",
  required: true,
  schema: { type: "string" },
  description: "output name (outputs[].name)",
};
const query = (name: string, type: string, description: string): Json => ({
  name,
  in: "query",
  required: false,
  schema: { type },
  description,
});

function op(summary: string, responses: Record<string, Json>, extra: Json = {}): Json {
  return { summary, responses, ...extra };
}

const PUBLIC = { security: [] };

/** The `paths` object; every route of routes/mod.ts is here. */
function paths(): Json {
  const streamJson = json("Stream", "the stream");
  return {
    "/": {
      get: op("the dashboard page", {
        200: { description: "ui/index.html", content: { "text/html": {} } },
      }, PUBLIC),
    },
    "/ui/{path}": {
      get: op("the dashboard's files (ES modules, CSS, vendored uPlot)", {
        200: {
          description: "the file",
          content: { "text/javascript": {}, "text/css": {}, "image/svg+xml": {} },
        },
        404: E404,
      }, {
        ...PUBLIC,
        parameters: [{ name: "path", in: "path", required: true, schema: { type: "string" } }],
      }),
    },
    "/api/v1/openapi.json": {
      get: op("this document", {
        200: { description: "OpenAPI 3.1", content: { "application/json": {} } },
      }, PUBLIC),
    },
    "/api/v1/health": {
      get: op("status, version and listeners", { 200: json("Health", "health") }),
    },
    "/api/v1/streams": { get: op("all streams", { 200: json("StreamList", "streams") }) },
    "/api/v1/streams/{id}": {
      parameters: [idParam],
      get: op("one stream", { 200: streamJson, 404: E404 }),
      delete: op("disconnect and remove", { 200: json("Removed", "removed"), 404: E404 }),
    },
    "/api/v1/streams/{id}/pause": {
      parameters: [idParam],
      post: op("stop buffering (the connection stays)", { 200: streamJson, 404: E404, 409: E409 }),
    },
    "/api/v1/streams/{id}/resume": {
      parameters: [idParam],
      post: op("buffer again from the next keyframe", { 200: streamJson, 404: E404, 409: E409 }),
    },
    "/api/v1/stats": { get: op("system statistics", { 200: json("Stats", "statistics") }) },
    "/api/v1/stats/streams/{id}": {
      parameters: [idParam],
      get: op("one stream's counters", { 200: json("StreamStats", "counters"), 404: E404 }),
    },
    "/api/v1/stats/streams/{id}/history": {
      parameters: [
        idParam,
        query("seconds", "integer", "last N seconds (default and at most 600)"),
      ],
      get: op("per-second samples of the last 10 minutes, one array per series", {
        200: json("History", "history"),
        400: E400,
        404: E404,
      }),
    },
    "/api/v1/video/buffer/{id}": {
      parameters: [
        idParam,
        query("track", "integer", "one track"),
        query("from", "number", "pts from (inclusive, track ticks)"),
        query("to", "number", "pts to (inclusive)"),
      ],
      get: op("GOP buffer frame index", {
        200: json("FrameIndex", "frame index"),
        400: E400,
        404: E404,
        409: E409,
      }),
    },
    "/api/v1/video/buffer/{id}/frames/{index}": {
      parameters: [idParam, {
        name: "index",
        in: "path",
        required: true,
        schema: { type: "integer", minimum: 0 },
      }],
      get: op("one access unit's bytes (X-Codec, X-Pts, X-Dts, X-Key, X-Track headers)", {
        200: { description: "the access unit", content: { "application/octet-stream": {} } },
        400: E400,
        404: E404,
        409: E409,
      }),
    },
    "/api/v1/video/preview/{id}": {
      parameters: [idParam, query("track", "integer", "video track (default: the first)")],
      get: op("the latest keyframe, decodable alone (X-Codec, X-Pts, X-Track headers)", {
        200: {
          description: "Annex B (H.264/H.265) or OBUs (AV1)",
          content: { "application/octet-stream": {} },
        },
        400: E400,
        404: E404,
        409: E409,
      }),
    },
    "/api/v1/sync/status/{id}": {
      parameters: [idParam],
      get: op("A/V sync: reference, offsets, drift, corrections", {
        200: json("SyncStatus", "sync status; numbers null until measurable"),
        404: E404,
      }),
    },
    "/api/v1/sync/adjust/{id}": {
      parameters: [idParam],
      post: op("set a track's manual A/V offset (absolute; default: the first audio track)", {
        200: json("SyncStatus", "the new sync status"),
        400: E400,
        404: E404,
        415: err("Content-Type is not application/json"),
      }, {
        requestBody: {
          required: true,
          content: { "application/json": { schema: { $ref: "#/components/schemas/SyncAdjust" } } },
        },
      }),
    },
    "/api/v1/events": {
      parameters: [
        query("types", "string", `comma-separated event types: ${EVENT_TYPES.join(", ")}`),
        query("stream", "string", "only events of this stream"),
        {
          name: "Last-Event-ID",
          in: "header",
          required: false,
          schema: { type: "string", pattern: "^[0-9]+$" },
          description: "resume after this event id (from the ring of recent events)",
        },
      ],
      get: op("Server-Sent Events of the event bus", {
        200: {
          description: "`event: <type>`, `id: <n>`, `data: <payload + time>` per event " +
            "(payloads: components.schemas.Event.<type>); `event: hello` first; " +
            '`event: dropped` `{"dropped","totalDropped"}` where a slow reader lost events',
          content: { "text/event-stream": {} },
        },
        400: E400,
      }),
    },
    "/api/v1/events/recent": {
      parameters: [
        query("types", "string", "comma-separated event types"),
        query("stream", "string", "only events of this stream"),
        query("limit", "integer", "at most this many (default 100, at most 1000)"),
      ],
      get: op("the newest events of the ring", {
        200: json("RecentEvents", "events"),
        400: E400,
      }),
    },
    "/api/v1/streams/{id}/live.ts": {
      parameters: [idParam],
      get: op("the stream as live MPEG-TS from the newest buffered keyframe", {
        200: {
          description: "chunked MPEG-TS until the stream ends",
          content: { "video/mp2t": {} },
        },
        404: E404,
        409: E409,
        501: err("live pull not enabled"),
      }),
    },
    "/api/v1/outputs": {
      get: op("push relays and live.ts clients", { 200: json("OutputList", "outputs") }),
    },
    "/api/v1/outputs/{name}": {
      parameters: [nameParam],
      get: op("one output", { 200: json("Output", "the output"), 404: E404 }),
    },
    "/api/v1/outputs/{name}/restart": {
      parameters: [nameParam],
      post: op("reconnect the output now", { 200: json("Output", "the output"), 404: E404 }),
    },
    "/metrics": {
      get: op("Prometheus metrics", {
        200: { description: "text format 0.0.4", content: { "text/plain": {} } },
      }),
    },
  };
}

/** The whole document for this box (its version and whether tokens are required). */
export function openapiDocument(d: ApiDeps): Json {
  const auth = d.manager.config.api.tokens.length > 0;
  return {
    openapi: "3.1.0",
    info: {
      title: "sluice",
      version: d.version,
      description: "Live video ingest appliance: streams, statistics, GOP buffer, events.",
    },
    servers: [{ url: "/" }],
    ...(auth ? { security: [{ bearer: [] }] } : {}),
    paths: paths(),
    components: {
      schemas: SCHEMAS,
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "api.tokens; the page keeps it in sessionStorage",
        },
      },
    },
  };
}

/** The document's route (mounted before auth). */
export function openapiRoutes(d: ApiDeps): Hono {
  const app = new Hono();
  app.get("/api/v1/openapi.json", (c) => c.json(openapiDocument(d)));
  return app;
}
