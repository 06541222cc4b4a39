/**
 * /api/v1/outputs: push relays (state, target, counters, breaker) and the live.ts
 * clients; POST /api/v1/outputs/{name}/restart reconnects a relay now.
 */
import { Hono } from "hono";
import type { ApiDeps } from "./context.ts";
import { jsonError } from "./errors.ts";

/** Output routes. */
export function outputRoutes(d: ApiDeps): Hono {
  const app = new Hono();
  app.get("/", (c) =>
    c.json({
      outputs: d.outputs?.toJSON() ?? [],
      live: d.live?.toJSON() ?? [],
    }));
  app.get("/:name", (c) => {
    const name = c.req.param("name");
    const o = d.outputs?.get(name);
    return o ? c.json(o.toJSON()) : jsonError(c, 404, "not_found", `no output ${name}`);
  });
  app.post("/:name/restart", (c) => {
    const name = c.req.param("name");
    const o = d.outputs?.get(name);
    if (!o) return jsonError(c, 404, "not_found", `no output ${name}`);
    o.restart("api_restart");
    return c.json(o.toJSON());
  });
  return app;
}
