/** /api/v1/stats and /api/v1/stats/streams/{id}. */
import { Hono } from "hono";
import type { ApiDeps } from "./context.ts";
import { jsonError } from "./errors.ts";

/** Statistics routes. */
export function statsRoutes(d: ApiDeps): Hono {
  const app = new Hono();
  app.get("/", (c) =>
    c.json({
      ...d.manager.stats(),
      eventLoopLagMs: Math.round((d.lag?.lastMs ?? 0) * 100) / 100,
      eventLoopLagMaxMs: Math.round((d.lag?.maxMs ?? 0) * 100) / 100,
      events: d.sse?.stats(),
    }));
  app.get("/streams/:id", (c) => {
    const s = d.manager.get(c.req.param("id"));
    if (!s) return jsonError(c, 404, "not_found", `no stream ${c.req.param("id")}`);
    const j = s.toJSON();
    return c.json({
      id: j.id,
      state: j.state,
      uptimeS: j.uptimeS,
      packets: j.packets,
      bytes: j.bytes,
      bitrateBps: j.bitrateBps,
      bitrate10sBps: j.bitrate10sBps,
      bufferedBytes: j.bufferedBytes,
      errors: j.errors,
      drops: j.drops,
      transport: j.transport,
      tracks: j.tracks,
    });
  });
  return app;
}
