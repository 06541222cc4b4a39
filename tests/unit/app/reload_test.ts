/**
 * The reload table (lib/app/reload.ts RELOAD_KEYS): every schema key has a class, the
 * README's reload table says the same thing key by key, the diff names YAML keys, and
 * restart-only keys keep their running values in the config that is put in effect.
 */
import assert from "node:assert/strict";
import { defaultConfig } from "@lib/config/defaults.ts";
import { parseConfig } from "@lib/config/load.ts";
import { SCHEMA } from "@lib/config/schema.ts";
import type { Spec } from "@lib/config/schema/spec.ts";
import { applicableConfig, diffConfig, RELOAD_KEYS, reloadClass } from "@lib/app/reload.ts";

function leaves(spec: Spec, prefix: string, out: string[]): string[] {
  if (spec.t === "obj" && !prefix.endsWith("]")) {
    for (const [k, s] of Object.entries(spec.fields)) {
      leaves(s, prefix ? `${prefix}.${k}` : k, out);
    }
  } else out.push(prefix);
  return out;
}

Deno.test("reload: every config key has a reload class and no class names a missing key", () => {
  const keys = leaves(SCHEMA, "", []);
  const table = Object.keys(RELOAD_KEYS);
  // a class covers a key or a whole section of keys (api.tls: its cert and key)
  const covering = (k: string) => table.filter((t) => k === t || k.startsWith(`${t}.`));
  assert.deepEqual(keys.filter((k) => covering(k).length !== 1), [], "keys without one class");
  assert.deepEqual(table.filter((t) => !keys.some((k) => covering(k).includes(t))), []);
});

Deno.test("reload: the README's reload table says, key by key, what lib/app/reload.ts does", () => {
  const readme = Deno.readTextFileSync(new URL("../../../README.md", import.meta.url));
  const start = readme.lastIndexOf("\n| key ", readme.indexOf("| on SIGHUP")) + 1;
  const table = readme.slice(start, readme.indexOf("\n\n", start)).split("\n").slice(2);
  const said = new Map<string, string>();
  for (const row of table) {
    const [, keys, when] = row.split("|").map((c) => c.trim());
    for (const k of keys.matchAll(/`([^`]+)`/g)) {
      said.set(k[1], when === "new streams" ? "new_streams" : when);
    }
  }
  assert.deepEqual(Object.fromEntries([...said].sort()), {
    ...Object.fromEntries(Object.entries(RELOAD_KEYS).sort()),
  });
});

Deno.test("reload: diff names YAML keys by class; map entries take their map's class", () => {
  const a = defaultConfig();
  const b = parseConfig(
    [
      "ingestion:",
      "  srt_port: 31000",
      "  max_connections: 5",
      "  frame_timeout: 2s",
      "  memory:",
      "    per_stream_limit: 4MB",
      "srt:",
      "  passphrase: a-new-secret-1",
      "  streams:",
      "    camOne: { passphrase: another-secret-2 }",
      "rtp:",
      "  payload_types: { 96: H264/90000 }",
      "",
    ].join("\n"),
  );
  const d = diffConfig(a, b);
  assert.deepEqual(d.restart, ["ingestion.srt_port", "rtp.payload_types.96"]);
  assert.deepEqual(d.live, [
    "ingestion.max_connections",
    "ingestion.memory.per_stream_limit",
    "srt.passphrase",
    "srt.streams.camOne.passphrase",
  ]);
  assert.deepEqual(d.newStreams, ["ingestion.frame_timeout"]);
  assert.equal(reloadClass("srt.streams.camOne.passphrase"), "live");
  assert.equal(reloadClass("no.such.key"), "restart");
  const eff = applicableConfig(a, b);
  assert.equal(eff.ingestion.srtPort, a.ingestion.srtPort, "restart-only key keeps running value");
  assert.equal(eff.ingestion.maxConnections, 5);
});
