/** /api/v1/streams: list, details, delete, pause, resume. */
import { Hono } from "hono";
import type { ApiDeps } from "./context.ts";
import { jsonError } from "./errors.ts";

/** Summary row of GET /api/v1/streams. */
function summary(s: Record<string, unknown>): Record<string, unknown> {
  const tracks = s.tracks as { codec: string }[];
  return { ...s, codecs: tracks.map((t) => t.codec) };
}

/** Stream routes. */
export function streamRoutes(d: ApiDeps): Hono {
  const app = new Hono();
  app.get(
    "/",
    (c) => c.json({ streams: [...d.manager.streams.values()].map((s) => summary(s.toJSON())) }),
  );
  app.get("/:id", (c) => {
    const s = d.manager.get(c.req.param("id"));
    return s
      ? c.json(s.toJSON())
      : jsonError(c, 404, "not_found", `no stream ${c.req.param("id")}`);
  });
  app.delete("/:id", (c) => {
    const id = c.req.param("id");
    return d.manager.remove(id)
      ? c.json({ id, removed: true })
      : jsonError(c, 404, "not_found", `no stream ${id}`);
  });
  app.post("/:id/pause", (c) => {
    const id = c.req.param("id");
    const s = d.manager.get(id);
    if (!s) return jsonError(c, 404, "not_found", `no stream ${id}`);
    if (!s.pause()) return jsonError(c, 409, "conflict", `stream ${id} is ${s.state}`);
    return c.json(s.toJSON());
  });
  app.post("/:id/resume", (c) => {
    const id = c.req.param("id");
    const s = d.manager.get(id);
    if (!s) return jsonError(c, 404, "not_found", `no stream ${id}`);
    if (!s.resume()) return jsonError(c, 409, "conflict", `stream ${id} is ${s.state}, not paused`);
    return c.json(s.toJSON());
  });
  return app;
}
