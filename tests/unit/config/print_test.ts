/**
 * The commented YAML of lib/config/print.ts against the loader (lib/config/load.ts) as the
 * oracle: sluice.example.yaml is what the schema generates, covers every key of the
 * schema (sub-keys of lists and maps in its commented examples, which load once
 * uncommented), and any config printed and loaded again is the same config.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import type { Config } from "@lib/config/config.ts";
import { defaultConfig } from "@lib/config/defaults.ts";
import { parseConfig } from "@lib/config/load.ts";
import { configYaml, formatDuration } from "../../../lib/config/print.ts";
import { SCHEMA } from "../../../lib/config/schema.ts";
import type { Spec } from "../../../lib/config/schema/spec.ts";
import { parseDuration } from "../../../lib/config/units.ts";
import { exampleConfig } from "../../../scripts/example_config.ts";

const EXAMPLE = new URL("../../../sluice.example.yaml", import.meta.url);

/** The schema's key paths that `v` (a parsed YAML value) lacks; lists and maps by their first entry. */
function missingKeys(spec: Spec, v: unknown, path: string, out: string[] = []): string[] {
  if (spec.t === "obj") {
    const o = (v ?? {}) as Record<string, unknown>;
    for (const [k, sub] of Object.entries(spec.fields)) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in o)) out.push(p);
      else missingKeys(sub, o[k], p, out);
    }
  } else if (spec.t === "list" || spec.t === "map") {
    const first = Object.values((v ?? {}) as object)[0];
    const p = spec.t === "list" ? `${path}[]` : `${path}.*`;
    if (first === undefined) out.push(p);
    else missingKeys(spec.of, first, p, out);
  }
  return out;
}

/** The example with every "for example:" block uncommented in place of its empty value. */
function uncommentExamples(text: string): string {
  const lines = text.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^( *)# for example:$/.exec(lines[i]);
    if (!m) {
      out.push(lines[i]);
      continue;
    }
    const pad = m[1];
    out.pop(); // the `key: []` / `key: {}` line
    while (i + 1 < lines.length && lines[i + 1].startsWith(`${pad}# `)) {
      const l = lines[++i].slice(pad.length + 2);
      if (out.length && !l.startsWith(" ") && !/^[a-z_]+:/.test(l)) break;
      out.push(pad + l.replace(/ {2}# .*$/, ""));
      if (!lines[i + 1]?.startsWith(`${pad}#   `)) break;
    }
  }
  return out.join("\n");
}

Deno.test("config print: sluice.example.yaml is what the schema generates", () => {
  const onDisk = Deno.readTextFileSync(EXAMPLE);
  assert.equal(
    onDisk,
    exampleConfig(),
    "sluice.example.yaml drifted from lib/config/schema.ts: run `deno task example-config`",
  );
});

Deno.test("config print: the example loads as the defaults", () => {
  assert.deepEqual(
    parseConfig(Deno.readTextFileSync(EXAMPLE), "sluice.example.yaml"),
    defaultConfig(),
  );
});

Deno.test("config print: the example names every key; its commented examples load", () => {
  const text = Deno.readTextFileSync(EXAMPLE);
  const full = uncommentExamples(text);
  assert.notEqual(full, text);
  const cfg = parseConfig(full, "uncommented example");
  assert.equal(cfg.rtp.streams[0].name, "cam2");
  assert.equal(cfg.rtp.streams[0].ssrc, 0x1234);
  assert.equal(cfg.rtp.payloadTypes[96], "H264/90000");
  assert.equal(cfg.srt.streams.cam1.passphrase.length >= 10, true);
  assert.equal(cfg.api.tokens.length, 1);
  assert.deepEqual(
    missingKeys(SCHEMA, parse(full), ""),
    [],
    "keys of the schema that sluice.example.yaml does not show",
  );
  for (const line of text.split("\n")) {
    const key = /^ *([a-z_]+):/.exec(line)?.[1];
    if (!key) continue;
    const i = text.split("\n").indexOf(line);
    const prev = text.split("\n")[i - 1];
    if (/^ *[a-z_]+:$/.test(line) && !/# /.test(prev)) continue; // a section
    assert.match(prev, /^ *# .+/, `no comment above ${line.trim()}`);
  }
});

Deno.test("config print: any config printed and loaded again is the same config", () => {
  const yaml = `
ingestion:
  bind: 127.0.0.1
  srt_port: 9000
  rtp_port: 9002
  max_connections: 300
  buffer_size: 5000
  gop_buffer_size: 7
  frame_timeout: 90s
  sync_threshold: 1500
  memory: { global_limit: 3GB, per_stream_limit: 700KiB }
api:
  listen: "[::1]:9090"
  tokens: ["token-one-xyz", "two: with # specials"]
srt:
  library: /opt/srt/lib/libsrt.so.1.5
  latency: 30s
  passphrase: "quote ' and \\" inside"
  streams: { cam1: { passphrase: "0123456789ab" }, "#!::r=x": {} }
rtp:
  jitter_latency: 0
  receiver: deno
  socket_buffer: 64KB
  send_rr: true
  emit_after_loss: true
  new_stream_rate: 500
  payload_types: { 96: H264/90000, 111: opus/48000/2 }
  sdp: [a.sdp, "b c.sdp"]
  streams:
    - { ssrc: 0, name: cam2 }
    - { ssrc: [4097, 4098], name: av }
    - { name: cam3, payload_types: { 100: jxsv/90000 }, sdp: cam3.sdp }
log: { level: debug, format: json }
nats:
  servers: ["nats://a:4222", "tls://b.example.com:4222"]
  box: edge-1
  token: "t: # odd"
  tls: { ca: /etc/ca.pem }
  replicas: 3
  registry: { interval: 2s, ttl: 90m }
  frames: { streams: "cam*,studio?", tracks: all, queue: 1MB }
`;
  const cfg: Config = parseConfig(yaml);
  assert.equal(cfg.nats?.box, "edge-1");
  const printed = configYaml(cfg, ["header"]);
  assert.deepEqual(parseConfig(printed, "printed"), cfg, printed);
  assert.deepEqual(parseConfig(configYaml()), defaultConfig());
  assert.match(printed, /^# header\n/);
  assert.match(
    printed,
    /\n {2}# SRT receiver latency, duration 20ms-1m; default 120ms\n {2}latency: 30s\n/,
  );
});

Deno.test("config print: durations print in the largest even unit and parse back", () => {
  for (
    const [ms, text] of [[0, "0ms"], [999, "999ms"], [5000, "5s"], [90_000, "90s"], [
      120_000,
      "2m",
    ]] as const
  ) {
    assert.equal(formatDuration(ms), text);
    assert.equal(parseDuration(text), ms);
  }
});
