/**
 * The configuration as commented YAML, generated from the schema (lib/config/schema.ts):
 * every key with a one-line comment (what it is, its range or choices, its default) and
 * its value in the units an operator writes ("1MB", "5s"). Empty lists and maps are
 * followed by a commented-out example entry that shows their sub-keys.
 *
 * Used by `sluice --print-config` (the effective configuration) and for
 * sluice.example.yaml (the defaults; scripts/example_config.ts writes it and
 * tests/unit/config/print_test.ts fails when it drifts). Parsing the output with
 * lib/config/load.ts gives back the same Config.
 */
import { stringify } from "yaml";
import type { Config } from "./config.ts";
import { camel, defaultConfig } from "./defaults.ts";
import { SCHEMA } from "./schema.ts";
import type { Spec } from "./schema/spec.ts";
import { formatBytes } from "./units.ts";

/** Example entries for the lists and maps, in file spelling (snake_case keys, units). */
const EXAMPLES: Record<string, unknown> = {
  "api.tokens": ["a-long-random-token"],
  "srt.streams": { cam1: { passphrase: "passphrase-of-cam1" } },
  "rtp.payload_types": { 96: "H264/90000", 97: "H265/90000", 98: "AV1/90000", 100: "jxsv/90000" },
  "rtp.sdp": ["/etc/sluice/cam3.sdp"],
  "rtp.streams": [
    {
      ssrc: 0x1234,
      name: "cam2",
      payload_types: { 96: "H264/90000" },
      sdp: "/etc/sluice/cam2.sdp",
    },
  ],
  "nats": {
    servers: ["nats://hub.example.com:4222"],
    box: "site4-rack2",
    credentials: "/etc/sluice/box.creds",
    token: "",
    user: "",
    password: "",
    tls: { ca: "", cert: "", key: "" },
    replicas: 1,
    registry: { interval: "5s", ttl: "30s" },
    events: { max_age: "24h", max_bytes: "64MB", queue: 1000 },
    frames: { streams: "cam*", tracks: "video", max_bytes: "1GB", max_age: "60s", queue: "8MB" },
  },
  "outputs": [
    {
      name: "cloud1",
      stream: "cam1",
      url: "srt://ingest.example.com:9000?streamid=site4/cam1&latency=200ms",
      mode: "passthrough",
      queue_size: "8MB",
      retry: { initial: "500ms", max: "30s", multiplier: 2 },
      breaker: { failures: 5, cooldown: "60s" },
    },
    { name: "lan", stream: "*", url: "udp://239.1.1.1:5000?ttl=4" },
  ],
};

/** "5s", "2m", "120ms" (the largest unit that divides evenly). */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function scalar(spec: Spec, v: unknown): string {
  switch (spec.t) {
    case "bytes":
      return formatBytes(v as number);
    case "duration":
      return formatDuration(v as number);
    case "int":
    case "number":
    case "bool":
      return String(v);
    default:
      return stringify(v).trimEnd();
  }
}

/** The value in file spelling; inside collections, keys left at their default are omitted. */
function plain(spec: Spec, v: unknown): unknown {
  switch (spec.t) {
    case "obj": {
      const o = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [k, sub] of Object.entries(spec.fields)) {
        // an `ints` key is loaded as a list under its plural (rtp.streams[].ssrc -> ssrcs)
        const x = sub.t === "ints" ? o[`${camel(k)}s`] : o[camel(k)];
        const unset = "def" in sub ? x === sub.def : JSON.stringify(x) === "[]" ||
          JSON.stringify(x) === "{}";
        if (!unset || spec.required?.includes(k)) out[k] = plain(sub, x);
      }
      return out;
    }
    case "list":
      return (v as unknown[]).map((x) => plain(spec.of, x));
    case "map":
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, plain(spec.of, x)]),
      );
    case "bytes":
    case "duration":
      return scalar(spec, v);
    case "ints":
      return (v as number[]).length === 1 ? (v as number[])[0] : v;
    default:
      return v;
  }
}

/** The comment's range or choices part. */
function hint(spec: Spec): string {
  switch (spec.t) {
    case "int":
    case "number":
      return `, ${spec.min}-${spec.max}`;
    case "ints":
      return `, ${spec.min}-${spec.max} or a list of them`;
    case "bytes":
      return `, size ${formatBytes(spec.min)}${
        spec.max ? `-${formatBytes(spec.max)}` : " or more"
      }`;
    case "duration":
      return `, duration ${formatDuration(spec.min)}-${formatDuration(spec.max)}`;
    case "string":
      return spec.oneOf ? `, one of ${spec.oneOf.join(", ")}` : "";
    case "bool":
      return ", true or false";
    default:
      return "";
  }
}

function defaultText(spec: Spec): string {
  if (spec.t === "list" || spec.t === "ints") return "[]";
  if (spec.t === "map") return "{}";
  if (spec.t === "obj" || spec.t === "url") return "";
  return scalar(spec, spec.def);
}

function indentLines(text: string, pad: string, prefix = ""): string[] {
  return text.trimEnd().split("\n").map((l) => `${pad}${prefix}${l}`);
}

/** The example of a list or map, each entry's keys with their one-line comment. */
function exampleLines(key: string, spec: Spec & { t: "list" | "map" }, ex: unknown, pad: string) {
  const fields = spec.of.t === "obj" ? spec.of.fields : {};
  const noted = new Set<string>();
  const lines = indentLines(stringify({ [key]: ex }), pad, "# ");
  return lines.map((l) => {
    const k = /^[# ]*(?:- )?([a-z_]+):/.exec(l.slice(pad.length + 2))?.[1];
    const f = k ? fields[k] : undefined;
    if (!k || !f || noted.has(k)) return l;
    noted.add(k);
    const req = spec.of.t === "obj" && spec.of.required?.includes(k) ? ", required" : "";
    return `${l}  # ${f.doc ?? ""}${hint(f)}${req}`;
  });
}

/** The commented example of an optional section, each key with its one-line comment. */
function optionalExample(
  key: string,
  spec: Spec & { t: "obj" },
  ex: Record<string, unknown>,
  pad: string,
): string[] {
  const out = [`${pad}# ${key}:`];
  const walk = (s: Spec & { t: "obj" }, e: Record<string, unknown>, ind: string) => {
    for (const [k, sub] of Object.entries(s.fields)) {
      if (!(k in e)) continue;
      if (sub.t === "obj") {
        out.push(`${pad}# ${ind}${k}:`);
        walk(sub, e[k] as Record<string, unknown>, `${ind}  `);
        continue;
      }
      const v = stringify(e[k], { collectionStyle: "flow" }).trimEnd();
      out.push(`${pad}# ${ind}${k}: ${v}  # ${sub.doc ?? ""}${hint(sub)}`);
    }
  };
  walk(spec, ex, "  ");
  return out;
}

function render(
  spec: Spec & { t: "obj" },
  value: Record<string, unknown>,
  path: string,
  pad: string,
) {
  const out: string[] = [];
  for (const [key, sub] of Object.entries(spec.fields)) {
    const full = path ? `${path}.${key}` : key;
    const v = value[camel(key)];
    if (sub.t === "obj" && sub.optional && v === undefined) {
      if (!pad) out.push("");
      out.push(`${pad}# ${sub.doc ?? key}; optional, default off (null or absent)`);
      out.push(`${pad}${key}: null`, `${pad}# for example:`);
      out.push(...optionalExample(key, sub, EXAMPLES[full] as Record<string, unknown>, pad));
      continue;
    }
    if (sub.t === "obj") {
      if (!pad) out.push("");
      if (sub.doc) out.push(`${pad}# ${sub.doc}`);
      out.push(`${pad}${key}:`, ...render(sub, v as Record<string, unknown>, full, `${pad}  `));
      continue;
    }
    out.push(`${pad}# ${sub.doc}${hint(sub)}; default ${defaultText(sub)}`);
    if (sub.t === "list" || sub.t === "map") {
      const empty = Object.keys(v as object).length === 0;
      if (empty) {
        out.push(`${pad}${key}: ${sub.t === "list" ? "[]" : "{}"}`);
        if (EXAMPLES[full] !== undefined) {
          out.push(
            `${pad}# for example:`,
            ...exampleLines(key, sub, EXAMPLES[full], pad),
          );
        }
      } else out.push(`${pad}${key}:`, ...indentLines(stringify(plain(sub, v)), `${pad}  `));
      continue;
    }
    out.push(`${pad}${key}: ${scalar(sub, v)}`);
  }
  return out;
}

/** `config` (default: the built-in defaults) as commented YAML under `header` comment lines. */
export function configYaml(config: Config = defaultConfig(), header: string[] = []): string {
  const lines = render(
    SCHEMA as Spec & { t: "obj" },
    config as unknown as Record<string, unknown>,
    "",
    "",
  );
  return [...header.map((h) => `# ${h}`.trimEnd()), ...lines.slice(header.length ? 0 : 1)]
    .join("\n") + "\n";
}
