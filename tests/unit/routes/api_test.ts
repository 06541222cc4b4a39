import assert from "node:assert/strict";
import { defaultConfig } from "@lib/config/defaults.ts";
import { silentLogger } from "@lib/core/log.ts";
import { Manager } from "@lib/stream/manager.ts";
import { createApp } from "../../../routes/mod.ts";
import { frameStoreFor } from "@lib/app/listeners.ts";

function setup(tokens: string[] = []) {
  const cfg = defaultConfig();
  cfg.api.tokens = tokens;
  const m = new Manager(cfg, silentLogger);
  const app = createApp({ manager: m, version: "9.9.9" });
  const open = (name: string) => {
    const r = m.open({ protocol: "rtp", name, remote: "127.0.0.1:5000", ssrc: 0x1234 }, {
      disconnect: () => {},
    });
    assert.ok(r.ok);
    return r.value;
  };
  return { m, app, open };
}

async function json(res: Response) {
  return await res.json() as Record<string, unknown>;
}

Deno.test("api: empty list, health, stats, metrics", async () => {
  const { app } = setup();
  assert.deepEqual(await json(await app.request("/api/v1/streams")), { streams: [] });
  const h = await json(await app.request("/api/v1/health"));
  assert.equal(h.status, "ok");
  assert.equal(h.version, "9.9.9");
  assert.ok((h.listeners as Record<string, unknown>).api);
  const s = await json(await app.request("/api/v1/stats"));
  assert.equal((s.streams as Record<string, number>).live, 0);
  assert.equal(s.maxConnections, 25);
  const res = await app.request("/metrics");
  assert.match(res.headers.get("content-type") ?? "", /text\/plain/);
  const text = await res.text();
  assert.match(
    text,
    /# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes \d/,
  );
  assert.match(text, /\nsluice_build_info\{version="[^"]+",commit="[^"]+"\} 1\n/);
  // the requests above, by route pattern and status
  assert.match(
    text,
    /sluice_api_request_duration_seconds_count\{method="GET",route="\/api\/v1\/streams",status="200"\} [1-9]/,
  );
});

Deno.test("api: stream contract fields", async () => {
  const { app, open } = setup();
  const s = open("cam2");
  s.received(1200, 1, performance.now());
  s.error("rtp_version");
  s.drop("jitter_late");
  s.setTrack({
    id: 96,
    kind: "video",
    codec: "h264",
    clockRate: 90000,
    supported: true,
    width: 1280,
    height: 720,
  });
  const list = await json(await app.request("/api/v1/streams"));
  const row = (list.streams as Record<string, unknown>[])[0];
  for (
    const k of [
      "id",
      "name",
      "protocol",
      "state",
      "remote",
      "startedAt",
      "bitrateBps",
      "packets",
      "bytes",
      "tracks",
      "errors",
      "drops",
    ]
  ) {
    assert.ok(k in row, `missing ${k}`);
  }
  assert.deepEqual(row.codecs, ["h264"]);
  const one = await json(await app.request("/api/v1/streams/cam2"));
  assert.equal(one.protocol, "rtp");
  assert.equal(one.ssrc, 0x1234);
  assert.equal(one.state, "active");
  assert.deepEqual(one.errors, { rtp_version: 1 });
  assert.deepEqual(one.drops, { jitter_late: 1 });
  const track = (one.tracks as Record<string, unknown>[])[0];
  for (
    const k of [
      "id",
      "kind",
      "codec",
      "frames",
      "keyframes",
      "bytes",
      "bitrateBps",
      "width",
      "height",
      "fps",
      "profile",
      "level",
    ]
  ) {
    assert.ok(k in track, `track missing ${k}`);
  }
  assert.equal(Date.parse(one.startedAt as string) > 0, true);
  const st = await json(await app.request("/api/v1/stats/streams/cam2"));
  assert.equal(st.packets, 1);
  const metrics = await (await app.request("/metrics")).text();
  assert.match(
    metrics,
    /sluice_stream_errors_total\{stream="cam2",protocol="rtp",reason="rtp_version"\} 1/,
  );
  assert.match(metrics, /sluice_stream_state\{stream="cam2",protocol="rtp",state="active"\} 1/);
});

Deno.test("api: pause/resume/delete with their errors", async () => {
  const { app, open, m } = setup();
  open("cam1");
  const p = await app.request("/api/v1/streams/cam1/pause", { method: "POST" });
  assert.equal(p.status, 200);
  assert.equal((await json(p)).state, "paused");
  const p2 = await app.request("/api/v1/streams/cam1/pause", { method: "POST" });
  assert.equal(p2.status, 409);
  assert.equal(((await json(p2)).error as Record<string, string>).code, "conflict");
  assert.equal((await app.request("/api/v1/streams/cam1/resume", { method: "POST" })).status, 200);
  assert.equal((await app.request("/api/v1/streams/cam1/resume", { method: "POST" })).status, 409);
  const d = await app.request("/api/v1/streams/cam1", { method: "DELETE" });
  assert.equal(d.status, 200);
  assert.equal(m.get("cam1"), undefined);
  for (
    const [method, path] of [
      ["GET", "/api/v1/streams/nope"],
      ["DELETE", "/api/v1/streams/nope"],
      ["POST", "/api/v1/streams/nope/pause"],
      ["POST", "/api/v1/streams/nope/resume"],
      ["GET", "/api/v1/stats/streams/nope"],
      ["GET", "/api/v1/video/preview/nope"],
      ["GET", "/api/v1/video/buffer/nope"],
      ["GET", "/api/v1/sync/status/nope"],
      ["GET", "/api/v1/nothing/here"],
    ]
  ) {
    const r = await app.request(path, { method });
    assert.equal(r.status, 404, `${method} ${path}`);
    const e = (await json(r)).error as Record<string, string>;
    assert.equal(e.code, "not_found");
    assert.ok(e.message.length > 0);
  }
});

Deno.test("api: sync status contract (nulls until measurable), adjust, 400 and 404", async () => {
  const { app, open } = setup();
  const s = open("cam1");
  const headers = { "content-type": "application/json" };
  const bad = await app.request("/api/v1/sync/adjust/cam1", {
    method: "POST",
    body: "{nope",
    headers,
  });
  assert.equal(bad.status, 400);
  const bad2 = await app.request("/api/v1/sync/adjust/cam1", {
    method: "POST",
    body: '{"offsetMs":"x"}',
    headers,
  });
  assert.equal(bad2.status, 400);
  assert.equal((await app.request("/api/v1/sync/status/nope")).status, 404);
  const empty = await json(await app.request("/api/v1/sync/status/cam1"));
  assert.deepEqual(Object.keys(empty), [
    "id",
    "reference",
    "state",
    "thresholdMs",
    "avOffsetMs",
    "targetAvOffsetMs",
    "outputAvOffsetMs",
    "tracks",
    "corrections",
  ]);
  assert.equal(empty.reference, "arrival");
  assert.equal(empty.state, "single-track");
  assert.equal(empty.thresholdMs, 100);
  assert.equal(empty.avOffsetMs, null);
  assert.deepEqual(empty.corrections, {
    count: 0,
    slewedMs: 0,
    framesDropped: 0,
    framesDuplicated: 0,
    resyncs: 0,
  });
  // one video and one audio frame: tracks listed, figures still null
  const frame = (trackId: number, kind: "video" | "audio", pts: number) =>
    s.pushFrame({
      trackId,
      kind,
      codec: kind === "video" ? "h264" : "opus",
      pts,
      dts: pts,
      clockRate: kind === "video" ? 90000 : 48000,
      key: true,
      data: new Uint8Array(4),
      arrivalMs: 1000,
    });
  frame(96, "video", 9000);
  frame(97, "audio", 4800);
  const two = await json(await app.request("/api/v1/sync/status/cam1"));
  assert.equal(two.state, "measuring");
  const tracks = two.tracks as Record<string, unknown>[];
  assert.deepEqual(Object.keys(tracks[0]), [
    "id",
    "kind",
    "codec",
    "reference",
    "offsetMs",
    "driftPpm",
    "jitterMs",
    "samples",
    "correctionMs",
    "manualOffsetMs",
  ]);
  assert.equal(tracks[1].offsetMs, null);
  assert.equal(tracks[1].driftPpm, null);
  // adjust: default track is the first audio track; unknown track and huge offsets are 400
  const adj = await app.request("/api/v1/sync/adjust/cam1", {
    method: "POST",
    body: '{"offsetMs":40}',
    headers,
  });
  assert.equal(adj.status, 200);
  const after = await json(adj);
  assert.equal((after.tracks as Record<string, unknown>[])[1].manualOffsetMs, 40);
  assert.equal((after.corrections as Record<string, number>).count, 1);
  const unknown = await app.request("/api/v1/sync/adjust/cam1", {
    method: "POST",
    body: '{"track":5,"offsetMs":40}',
    headers,
  });
  assert.equal(unknown.status, 400);
  const huge = await app.request("/api/v1/sync/adjust/cam1", {
    method: "POST",
    body: '{"offsetMs":1e9}',
    headers,
  });
  assert.equal(huge.status, 400);
  assert.equal(
    (await app.request("/api/v1/sync/adjust/nope", {
      method: "POST",
      body: '{"offsetMs":1}',
    })).status,
    404,
  );
});

Deno.test("api: bearer auth when tokens are set", async () => {
  const { app } = setup(["token-one-1", "token-two-2"]);
  for (const path of ["/api/v1/streams", "/api/v1/health", "/metrics", "/api/v1/stats"]) {
    const none = await app.request(path);
    assert.equal(none.status, 401, path);
    assert.equal(((await json(none)).error as Record<string, string>).code, "unauthorized");
    assert.match(none.headers.get("www-authenticate") ?? "", /Bearer/);
    const wrong = await app.request(path, { headers: { authorization: "Bearer token-one-X" } });
    assert.equal(wrong.status, 401);
    const good = await app.request(path, { headers: { authorization: "Bearer token-two-2" } });
    assert.equal(good.status, 200, path);
  }
  const basic = await app.request("/api/v1/streams", { headers: { authorization: "Basic abc" } });
  assert.equal(basic.status, 401);
});

Deno.test("api: HEAD answers GET's headers with GET's content-length", async () => {
  const { app, open } = setup();
  open("cam1");
  // (not /metrics: it times each request, so two scrapes differ by design)
  for (const p of ["/api/v1/health", "/api/v1/streams/cam1", "/api/v1/stats", "/api/v1/nope"]) {
    const g = await app.request(p);
    const body = await g.arrayBuffer();
    const h = await app.request(p, { method: "HEAD" });
    const after = await (await app.request(p)).arrayBuffer(); // uptime/memory may change
    assert.equal(h.status, g.status, p);
    assert.ok(
      [String(body.byteLength), String(after.byteLength)].includes(
        h.headers.get("content-length") ?? "",
      ),
      `${p}: ${h.headers.get("content-length")} vs ${body.byteLength}`,
    );
    assert.equal(h.headers.get("content-type"), g.headers.get("content-type"), p);
    assert.equal((await h.arrayBuffer()).byteLength, 0, p);
  }
});

Deno.test("api: numbers in paths and queries are plain decimal integers; unknown track 404", async () => {
  const cfg = defaultConfig();
  const m: Manager = new Manager(cfg, silentLogger, { frameSink: (s) => frameStoreFor(m)(s) });
  const app = createApp({ manager: m, version: "9.9.9" });
  const r = m.open({ protocol: "rtp", name: "cam1", remote: "127.0.0.1:5000" }, {
    disconnect: () => {},
  });
  assert.ok(r.ok);
  r.value.pushFrame({
    trackId: 1,
    codec: "jpegxs",
    kind: "video",
    pts: 0,
    dts: 0,
    clockRate: 90000,
    key: true,
    data: new Uint8Array(10),
    arrivalMs: 0,
  });
  const status = async (p: string, init?: RequestInit) => (await app.request(p, init)).status;
  for (const bad of ["0x0", "%201", "1e0", "-1", "1.0", "0b1"]) {
    assert.equal(await status(`/api/v1/video/buffer/cam1/frames/${bad}`), 400, `index ${bad}`);
    assert.equal(await status(`/api/v1/video/buffer/cam1?track=${bad}`), 400, `track ${bad}`);
    assert.equal(await status(`/api/v1/video/preview/cam1?track=${bad}`), 400, `preview ${bad}`);
  }
  assert.equal(await status("/api/v1/video/buffer/cam1?from=0x10"), 400);
  assert.equal(await status("/api/v1/video/buffer/cam1/frames/0"), 200);
  assert.equal(await status("/api/v1/video/buffer/cam1?track=1&from=-5&to=100"), 200);
  assert.equal(await status("/api/v1/video/preview/cam1?track=1"), 200);
  assert.equal(await status("/api/v1/video/preview/cam1?track=999"), 404);
  const adjust = (body: string, type = "application/json") =>
    status("/api/v1/sync/adjust/cam1", {
      method: "POST",
      body,
      headers: { "content-type": type },
    });
  assert.equal(await adjust('{"track":"video","offsetMs":5}'), 400);
  assert.equal(await adjust('{"track":1.5,"offsetMs":5}'), 400);
  assert.equal(await adjust('{"offsetMs":5}', "text/plain"), 415);
  assert.equal(await adjust('{"offsetMs":5}', "application/jsonx"), 415);
  assert.notEqual(await adjust('{"offsetMs":5}', "application/json; charset=utf-8"), 415);
});
