/** /api/v1/sync: per-track offset and drift, the stream's A/V offset, manual adjustment. */
import { Hono } from "hono";
import type { ApiDeps } from "./context.ts";
import { jsonError } from "./errors.ts";

/** Sync routes (lib/sync/stream_sync.ts computes what they show). */
export function syncRoutes(d: ApiDeps): Hono {
  const app = new Hono();
  app.get("/status/:id", (c) => {
    const id = c.req.param("id");
    const s = d.manager.get(id);
    if (!s) return jsonError(c, 404, "not_found", `no stream ${id}`);
    return c.json(s.sync.status(s.id));
  });
  app.post("/adjust/:id", async (c) => {
    const id = c.req.param("id");
    const s = d.manager.get(id);
    if (!s) return jsonError(c, 404, "not_found", `no stream ${id}`);
    const type = c.req.header("content-type") ?? "";
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      return jsonError(c, 415, "unsupported_media_type", "Content-Type must be application/json");
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return jsonError(c, 400, "bad_request", "body must be JSON");
    }
    const b = body as { track?: unknown; offsetMs?: unknown };
    const trackOk = b?.track === undefined ||
      (typeof b.track === "number" && Number.isInteger(b.track) && b.track >= 0);
    if (typeof b?.offsetMs !== "number" || !Number.isFinite(b.offsetMs) || !trackOk) {
      return jsonError(
        c,
        400,
        "bad_request",
        'body must be { "track"?: number, "offsetMs": number }',
      );
    }
    const r = s.sync.adjust(b.track as number | undefined, b.offsetMs);
    if (!r.ok) return jsonError(c, 400, "bad_request", r.reason);
    d.manager.log.info("sync.adjust", {
      stream: id,
      track: (b.track as number | undefined) ?? "first audio",
      offsetMs: b.offsetMs,
    });
    return c.json(s.sync.status(s.id));
  });
  return app;
}
