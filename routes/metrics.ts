/**
 * GET /metrics: the registry (lib/core/metrics/registry.ts) rendered in the Prometheus text
 * format with this scrape's collectors (process, build, manager and streams), and the
 * middleware that times every API request into `sluice_api_request_duration_seconds` by
 * route pattern, never by raw path. Families are declared in lib/core/metrics/families.ts;
 * README's metrics reference is generated from there (`deno task metrics`).
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { buildInfo } from "../lib/core/build_info.ts";
import { collectProcess } from "../lib/core/metrics/process.ts";
import { type Collector, METRICS, type Registry } from "../lib/core/metrics/registry.ts";
import type { Manager } from "../lib/stream/manager.ts";
import { collectManager } from "../lib/stream/metrics.ts";

export { EXPOSITION_CONTENT_TYPE } from "../lib/core/metrics/exposition.ts";

let build: { version: string; commit: string } | undefined;

/** Renders every metric of the process, the manager and its streams, plus `extra` collectors. */
export function renderMetrics(
  m: Manager,
  extra: readonly Collector[] = [],
  registry: Registry = METRICS,
): string {
  build ??= (({ version, commit }) => ({ version, commit }))(buildInfo());
  return registry.render(
    collectProcess,
    (emit) => emit("sluice_build_info", build!, 1),
    (emit) => collectManager(m, emit),
    ...extra,
  );
}

/** Methods the API answers; any other is labelled `other` (label values stay bounded). */
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** The route pattern that matched (`/api/v1/streams/:id`), `unmatched` when none did. */
export function routeLabel(c: Context): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    if (routes[i].method !== "ALL") return routes[i].path;
  }
  return "unmatched";
}

/** Times each request (whole middleware chain: auth, limits, handler). */
export function requestTimer(registry: Registry = METRICS): MiddlewareHandler {
  const family = registry.histogram("sluice_api_request_duration_seconds");
  return async (c, next) => {
    const t0 = performance.now();
    try {
      await next();
    } finally {
      const method = METHODS.has(c.req.method) ? c.req.method : "other";
      const status = c.res ? c.res.status : 500;
      family.observe(
        { method, route: routeLabel(c), status },
        (performance.now() - t0) / 1000,
      );
    }
  };
}
