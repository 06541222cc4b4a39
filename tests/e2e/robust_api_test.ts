/**
 * API robustness through a running sluice: unknown routes, wrong methods, non-JSON and
 * oversized bodies, traversal-looking, malformed and very long ids, bad query numbers.
 * Every answer is a JSON error `{ error: { code, message } }` with a 4xx status (never a
 * 500, never a stack trace). With `api.tokens` set, every route needs the token, /metrics
 * and /api/v1/health included. /metrics has no duplicate series (Prometheus rejects them).
 */
import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "./_server.ts";
import { assertNoDuplicateSeries } from "./_server.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

/** A stream the API can address, opened through the manager's adapter door. */
function openStream(ts: TestServer, name: string) {
  const r = ts.server.manager.open(
    { protocol: "rtp", name, remote: "127.0.0.1:9", ssrc: 1 },
    { disconnect() {} },
  );
  assert.ok(r.ok);
  return r.value;
}

/** Calls the API and checks the error contract; returns the status. */
async function expectError(
  ts: TestServer,
  method: string,
  path: string,
  allowed: number[],
  init: RequestInit = {},
): Promise<number> {
  const r = await fetch(ts.url + path, { method, ...init });
  const text = await r.text();
  const what = `${method} ${path.slice(0, 80)} -> ${r.status} ${text.slice(0, 200)}`;
  assert.ok(allowed.includes(r.status), what);
  assert.ok(r.status < 500, what);
  assert.match(r.headers.get("content-type") ?? "", /application\/json/, what);
  const body = JSON.parse(text);
  assert.equal(typeof body.error?.code, "string", what);
  assert.equal(typeof body.error?.message, "string", what);
  assert.doesNotMatch(text, /\bat \S+\.ts:\d+|Error:|stack/i, `no stack trace: ${what}`);
  return r.status;
}

Deno.test({
  name: "api robustness: bad routes, methods, bodies, ids and queries get JSON 4xx errors",
  ...opts,
  async fn() {
    const ts = await startTestServer();
    try {
      openStream(ts, "cam1");
      const E = (m: string, p: string, s: number[], i?: RequestInit) => expectError(ts, m, p, s, i);
      // unknown routes and wrong methods
      await E("GET", "/api/v1/nope", [404]);
      await E("GET", "/api/v2/streams", [404]);
      await E("GET", "/index.html", [404]);
      // the dashboard's files: nothing outside ui/, nothing hidden, only known types
      for (
        const p of [
          "..%2Fdeno.json",
          "%2e%2e/deno.json",
          "../main.ts",
          ".hidden.js",
          "x.ts",
          "nope.js",
        ]
      ) {
        await E("GET", `/ui/${p}`, [404]);
      }
      await E("PUT", "/api/v1/streams/cam1", [404, 405]);
      await E("PATCH", "/api/v1/stats", [404, 405]);
      await E("GET", "/api/v1/sync/adjust/cam1", [404, 405]);
      await E("DELETE", "/metrics", [404, 405]);
      // unknown, traversal-looking, malformed and very long ids
      for (
        const id of [
          "nope",
          "..%2F..%2Fetc%2Fpasswd",
          "%2e%2e",
          "%00",
          "%E0%A4%A",
          "%",
          "cam1%0d%0aX-Injected:%201",
          "x".repeat(4000),
        ]
      ) {
        await E("GET", `/api/v1/streams/${id}`, [400, 404, 414]);
        await E("GET", `/api/v1/stats/streams/${id}`, [400, 404, 414]);
        await E("GET", `/api/v1/video/buffer/${id}`, [400, 404, 414]);
        await E("GET", `/api/v1/video/preview/${id}`, [400, 404, 414]);
        await E("DELETE", `/api/v1/streams/${id}`, [400, 404, 414]);
        await E("POST", `/api/v1/streams/${id}/pause`, [400, 404, 414]);
        await E("POST", `/api/v1/sync/adjust/${id}`, [400, 404, 414], { body: "{}" });
      }
      assert.equal((await ts.get("/api/v1/streams/cam1")).id, "cam1", "cam1 untouched");
      // bad query numbers and frame indexes
      for (const q of ["from=x", "to=1e999", "track=NaN", "from=--1", "track=Infinity"]) {
        await E("GET", `/api/v1/video/buffer/cam1?${q}`, [400]);
      }
      await E("GET", "/api/v1/video/preview/cam1?track=abc", [400]);
      for (const i of ["-1", "abc", "1.5", "1e400"]) {
        await E("GET", `/api/v1/video/buffer/cam1/frames/${i}`, [400]);
      }
      await E("GET", "/api/v1/video/buffer/cam1/frames/99999999999", [404]);
      const ok = await fetch(`${ts.url}/api/v1/video/buffer/cam1?from=0&to=1000000000000`);
      await E("GET", "/api/v1/video/buffer/cam1?from=0&to=1e12", [400]); // decimal only
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { frames: [], gops: 0 });
      // sync adjust bodies: non-JSON, wrong shapes, huge
      const adj = "/api/v1/sync/adjust/cam1";
      const json = { headers: { "content-type": "application/json" } };
      for (
        const body of ["", "not json", "{", "null", "[]", '{"offsetMs":"5"}', '{"offsetMs":1e999}']
      ) {
        await E("POST", adj, [400], { ...json, body });
      }
      const huge = "[" + "1,".repeat(4 * 1024 * 1024) + "1]";
      await E("POST", adj, [400, 413], { ...json, body: huge });
      await E("POST", adj, [413], { ...json, body: JSON.stringify({ offsetMs: 1, pad: huge }) });
      // the same without a content-length (chunked): cut off at the cap, not read to the end
      let sent = 0;
      const chunk = new TextEncoder().encode(" ".repeat(64 * 1024));
      const stream = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent >= 64 * 1024 * 1024) return c.close();
          sent += chunk.length;
          c.enqueue(chunk);
        },
      });
      await E("POST", adj, [413], { ...json, body: stream });
      assert.ok(sent < 64 * 1024 * 1024, `stopped reading after ${sent} bytes`);
      // pause/resume state errors
      const p = await fetch(`${ts.url}/api/v1/streams/cam1/pause`, { method: "POST" });
      assert.equal(p.status, 200);
      await p.body?.cancel();
      await E("POST", "/api/v1/streams/cam1/pause", [409]);
      const r = await fetch(`${ts.url}/api/v1/streams/cam1/resume`, { method: "POST" });
      assert.equal(r.status, 200);
      await r.body?.cancel();
      await E("POST", "/api/v1/streams/cam1/resume", [409]);
      // raw bytes on the API's TCP port: not HTTP, broken HTTP, a huge header
      const [host, port] = [ts.url.split(":")[1].slice(2), Number(ts.url.split(":")[2])];
      const raw = [
        new Uint8Array(4096).map((_, i) => (i * 7919) & 0xff),
        new TextEncoder().encode("GET /api/v1/health HTTP/9.9\r\n\r\n"),
        new TextEncoder().encode(
          "POST /api/v1/sync/adjust/cam1 HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        ),
        new TextEncoder().encode(`GET / HTTP/1.1\r\nX: ${"a".repeat(200_000)}\r\n\r\n`),
        new TextEncoder().encode("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n"), // never finished
      ];
      for (const bytes of raw) {
        const conn = await Deno.connect({ hostname: host, port });
        try {
          await conn.write(bytes).catch(() => 0);
          const buf = new Uint8Array(512);
          const n = await Promise.race([
            conn.read(buf).catch(() => null),
            new Promise<null>((r) => setTimeout(() => r(null), 300)),
          ]);
          if (n) assert.doesNotMatch(new TextDecoder().decode(buf.subarray(0, n)), /^HTTP\/1\.1 5/);
        } finally {
          conn.close();
        }
      }
      assert.equal((await ts.get("/api/v1/health")).status, "ok");
      assertNoDuplicateSeries(await (await fetch(`${ts.url}/metrics`)).text());
      assert.ok(!ts.logs.some((l) => l.includes("api.error")), "no handler threw");
    } finally {
      await ts.stop();
    }
  },
});

Deno.test({
  name: "api robustness: with api.tokens set every route needs the token",
  ...opts,
  async fn() {
    const token = "tok-0123456789abcdef";
    const ts = await startTestServer(`api:\n  tokens: ["${token}", "second-token-xyz"]\n`);
    try {
      openStream(ts, "cam1");
      const routes: [string, string][] = [
        ["GET", "/api/v1/health"],
        ["GET", "/metrics"],
        ["GET", "/api/v1/streams"],
        ["GET", "/api/v1/streams/cam1"],
        ["GET", "/api/v1/stats"],
        ["GET", "/api/v1/stats/streams/cam1"],
        ["GET", "/api/v1/video/buffer/cam1"],
        ["GET", "/api/v1/video/buffer/cam1/frames/0"],
        ["GET", "/api/v1/video/preview/cam1"],
        ["GET", "/api/v1/sync/status/cam1"],
        ["POST", "/api/v1/sync/adjust/cam1"],
        ["POST", "/api/v1/streams/cam1/pause"],
        ["POST", "/api/v1/streams/cam1/resume"],
        ["DELETE", "/api/v1/streams/cam1"],
        ["GET", "/api/v1/no-such-route"],
      ];
      const bad = [
        undefined,
        "",
        "Bearer",
        "Bearer ",
        "Bearer wrong",
        `Bearer ${token}x`,
        `Bearer ${token.slice(0, -1)}`,
        `Basic ${btoa("user:" + token)}`,
        token,
      ];
      for (const [method, path] of routes) {
        for (const auth of bad) {
          const headers: Record<string, string> = auth === undefined ? {} : { authorization: auth };
          const st = await expectError(ts, method, path, [401], {
            headers,
            body: method === "POST" ? "{}" : undefined,
          });
          assert.equal(st, 401);
        }
      }
      assert.ok(ts.server.manager.get("cam1"), "no unauthenticated call changed anything");
      assert.equal(ts.server.manager.get("cam1")!.state, "connecting");
      for (const t of [token, "second-token-xyz"]) {
        const r = await fetch(`${ts.url}/api/v1/health`, {
          headers: { authorization: `bearer ${t}` },
        });
        assert.equal(r.status, 200);
        assert.equal((await r.json()).status, "ok");
      }
      const m = await fetch(`${ts.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(m.status, 200);
      assert.match(await m.text(), /sluice_streams_live 1/);
      const d = await fetch(`${ts.url}/api/v1/streams/cam1`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(d.status, 200);
      await d.body?.cancel();
    } finally {
      await ts.stop();
    }
  },
});
