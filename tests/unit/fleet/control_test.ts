/**
 * Control over NATS answers through the REST app: for every operation, callApi's reply is
 * the body (and status) the REST API gives for the same request, tokens included.
 */
import assert from "node:assert/strict";
import { defaultConfig } from "@lib/config/defaults.ts";
import { silentLogger } from "@lib/core/log.ts";
import { Manager } from "@lib/stream/manager.ts";
import { callApi, type ControlDeps, OPERATIONS } from "@lib/fleet/control.ts";
import { BoxNames } from "@lib/fleet/names.ts";
import { createApp } from "../../../routes/mod.ts";

const enc = new TextEncoder();
const TOKEN = "control-test-token";

function setup(tokens: string[] = []) {
  const cfg = defaultConfig();
  cfg.api.tokens = tokens;
  const m = new Manager(cfg, silentLogger, { now: () => 1000 });
  const app = createApp({ manager: m, version: "9.9.9" });
  for (const name of ["cam1", "lobby.north"]) {
    const r = m.open({ protocol: "rtp", name, remote: "127.0.0.1:5000", ssrc: 1 }, {
      disconnect: () => {},
    });
    assert.ok(r.ok);
  }
  const d: ControlDeps = { names: new BoxNames("b"), version: "9.9.9", fetch: app.fetch };
  return { m, app, d };
}

/** The two managers started their streams a millisecond apart: compare without startedAt. */
function sameClock(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (k, x) => (k === "startedAt" ? "T" : x)));
}

async function viaNats(d: ControlDeps, op: string, body: unknown, auth?: string) {
  const r = await callApi(d, op, enc.encode(JSON.stringify(body)), auth);
  return { status: r.status, body: JSON.parse(new TextDecoder().decode(r.body)) };
}

async function viaRest(
  app: { request: (p: string, i?: RequestInit) => Response | Promise<Response> },
  method: string,
  path: string,
  body?: unknown,
  auth?: string,
) {
  const headers: Record<string, string> = {};
  if (auth) headers.authorization = auth;
  if (body) headers["content-type"] = "application/json";
  const r = await app.request(path, {
    method,
    headers,
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: await r.json() };
}

Deno.test("control: every operation's reply is the REST response for the same request", async () => {
  const cases: [string, unknown, string, string, unknown?][] = [
    ["streams.list", {}, "GET", "/api/v1/streams"],
    ["streams.get", { id: "lobby.north" }, "GET", "/api/v1/streams/lobby.north"],
    ["streams.get", { id: "nope" }, "GET", "/api/v1/streams/nope"],
    ["streams.pause", { id: "cam1" }, "POST", "/api/v1/streams/cam1/pause"],
    ["streams.pause", { id: "cam1" }, "POST", "/api/v1/streams/cam1/pause"], // 409
    ["streams.resume", { id: "cam1" }, "POST", "/api/v1/streams/cam1/resume"],
    ["sync.adjust", { id: "cam1", offsetMs: 40 }, "POST", "/api/v1/sync/adjust/cam1", {
      offsetMs: 40,
    }],
    ["sync.adjust", { id: "cam1", offsetMs: "x" }, "POST", "/api/v1/sync/adjust/cam1", {
      offsetMs: "x",
    }],
    ["outputs.list", {}, "GET", "/api/v1/outputs"],
    ["outputs.restart", { name: "relay1" }, "POST", "/api/v1/outputs/relay1/restart"],
    ["streams.delete", { id: "lobby.north" }, "DELETE", "/api/v1/streams/lobby.north"],
  ];
  // Two identical managers: one driven over "NATS", one over REST, step by step.
  const n = setup();
  const r = setup();
  for (const [op, body, method, path, restBody] of cases) {
    const a = await viaNats(n.d, op, body);
    const b = await viaRest(r.app, method, path, restBody);
    assert.deepEqual(sameClock(a), sameClock(b), `${op} ${JSON.stringify(body)}`);
  }
  assert.deepEqual(Object.keys(OPERATIONS).sort(), [
    "outputs.list",
    "outputs.restart",
    "streams.delete",
    "streams.get",
    "streams.list",
    "streams.pause",
    "streams.resume",
    "sync.adjust",
  ]);
});

Deno.test("control: tokens apply as on REST; bad bodies are 400 in the REST error shape", async () => {
  const { d } = setup([TOKEN]);
  const none = await viaNats(d, "streams.list", {});
  assert.equal(none.status, 401);
  assert.equal(none.body.error.code, "unauthorized");
  const wrong = await viaNats(d, "streams.list", {}, "Bearer not-the-token");
  assert.equal(wrong.status, 401);
  const ok = await viaNats(d, "streams.list", {}, `Bearer ${TOKEN}`);
  assert.equal(ok.status, 200);
  assert.equal(ok.body.streams.length, 2);
  for (const [body, status] of [["[1]", 400], ["{", 400], ['"x"', 400], ["", 200]] as const) {
    const res = await callApi(d, "streams.list", enc.encode(body), `Bearer ${TOKEN}`);
    assert.equal(res.status, status, body);
    if (status === 400) {
      assert.equal(JSON.parse(new TextDecoder().decode(res.body)).error.code, "bad_request");
    }
  }
  const noId = await viaNats(d, "streams.pause", {}, `Bearer ${TOKEN}`);
  assert.equal(noId.status, 400);
  assert.match(noId.body.error.message, /"id"/);
  const unknown = await viaNats(d, "streams.explode", {}, `Bearer ${TOKEN}`);
  assert.equal(unknown.status, 404);
});
