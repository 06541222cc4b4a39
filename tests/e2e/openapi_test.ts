/**
 * /api/v1/openapi.json against the live API: every route of the app (routes/mod.ts) is
 * in the document and every documented operation is in the app; each operation is then
 * called on a running sluice holding a real stream (an RTP H.264 capture) and its status
 * and body must be what the document says: JSON bodies validated by Ajv's JSON Schema
 * 2020-12 validator (the dialect of OpenAPI 3.1), other bodies by content type.
 */
import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { createApp } from "../../routes/mod.ts";
import { readCapture } from "../support/replay.ts";
import { replay } from "../support/replay.ts";
import { startTestServer, until } from "./_server.ts";
import { freePort } from "../_helpers.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
// deno-lint-ignore no-explicit-any
type Json = Record<string, any>; // walking a JSON document of any shape

/** Hono route path -> OpenAPI path: ":id" -> "{id}", "/ui/*" -> "/ui/{path}". */
function openapiPath(p: string): string {
  return p.replace(/:([a-zA-Z]+)/g, "{$1}").replace(/\/\*$/, "/{path}");
}

Deno.test({
  name: "openapi: every route is documented and every live response matches the document",
  ...opts,
  async fn() {
    const udp = freePort("udp");
    const ts = await startTestServer(
      `outputs:\n  - name: lan\n    stream: "*"\n    url: "udp://127.0.0.1:${udp}"\n`,
    );
    try {
      const doc = await ts.get("/api/v1/openapi.json") as Json;
      assert.equal(doc.openapi, "3.1.0");
      assert.equal(doc.security, undefined, "no tokens configured: no security requirement");

      // the app's routes and the document's operations are the same set
      const app = createApp({ manager: ts.server.manager, version: "test" });
      const routes = new Set(
        app.routes.filter((r) => r.method !== "ALL").map((r) =>
          `${r.method.toLowerCase()} ${openapiPath(r.path)}`
        ),
      );
      const documented = new Set<string>();
      for (const [p, item] of Object.entries(doc.paths as Json)) {
        for (const m of ["get", "post", "delete", "put", "patch"]) {
          if (item[m]) documented.add(`${m} ${p}`);
        }
      }
      const undocumented = [...routes].filter((r) => !documented.has(r));
      assert.deepEqual(undocumented, [], "routes missing from /api/v1/openapi.json");
      assert.deepEqual([...documented].filter((r) => !routes.has(r)), [], "documented, no route");

      const ajv = new Ajv2020({ strict: false, allErrors: true });
      // deno-lint-ignore no-explicit-any
      (addFormats as any)(ajv);
      ajv.addSchema(doc, "api");

      // a stream with frames
      const dgrams = readCapture("rtp/rtp_h264_ffmpeg.bin");
      await replay(dgrams, { hostname: "127.0.0.1", port: ts.rtpPort }, { pace: "fast" });
      const s = await until(async () => {
        const list = (await ts.get("/api/v1/streams")).streams as Json[];
        return list.find((x) => x.tracks.some((t: Json) => t.keyframes > 0));
      });
      assert.ok(s, "the replayed stream is listed with a keyframe");
      const id = s.id as string;
      const buffer = await ts.get(`/api/v1/video/buffer/${id}`) as Json;
      const index = buffer.frames[0].index;

      const called = new Set<string>();
      const check = async (
        method: string,
        template: string,
        url: string,
        status: number,
        body?: unknown,
      ) => {
        const r = await fetch(ts.url + url, {
          method: method.toUpperCase(),
          headers: body === undefined ? {} : { "content-type": "application/json" },
          body: body === undefined
            ? undefined
            : typeof body === "string"
            ? body
            : JSON.stringify(body),
        });
        const what = `${method.toUpperCase()} ${url}`;
        const op = doc.paths[template]?.[method];
        assert.ok(op, `${what}: ${template} ${method} is documented`);
        called.add(`${method} ${template}`);
        assert.equal(r.status, status, `${what}: status`);
        const res = op.responses[String(status)];
        assert.ok(res, `${what}: status ${status} is documented`);
        const type = (r.headers.get("content-type") ?? "").split(";")[0];
        const content = res.content ?? {};
        assert.ok(
          type in content,
          `${what}: content type ${type} documented (${Object.keys(content)})`,
        );
        if (type === "text/event-stream" || type === "video/mp2t") {
          await r.body?.cancel();
          return;
        }
        if (type !== "application/json") {
          await r.arrayBuffer();
          return;
        }
        const json = await r.json();
        const schema = content[type].schema;
        if (!schema) return; // the document itself
        const ok = ajv.validate({ $ref: `api${schema.$ref}` }, json);
        assert.ok(
          ok,
          `${what}: ${ajv.errorsText(ajv.errors)}\n${JSON.stringify(json).slice(0, 600)}`,
        );
      };
      const S = "/api/v1/streams/{id}";
      await check("get", "/", "/", 200);
      await check("get", "/ui/{path}", "/ui/app.js", 200);
      await check("get", "/ui/{path}", "/ui/vendor/uplot/uPlot.min.css", 200);
      await check("get", "/ui/{path}", "/ui/../deno.json", 404);
      await check("get", "/api/v1/openapi.json", "/api/v1/openapi.json", 200);
      await check("get", "/api/v1/health", "/api/v1/health", 200);
      await check("get", "/api/v1/streams", "/api/v1/streams", 200);
      await check("get", S, `/api/v1/streams/${id}`, 200);
      await check("get", S, "/api/v1/streams/nope", 404);
      await check("post", `${S}/pause`, `/api/v1/streams/${id}/pause`, 200);
      await check("post", `${S}/pause`, `/api/v1/streams/${id}/pause`, 409);
      await check("post", `${S}/resume`, `/api/v1/streams/${id}/resume`, 200);
      await check("post", `${S}/resume`, `/api/v1/streams/${id}/resume`, 409);
      await check("get", "/api/v1/stats", "/api/v1/stats", 200);
      const st = "/api/v1/stats/streams/{id}";
      await check("get", st, `/api/v1/stats/streams/${id}`, 200);
      await check("get", st, "/api/v1/stats/streams/nope", 404);
      await until(async () =>
        ((await ts.get(`/api/v1/stats/streams/${id}/history`)).t as []).length
      );
      await check("get", `${st}/history`, `/api/v1/stats/streams/${id}/history`, 200);
      await check("get", `${st}/history`, `/api/v1/stats/streams/${id}/history?seconds=0`, 400);
      await check("get", `${st}/history`, "/api/v1/stats/streams/nope/history", 404);
      const vb = "/api/v1/video/buffer/{id}";
      await check("get", vb, `/api/v1/video/buffer/${id}`, 200);
      await check("get", vb, `/api/v1/video/buffer/${id}?track=x`, 400);
      await check("get", vb, "/api/v1/video/buffer/nope", 404);
      await check("get", `${vb}/frames/{index}`, `/api/v1/video/buffer/${id}/frames/${index}`, 200);
      await check("get", `${vb}/frames/{index}`, `/api/v1/video/buffer/${id}/frames/x`, 400);
      await check("get", `${vb}/frames/{index}`, `/api/v1/video/buffer/${id}/frames/99999999`, 404);
      const pv = "/api/v1/video/preview/{id}";
      await check("get", pv, `/api/v1/video/preview/${id}`, 200);
      await check("get", pv, `/api/v1/video/preview/${id}?track=x`, 400);
      await check("get", pv, "/api/v1/video/preview/nope", 404);
      // status codes that change as features land: whatever the route answers must be documented
      const sync = await fetch(`${ts.url}/api/v1/sync/status/${id}`);
      await sync.body?.cancel();
      await check("get", "/api/v1/sync/status/{id}", `/api/v1/sync/status/${id}`, sync.status);
      await check("get", "/api/v1/sync/status/{id}", "/api/v1/sync/status/nope", 404);
      const adj = "/api/v1/sync/adjust/{id}";
      const a = await fetch(`${ts.url}/api/v1/sync/adjust/${id}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ offsetMs: 0 }),
      });
      await a.body?.cancel();
      const plain = await fetch(`${ts.url}/api/v1/sync/adjust/${id}`, {
        method: "POST",
        body: JSON.stringify({ offsetMs: 0 }), // text/plain
      });
      assert.equal(plain.status, 415);
      await plain.body?.cancel();
      await check("post", adj, `/api/v1/sync/adjust/${id}`, a.status, { offsetMs: 0 });
      await check("post", adj, `/api/v1/sync/adjust/${id}`, 400, "not json");
      await check("post", adj, "/api/v1/sync/adjust/nope", 404, { offsetMs: 0 });
      await check("get", "/api/v1/events", "/api/v1/events", 200);
      await check("get", "/api/v1/events", "/api/v1/events?types=nope", 400);
      await check("get", "/api/v1/events/recent", "/api/v1/events/recent", 200);
      await check("get", "/api/v1/events/recent", "/api/v1/events/recent?limit=x", 400);
      const live = "/api/v1/streams/{id}/live.ts";
      await check("get", live, `/api/v1/streams/${id}/live.ts`, 200);
      await check("get", live, "/api/v1/streams/nope/live.ts", 404);
      await check("get", "/api/v1/outputs", "/api/v1/outputs", 200);
      await check("get", "/api/v1/outputs/{name}", "/api/v1/outputs/lan", 200);
      await check("get", "/api/v1/outputs/{name}", "/api/v1/outputs/nope", 404);
      await check("post", "/api/v1/outputs/{name}/restart", "/api/v1/outputs/lan/restart", 200);
      await check("post", "/api/v1/outputs/{name}/restart", "/api/v1/outputs/nope/restart", 404);
      await check("get", "/metrics", "/metrics", 200);
      await check("delete", S, `/api/v1/streams/${id}`, 200);
      await check("delete", S, `/api/v1/streams/${id}`, 404);
      assert.deepEqual(
        [...documented].filter((o) => !called.has(o)),
        [],
        "operations not exercised",
      );
    } finally {
      await ts.stop();
    }
  },
});

Deno.test({
  name: "openapi: with api.tokens the document (public) says a bearer token is required",
  ...opts,
  async fn() {
    const ts = await startTestServer("api:\n  tokens: [openapi-token-1]\n");
    try {
      const r = await fetch(`${ts.url}/api/v1/openapi.json`);
      assert.equal(r.status, 200);
      const doc = await r.json();
      assert.deepEqual(doc.security, [{ bearer: [] }]);
      assert.deepEqual(doc.paths["/"].get.security, [], "the page is public");
      const h = await fetch(`${ts.url}/api/v1/health`);
      assert.equal(h.status, 401);
      await h.body?.cancel();
    } finally {
      await ts.stop();
    }
  },
});
