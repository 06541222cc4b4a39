/**
 * End to end: `deno task start` as a subprocess on free ports with a temp config,
 * poll /api/v1/health, query, SIGTERM, clean exit within 2 s; bad configs exit 1.
 */
import assert from "node:assert/strict";
import { freePort } from "@tests/_helpers.ts";
import { sluiceCommand } from "./_server.ts";

const task = sluiceCommand;

async function tempConfig(text: string): Promise<string> {
  const f = await Deno.makeTempFile({ suffix: ".yaml" });
  await Deno.writeTextFile(f, text);
  return f;
}

async function waitHealthy(url: string, child: Deno.ChildProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`${url}/api/v1/health`);
      if (r.ok) {
        await r.body?.cancel();
        return;
      }
      await r.body?.cancel();
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error("sluice did not become healthy within 20 s");
}

function ports() {
  const api = freePort("tcp");
  let rtp = freePort("udp");
  if (rtp % 2) rtp = rtp - 1;
  const srt = freePort("udp");
  return { api, rtp, srt };
}

Deno.test("e2e: starts on a config, answers the API, stops on SIGTERM within 2 s", async () => {
  const p = ports();
  const cfg = await tempConfig(
    `ingestion:\n  bind: 127.0.0.1\n  srt_port: ${p.srt}\n  rtp_port: ${p.rtp}\napi:\n  listen: 127.0.0.1:${p.api}\n`,
  );
  const child = task(["--config", cfg]).spawn();
  const url = `http://127.0.0.1:${p.api}`;
  try {
    await waitHealthy(url, child);
    const streams = await (await fetch(`${url}/api/v1/streams`)).json();
    assert.deepEqual(streams, { streams: [] });
    const h = await (await fetch(`${url}/api/v1/health`)).json();
    assert.equal(h.status, "ok");
    const m = await (await fetch(`${url}/metrics`)).text();
    assert.match(m, /sluice_streams_live 0/);
    const t0 = performance.now();
    child.kill("SIGTERM");
    const out = await child.output();
    const took = performance.now() - t0;
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    // Not a timing assertion on performance: the 2 s is the shutdown contract.
    assert.ok(took < 2000 + 1000, `exit took ${took} ms`);
    assert.match(new TextDecoder().decode(out.stderr), /shutdown\.done/);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await Deno.remove(cfg);
  }
});

Deno.test("e2e: SIGHUP reloads live keys and keeps the config when the file breaks", async () => {
  const p = ports();
  const base =
    `ingestion:\n  bind: 127.0.0.1\n  srt_port: ${p.srt}\n  rtp_port: ${p.rtp}\napi:\n  listen: 127.0.0.1:${p.api}\n`;
  const cfg = await tempConfig(base);
  const child = task(["--config", cfg]).spawn();
  const url = `http://127.0.0.1:${p.api}`;
  try {
    await waitHealthy(url, child);
    await Deno.writeTextFile(cfg, base.replace("api:\n", "api:\n  tokens: [reload-token-1]\n"));
    child.kill("SIGHUP");
    let status = 0;
    for (let i = 0; i < 50 && status !== 401; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const r = await fetch(`${url}/api/v1/streams`);
      status = r.status;
      await r.body?.cancel();
    }
    assert.equal(status, 401, "tokens applied live");
    await Deno.writeTextFile(cfg, "ingestion:\n  rtp_port: 70000\n");
    child.kill("SIGHUP");
    await new Promise((r) => setTimeout(r, 500));
    const r = await fetch(`${url}/api/v1/streams`, {
      headers: { authorization: "Bearer reload-token-1" },
    });
    assert.equal(r.status, 200, "the broken file left the running config in place");
    await r.body?.cancel();
    child.kill("SIGTERM");
    const out = await child.output();
    const err = new TextDecoder().decode(out.stderr);
    assert.match(err, /config\.reloaded.*applied=api\.tokens/);
    assert.match(err, /config\.reload_failed.*ingestion\.rtp_port/);
    assert.equal(out.code, 0);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await Deno.remove(cfg);
  }
});

Deno.test("e2e: a bad config exits 1 naming the key and the line", async () => {
  const cfg = await tempConfig("ingestion:\n  srt_port: 30000\n  rtp_port: 70000\n");
  try {
    const out = await task(["--config", cfg]).output();
    assert.equal(out.code, 1);
    const err = new TextDecoder().decode(out.stderr);
    assert.match(err, /ingestion\.rtp_port/);
    assert.match(err, /line 3/);
    assert.doesNotMatch(err, /at .*\.ts:\d+/, "no stack trace");
    const viaEnv = await task([], { SLUICE_CONFIG: cfg }).output();
    assert.equal(viaEnv.code, 1);
    assert.match(new TextDecoder().decode(viaEnv.stderr), /ingestion\.rtp_port/);
  } finally {
    await Deno.remove(cfg);
  }
});

Deno.test("e2e: --check-config, --version, --help", async () => {
  const good = await tempConfig("ingestion:\n  max_connections: 7\n");
  try {
    const c = await task(["--check-config", "--config", good]).output();
    assert.equal(c.code, 0);
    assert.equal(JSON.parse(new TextDecoder().decode(c.stdout)).ingestion.maxConnections, 7);
    const v = await task(["--version"]).output();
    assert.match(new TextDecoder().decode(v.stdout), /^sluice \d+\.\d+\.\d+/);
    const h = await task(["--help"]).output();
    assert.match(new TextDecoder().decode(h.stdout), /--check-config/);
    const bad = await task(["--bogus"]).output();
    assert.equal(bad.code, 1);
  } finally {
    await Deno.remove(good);
  }
});

Deno.test("e2e: --check-config refuses configs that cannot run (bind, SDP file)", async () => {
  const cfg = await tempConfig(
    "ingestion:\n  bind: cam-host\nrtp:\n  streams:\n    - { name: cam2, sdp: /nonexistent/cam2.sdp }\n",
  );
  try {
    const out = await task(["--check-config", "--config", cfg]).output();
    assert.equal(out.code, 1);
    const err = new TextDecoder().decode(out.stderr);
    assert.match(err, /ingestion\.bind must be an IPv4 address.*line 2/);
    assert.match(err, /rtp\.streams\[0\]\.sdp must be a readable SDP file.*line 5/);
  } finally {
    await Deno.remove(cfg);
  }
});
