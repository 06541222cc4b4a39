/**
 * /api/v1/events: the event bus (lib/stream/events.ts) as Server-Sent Events (routes/sse_hub.ts), and
 * /api/v1/events/recent: the newest events of the bus's ring as JSON (the dashboard's
 * event log; its `lastId` is where an SSE reader can resume with Last-Event-ID).
 *
 * With api.tokens set the events route needs the Authorization header like every /api
 * route: a browser's EventSource cannot send headers, so the dashboard reads the stream
 * with fetch() (ui/sse.js). There is deliberately no `?token=` (URLs end up in logs and
 * browser history).
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { EventType } from "../lib/stream/events.ts";
import type { SseFilter, SseHub } from "./sse_hub.ts";
import type { ApiDeps } from "./context.ts";
import { jsonError } from "./errors.ts";

/** Event types a client may ask for (`?types=`), from the bus's EventMap. */
export const EVENT_TYPES: readonly EventType[] = [
  "stream.opened",
  "stream.state",
  "stream.closed",
  "stream.removed",
  "stream.refused",
  "stream.stats",
  "stream.gop",
  "memory.pressure",
  "output.state",
];

/** Parses `?types=a,b` and `?stream=`; a string is the error message. */
function filterOf(c: Context): SseFilter | string {
  const f: SseFilter = {};
  const t = c.req.query("types");
  if (t) {
    const list = t.split(",").map((x) => x.trim()).filter(Boolean);
    const bad = list.filter((x) => !(EVENT_TYPES as readonly string[]).includes(x));
    if (bad.length) return `unknown event type ${bad.join(", ")}; known: ${EVENT_TYPES.join(", ")}`;
    f.types = new Set(list);
  }
  const s = c.req.query("stream");
  if (s) f.stream = s;
  return f;
}

function nonNegInt(v: string | undefined): number | undefined | null {
  if (v === undefined || v === "") return undefined;
  return /^\d{1,15}$/.test(v) ? Number(v) : null;
}

/** Event routes; `hub` is the server's SSE hub. */
export function eventRoutes(d: ApiDeps, hub: SseHub): Hono {
  const app = new Hono();
  app.get("/", (c) => {
    const f = filterOf(c);
    if (typeof f === "string") return jsonError(c, 400, "bad_request", f);
    const last = nonNegInt(c.req.header("last-event-id") ?? c.req.query("lastEventId"));
    if (last === null) {
      return jsonError(c, 400, "bad_request", "Last-Event-ID must be a non-negative integer");
    }
    return new Response(hub.open(f, last), {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        "x-accel-buffering": "no",
      },
    });
  });
  app.get("/recent", (c) => {
    const f = filterOf(c);
    if (typeof f === "string") return jsonError(c, 400, "bad_request", f);
    const limit = nonNegInt(c.req.query("limit"));
    if (limit === null) return jsonError(c, 400, "bad_request", "limit must be an integer");
    const bus = d.manager.events;
    const events = bus.since(0).events.filter((e) =>
      (!f.types || f.types.has(e.type)) &&
      (f.stream === undefined || (e.data as { stream?: string }).stream === f.stream)
    );
    const n = Math.min(limit ?? 100, 1000);
    return c.json({
      lastId: bus.lastId,
      events: events.slice(Math.max(0, events.length - n)).map((e) => ({
        id: e.id,
        time: new Date(e.time).toISOString(),
        type: e.type,
        data: e.data,
      })),
    });
  });
  return app;
}
