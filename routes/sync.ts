/** /api/v1/sync: per-track offset and drift (answers 501 until A/V sync is built). */
import { Hono } from "hono";
import type { ApiDeps } from "./context.ts";
import { jsonError } from "./errors.ts";

/** Sync routes. */
export function syncRoutes(d: ApiDeps): Hono {
  const app = new Hono();
  app.get("/status/:id", (c) => {
    const id = c.req.param("id");
    if (!d.manager.get(id)) return jsonError(c, 404, "not_found", `no stream ${id}`);
    return jsonError(c, 501, "not_implemented", "A/V sync measurement is not built yet");
  });
  app.post("/adjust/:id", async (c) => {
    const id = c.req.param("id");
    if (!d.manager.get(id)) return jsonError(c, 404, "not_found", `no stream ${id}`);
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
    const badTrack = b?.track !== undefined &&
      !(typeof b.track === "number" && Number.isInteger(b.track) && b.track >= 0);
    if (badTrack || typeof b?.offsetMs !== "number" || !Number.isFinite(b.offsetMs)) {
      return jsonError(
        c,
        400,
        "bad_request",
        'body must be { "track"?: number, "offsetMs": number }',
      );
    }
    return jsonError(c, 501, "not_implemented", "A/V sync adjustment is not built yet");
  });
  return app;
}
