/** GET /api/v1/streams/{id}/live.ts: the stream as live MPEG-TS (lib/outputs/live.ts). */
import { Hono } from "hono";
import type { ApiDeps } from "./context.ts";
import { jsonError } from "./errors.ts";

/** The live pull route, mounted under /api/v1/streams. */
export function liveRoutes(d: ApiDeps): Hono {
  const app = new Hono();
  app.get("/:id/live.ts", (c) => {
    const id = c.req.param("id");
    const s = d.manager.get(id);
    if (!s) return jsonError(c, 404, "not_found", `no stream ${id}`);
    if (!d.live) return jsonError(c, 501, "not_implemented", "live pull is not enabled");
    if (s.state === "closed") return jsonError(c, 409, "conflict", `stream ${id} is closed`);
    const info = (c.env as { remoteAddr?: Deno.NetAddr } | undefined)?.remoteAddr;
    const body = d.live.open(s, info ? `${info.hostname}:${info.port}` : "unknown");
    if (typeof body === "string") return jsonError(c, 409, "no_buffer", `stream ${id}: ${body}`);
    return c.body(body, 200, { "content-type": "video/mp2t", "cache-control": "no-store" });
  });
  return app;
}
