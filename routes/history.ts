/** /api/v1/stats/streams/{id}/history: 10 minutes of per-second samples (lib/stream/stream_stats.ts). */
import { Hono } from "hono";
import {
  HISTORY_SECONDS,
  HISTORY_SERIES,
  type StreamStatsSampler,
} from "../lib/stream/stream_stats.ts";
import type { ApiDeps } from "./context.ts";
import { jsonError } from "./errors.ts";

/** History routes, mounted at /api/v1/stats/streams. */
export function historyRoutes(d: ApiDeps, sampler: StreamStatsSampler): Hono {
  const app = new Hono();
  app.get("/:id/history", (c) => {
    const id = c.req.param("id");
    if (!d.manager.get(id)) return jsonError(c, 404, "not_found", `no stream ${id}`);
    const q = c.req.query("seconds");
    const seconds = q === undefined || q === "" ? HISTORY_SECONDS : Number(q);
    if (!Number.isInteger(seconds) || seconds < 1) {
      return jsonError(c, 400, "bad_request", "seconds must be a positive integer");
    }
    const h = sampler.history(id, seconds);
    return c.json({ id, ...(h ?? emptyHistory()) });
  });
  return app;
}

function emptyHistory() {
  return { intervalMs: 1000, ...Object.fromEntries(HISTORY_SERIES.map((k) => [k, []])) };
}
