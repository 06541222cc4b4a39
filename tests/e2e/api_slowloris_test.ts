/**
 * End to end: slowloris against the API. 300 connections that send half a request head
 * and then nothing: the first API_MAX_CONNECTIONS are closed when the header timeout
 * passes, the rest at accept; afterwards the API answers and /health and /metrics count
 * both (lib/api_front.ts).
 */
import assert from "node:assert/strict";
import { API_HEADER_TIMEOUT_MS, API_MAX_CONNECTIONS } from "@lib/app/api_front.ts";
import { startTestServer } from "./_server.ts";

type Json = Record<string, unknown>;

Deno.test({
  name: "e2e api: half-open connections are capped and closed after the header timeout",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const ts = await startTestServer();
    const [host, port] = [ts.url.split(":")[1].slice(2), Number(ts.url.split(":")[2])];
    const conns: Deno.TcpConn[] = [];
    const N = API_MAX_CONNECTIONS + 44;
    try {
      const half = new TextEncoder().encode("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n");
      for (let i = 0; i < N; i++) {
        const c = await Deno.connect({ hostname: host, port });
        conns.push(c);
        await c.write(half).catch(() => 0);
      }
      const t0 = performance.now();
      const ends = await Promise.all(conns.map(async (c) => {
        const buf = new Uint8Array(64);
        const r = await Promise.race([
          c.read(buf).catch(() => null),
          new Promise<"open">((res) => setTimeout(() => res("open"), API_HEADER_TIMEOUT_MS + 5000)),
        ]);
        return r === "open" ? "open" : performance.now() - t0;
      }));
      assert.equal(ends.filter((e) => e === "open").length, 0, "every half-open connection closed");
      const h = await ts.get("/api/v1/health");
      const api = ((h.listeners as Json).api as Json).connections as Record<string, number>;
      assert.equal(api.refusedFull, N - API_MAX_CONNECTIONS);
      assert.equal(api.headerTimeouts, API_MAX_CONNECTIONS);
      const m = await (await fetch(`${ts.url}/metrics`)).text();
      assert.match(
        m,
        new RegExp(
          `sluice_api_connections_closed_total\\{reason="header_timeout"\\} ${API_MAX_CONNECTIONS}`,
        ),
      );
    } finally {
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await ts.stop();
    }
  },
});
