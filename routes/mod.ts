/** The HTTP API: wires auth and the route groups (README.md "API reference"). */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { EXPOSITION_CONTENT_TYPE, renderMetrics, requestTimer } from "./metrics.ts";
import { bearerAuth } from "./auth.ts";
import type { ApiDeps } from "./context.ts";
import { jsonError } from "./errors.ts";
import { liveRoutes } from "./live.ts";
import { outputRoutes } from "./outputs.ts";
import { collectOutputs } from "../lib/outputs/metrics.ts";
import type { Emit } from "../lib/core/metrics/registry.ts";
import { statsRoutes } from "./stats.ts";
import { uiRoutes } from "./ui.ts";
import { openapiRoutes } from "./openapi.ts";
import { streamRoutes } from "./streams.ts";
import { syncRoutes } from "./sync.ts";
import { videoRoutes } from "./video.ts";
import { eventRoutes } from "./events.ts";
import { historyRoutes } from "./history.ts";
import { collectSse } from "./sse_metrics.ts";
import { SseHub } from "./sse_hub.ts";
import { StreamStatsSampler } from "../lib/stream/stream_stats.ts";

export type { ApiDeps } from "./context.ts";

/** Cap on a request body (the API takes only small JSON documents); larger gets 413. */
export const API_MAX_BODY_BYTES = 64 * 1024;

/** Builds the Hono app. Tokens are read per request so SIGHUP reloads apply. */
export function createApp(deps: ApiDeps): Hono {
  const d: ApiDeps = {
    ...deps,
    sse: deps.sse ?? new SseHub(deps.manager.events),
    sampler: deps.sampler ?? new StreamStatsSampler(deps.manager),
  };
  const app = new Hono();
  app.use("*", requestTimer());
  // before auth: the page holds no data and must load to ask for a token
  app.route("/", uiRoutes());
  app.route("/", openapiRoutes(d));
  app.use("*", bearerAuth(() => d.manager.config.api.tokens));
  app.use(
    "*",
    bodyLimit({
      maxSize: API_MAX_BODY_BYTES,
      onError: (c) =>
        jsonError(c, 413, "payload_too_large", `body over ${API_MAX_BODY_BYTES} bytes`),
    }),
  );
  app.get("/api/v1/health", (c) => {
    const listeners: Record<string, unknown> = {};
    for (const l of d.manager.listeners) listeners[l.name] = l.health();
    listeners.api = {
      enabled: true,
      address: d.apiAddress?.() ?? d.manager.config.api.listen,
      tls: !!d.tls,
    };
    // a configured listener or output that is not running makes the box degraded
    const problems: string[] = [];
    for (const [name, h] of Object.entries(listeners)) {
      const x = h as { enabled?: boolean; reason?: string };
      if (x.enabled === false) problems.push(`${name}: ${x.reason ?? "disabled"}`);
    }
    const down = d.outputs?.down() ?? [];
    for (const name of down) problems.push(`output ${name}: down`);
    const links = Object.fromEntries(d.manager.links.map((l) => [l.name, l.health()]));
    for (const l of d.manager.links) if (!l.up) problems.push(`link ${l.name}: down`);
    return c.json({
      status: problems.length ? "degraded" : "ok",
      ...(problems.length ? { reasons: problems } : {}),
      version: d.version,
      uptimeS: d.manager.stats().uptimeS,
      listeners,
      outputs: { configured: d.outputs?.list().length ?? 0, down },
      ...links,
    });
  });
  app.route("/api/v1/streams", liveRoutes(d));
  app.route("/api/v1/streams", streamRoutes(d));
  app.route("/api/v1/stats", statsRoutes(d));
  app.route("/api/v1/stats/streams", historyRoutes(d, d.sampler!));
  app.route("/api/v1/events", eventRoutes(d, d.sse!));
  app.route("/api/v1/video", videoRoutes(d));
  app.route("/api/v1/sync", syncRoutes(d));
  app.route("/api/v1/outputs", outputRoutes(d));
  app.get(
    "/metrics",
    (c) =>
      c.body(
        renderMetrics(d.manager, [
          (emit) => collectOutputs(emit, d.outputs, d.live),
          (emit) => collectSse(emit, d.sse!.stats()),
          ...d.manager.links.map((l) => (emit: Emit) => l.metrics(emit)),
        ]),
        200,
        { "content-type": EXPOSITION_CONTENT_TYPE },
      ),
  );
  app.notFound((c) => jsonError(c, 404, "not_found", `no route ${c.req.method} ${c.req.path}`));
  app.onError((e, c) => {
    d.manager.log.error("api.error", { path: c.req.path, error: String(e) });
    return jsonError(c, 500, "internal", "internal error");
  });
  // HEAD: Hono answers with GET's headers but an empty body, which the server then sends
  // as content-length 0; answer with the length GET's body has (RFC 9110 9.3.2).
  // A streaming GET (live.ts) has no length: HEAD answers 405 for it.
  const fetch = app.fetch;
  app.fetch = async (req, ...rest) => {
    if (req.method !== "HEAD") return await fetch(req, ...rest);
    // url and headers only: copying the Request would copy its signal (a Deno warning)
    const res = await fetch(new Request(req.url, { headers: req.headers }), ...rest);
    const size = await boundedLength(res);
    const headers = new Headers(res.headers);
    if (size === undefined) {
      return new Response(null, { status: 405, headers: { allow: "GET" } });
    }
    headers.set("content-length", String(size));
    return new Response(null, { status: res.status, statusText: res.statusText, headers });
  };
  return app;
}

/** A HEAD reads GET's body at most this long (ms) and this far (bytes) to learn its length. */
const HEAD_READ_MS = 1000;
const HEAD_READ_BYTES = 64 * 1024 * 1024;

/** The body's length, or undefined (cancelled) when it does not end soon: a stream. */
async function boundedLength(res: Response): Promise<number | undefined> {
  const reader = res.body?.getReader();
  if (!reader) return 0;
  let n = 0;
  let t: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((r) => t = setTimeout(() => r("late"), HEAD_READ_MS));
  try {
    for (;;) {
      const r = await Promise.race([reader.read(), late]);
      if (r === "late" || n > HEAD_READ_BYTES) {
        await reader.cancel().catch(() => {});
        return undefined;
      }
      if (r.done) return n;
      n += r.value.byteLength;
    }
  } finally {
    clearTimeout(t);
  }
}
