/**
 * Loads sluice's YAML configuration into a validated `Config`. Every error names the
 * key, its line and column, and what was expected; unknown keys get a "did you mean".
 * Sizes become bytes and durations milliseconds. See lib/config/schema.ts.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Node } from "yaml";
import { parseBytes, parseDuration } from "./units.ts";
import { SCHEMA, type Spec } from "./schema.ts";
import { apiHostProblem, checkString, type FileChecks } from "./checks.ts";

export type { FileChecks } from "./checks.ts";
import { parseTarget, redactUrl } from "./output_url.ts";
import { checkNats, type NatsConfig } from "./nats.ts";

export type { NatsConfig } from "./nats.ts";

/** Per-stream SRT settings (allowlist entry). */
export interface SrtStreamConfig {
  passphrase: string;
}

/**
 * A named RTP stream. `ssrcs` are its SSRCs (config `ssrc`: one or a list; the first is the
 * stream's, the others join it as tracks); `ssrc` is the first, -1 when matched by name only.
 */
export interface RtpStreamConfig {
  ssrc: number;
  ssrcs: number[];
  name: string;
  payloadTypes: Record<number, string>;
  sdp: string;
}

/** One push output (`outputs[]`); durations in ms. */
export interface OutputConfig {
  name: string;
  stream: string;
  url: string;
  mode: "remux" | "passthrough";
  queueSize: number;
  retry: { initial: number; max: number; multiplier: number };
  breaker: { failures: number; cooldown: number };
}

/** The validated configuration; units already applied (bytes, milliseconds). */
export interface Config {
  ingestion: {
    bind: string;
    srtPort: number;
    rtpPort: number;
    maxConnections: number;
    maxPerSource: number;
    connectTimeout: number;
    bufferSize: number;
    gopBufferSize: number;
    warmup: boolean;
    frameTimeout: number;
    closedRetention: number;
    syncThreshold: number;
    memory: { globalLimit: number; perStreamLimit: number };
  };
  api: {
    listen: string;
    tokens: string[];
    liveQueueSize: number;
    tls: { cert: string; key: string };
  };
  srt: {
    library: string;
    latency: number;
    passphrase: string;
    socketBuffer: number;
    takeoverAfter: number;
    overridePublisher: boolean;
    peerIdleTimeout: number;
    streams: Record<string, SrtStreamConfig>;
  };
  rtp: {
    jitterLatency: number;
    receiver: "auto" | "recvmmsg" | "deno";
    socketBuffer: number;
    sendRr: boolean;
    emitAfterLoss: boolean;
    newStreamRate: number;
    payloadTypes: Record<number, string>;
    sdp: string[];
    streams: RtpStreamConfig[];
  };
  outputs: OutputConfig[];
  log: { level: "debug" | "info" | "warn" | "error"; format: "text" | "json" };
  /** The fleet link (lib/fleet/); undefined when the file has no `nats:` section. */
  nats?: NatsConfig;
}

/** A configuration error: `message` is ready to print, `issues` lists each problem. */
export class ConfigError extends SyntaxError {
  constructor(readonly issues: string[], source: string) {
    super(`Cannot load config ${source}:\n  ${issues.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

/** A schema key in the Config object's spelling: `max_connections` -> `maxConnections`. */
export function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length];
}

/** The closest known key within edit distance 3, for "did you mean". */
function nearest(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestD = 4;
  for (const k of known) {
    const dist = distance(key.toLowerCase(), k);
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return best;
}

/** Default value of a spec (objects recursively). */
function defaults(spec: Spec): unknown {
  switch (spec.t) {
    case "obj":
      return Object.fromEntries(
        Object.entries(spec.fields).filter(([, s]) => !(s.t === "obj" && s.optional))
          .map(([k, s]) => [camel(k), defaults(s)]),
      );
    case "list":
    case "ints":
      return [];
    case "map":
      return {};
    case "url":
      return "";
    default:
      return spec.def;
  }
}

class Walker {
  issues: string[] = [];
  constructor(private lc: LineCounter, private files: FileChecks | undefined) {}

  where(node: Node | null | undefined): string {
    const off = node?.range?.[0];
    if (off === undefined) return "";
    const { line, col } = this.lc.linePos(off);
    return ` (line ${line}, column ${col})`;
  }

  bad(path: string, node: Node | null | undefined, expected: string, got: unknown): void {
    const shown = got === null || got === undefined ? "nothing" : JSON.stringify(got);
    this.issues.push(`${path} must be ${expected}, got ${shown}${this.where(node)}`);
  }

  value(spec: Spec, node: Node | null | undefined, path: string): unknown {
    const raw = isScalar(node) ? node.value : undefined;
    switch (spec.t) {
      case "obj":
        return this.obj(spec, node, path);
      case "list": {
        if (node === null || node === undefined || (isScalar(node) && node.value === null)) {
          return [];
        }
        if (!isSeq(node)) return this.bad(path, node, "a list", node?.toJSON()), [];
        return node.items.map((item, i) => this.value(spec.of, item as Node, `${path}[${i}]`));
      }
      case "map":
        return this.map(spec, node, path);
      case "ints": {
        const items = isSeq(node) ? node.items as Node[] : [node];
        const out: number[] = [];
        items.forEach((item, i) => {
          const v = isScalar(item) ? item.value : undefined;
          const at = isSeq(node) ? `${path}[${i}]` : path;
          if (typeof v !== "number" || !Number.isInteger(v) || v < spec.min || v > spec.max) {
            this.bad(at, item, `an integer ${spec.min}-${spec.max} or a list of them`, v);
          } else out.push(v);
        });
        return out;
      }
      case "int": {
        const n = typeof raw === "number" ? raw : Number.NaN;
        if (!Number.isInteger(n) || n < spec.min || n > spec.max) {
          return this.bad(path, node, `an integer ${spec.min}-${spec.max}`, raw), spec.def;
        }
        return n;
      }
      case "bytes": {
        const n = parseBytes(raw);
        const max = spec.max ?? Number.MAX_SAFE_INTEGER;
        if (n === undefined || n < spec.min || n > max) {
          return this.bad(path, node, `a size of at least ${spec.min} bytes ("1MB", "8GB")`, raw),
            spec.def;
        }
        return n;
      }
      case "duration": {
        const n = parseDuration(raw);
        if (n === undefined || n < spec.min || n > spec.max) {
          return this.bad(
            path,
            node,
            `a duration ${spec.min}ms-${spec.max}ms ("100ms", "5s")`,
            raw,
          ),
            spec.def;
        }
        return n;
      }
      case "bool":
        if (typeof raw !== "boolean") return this.bad(path, node, "true or false", raw), spec.def;
        return raw;
      case "string": {
        const s = typeof raw === "number" ? String(raw) : raw;
        if (typeof s !== "string") return this.bad(path, node, "a string", raw), spec.def;
        if (spec.oneOf && !spec.oneOf.includes(s)) {
          return this.bad(path, node, `one of ${spec.oneOf.join(", ")}`, s), spec.def;
        }
        if (spec.pattern && s !== "" && !spec.pattern.re.test(s)) {
          return this.bad(path, node, spec.pattern.what, s), spec.def;
        }
        const problem = spec.check && checkString(spec.check, s, this.files);
        if (problem && spec.check === "token") { // a secret: not echoed
          return this.issues.push(`${path} must be ${problem}${this.where(node)}`), spec.def;
        }
        if (problem) return this.bad(path, node, problem, s), spec.def;
        return s;
      }
      case "number": {
        if (typeof raw !== "number" || !Number.isFinite(raw) || raw < spec.min || raw > spec.max) {
          return this.bad(path, node, `a number ${spec.min}-${spec.max}`, raw), spec.def;
        }
        return raw;
      }
      case "url": {
        if (typeof raw !== "string") return this.bad(path, node, "a URL string", raw), "";
        const t = parseTarget(raw.replaceAll("{stream}", "x"));
        if (!t.ok) {
          this.issues.push(
            `${path} ${t.reason}, got ${JSON.stringify(redactUrl(raw))}${this.where(node)}`,
          );
          return "";
        }
        return raw;
      }
      case "hostport": {
        const m = typeof raw === "string" ? /^(.*):(\d+)$/.exec(raw) : null;
        const port = m ? Number(m[2]) : -1;
        if (!m || port < 0 || port > 65535) {
          return this.bad(path, node, `host:port ("127.0.0.1:8080")`, raw), spec.def;
        }
        const problem = apiHostProblem(m[1]);
        if (problem) return this.bad(path, node, problem, raw), spec.def;
        return raw;
      }
    }
  }

  obj(spec: Spec & { t: "obj" }, node: Node | null | undefined, path: string): unknown {
    const out = defaults(spec) as Record<string, unknown>;
    if (node === null || node === undefined || (isScalar(node) && node.value === null)) {
      if (spec.optional) return undefined; // `nats:` with nothing (or null): the section is off
      if (spec.required?.length) this.bad(path, node, `a map with ${spec.required}`, null);
      return out;
    }
    if (!isMap(node)) return this.bad(path || "the file", node, "a map", node.toJSON()), out;
    const known = Object.keys(spec.fields);
    const seen = new Set<string>();
    for (const pair of node.items) {
      const keyNode = pair.key as Node;
      const key = String(isScalar(keyNode) ? keyNode.value : keyNode);
      const full = path ? `${path}.${key}` : key;
      const sub = spec.fields[key];
      if (!sub) {
        const hint = nearest(key, known);
        this.issues.push(
          `unknown key ${full}${this.where(keyNode)}${
            hint
              ? `: did you mean ${path ? `${path}.` : ""}${hint}?`
              : `; known: ${known.join(", ")}`
          }`,
        );
        continue;
      }
      seen.add(key);
      const v = this.value(sub, pair.value as Node, full);
      if (v !== undefined || sub.t !== "obj") out[camel(key)] = v; // an optional section off: absent
    }
    for (const r of spec.required ?? []) {
      if (!seen.has(r)) this.issues.push(`${path}.${r} is required${this.where(node)}`);
    }
    return out;
  }

  map(spec: Spec & { t: "map" }, node: Node | null | undefined, path: string): unknown {
    const out: Record<string, unknown> = {};
    if (node === null || node === undefined || (isScalar(node) && node.value === null)) return out;
    if (!isMap(node)) return this.bad(path, node, "a map", node.toJSON()), out;
    for (const pair of node.items) {
      const keyNode = pair.key as Node;
      const key = String(isScalar(keyNode) ? keyNode.value : keyNode);
      if (spec.keys === "payload_type") {
        const pt = Number(key);
        if (!Number.isInteger(pt) || pt < 0 || pt > 127) {
          this.bad(`${path} key`, keyNode, "a payload type 0-127", key);
          continue;
        }
      }
      out[key] = this.value(spec.of, pair.value as Node, `${path}.${key}`);
    }
    return out;
  }
}

/** The built-in defaults (the seed's table). */
export function defaultConfig(): Config {
  return defaults(SCHEMA) as Config;
}

/**
 * Parses and validates YAML text. Throws ConfigError listing every problem with its
 * key and line; `source` names the file in the message. With `files`, the SDP files the
 * config names are read and checked too (loadConfig: --check-config, start-up, reload).
 */
export function parseConfig(
  text: string,
  source = "<config>",
  opts: { files?: FileChecks } = {},
): Config {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const p = e.linePos?.[0];
        return `YAML syntax: ${e.message.split("\n")[0]}${
          p ? ` (line ${p.line}, column ${p.col})` : ""
        }`;
      }),
      source,
    );
  }
  const w = new Walker(lc, opts.files);
  const root = doc.contents as Node | null;
  const cfg = w.obj(SCHEMA as Spec & { t: "obj" }, root, "") as Config;
  crossCheck(cfg, w.issues);
  if (w.issues.length) throw new ConfigError(w.issues, source);
  return cfg;
}

function crossCheck(cfg: Config, issues: string[]): void {
  const ing = cfg.ingestion;
  const owner = new Map<number, string>();
  for (const s of cfg.rtp.streams) {
    // the schema reads `ssrc` as a list; `ssrc` stays the first (or -1) for lookups by one
    s.ssrcs = s.ssrc as unknown as number[];
    s.ssrc = s.ssrcs[0] ?? -1;
    for (const x of s.ssrcs) {
      const o = owner.get(x);
      if (o !== undefined && o !== s.name) {
        issues.push(`rtp.streams: ssrc ${x} is listed by both ${o} and ${s.name}`);
      }
      owner.set(x, s.name);
    }
  }
  if (ing.memory.perStreamLimit > ing.memory.globalLimit) {
    issues.push("ingestion.memory.per_stream_limit must not exceed ingestion.memory.global_limit");
  }
  if (ing.srtPort === ing.rtpPort || ing.srtPort === ing.rtpPort + 1) {
    issues.push(`ingestion.srt_port ${ing.srtPort} collides with rtp_port/rtp_port+1`);
  }
  for (const [id, s] of Object.entries(cfg.srt.streams)) {
    const p = s.passphrase;
    if (p && (p.length < 10 || p.length > 79)) {
      issues.push(`srt.streams.${id}.passphrase must be 10-79 characters (SRT rule)`);
    }
  }
  const p = cfg.srt.passphrase;
  if (p && (p.length < 10 || p.length > 79)) {
    issues.push("srt.passphrase must be 10-79 characters (SRT rule)");
  }
  if (!cfg.api.tls.cert !== !cfg.api.tls.key) {
    issues.push("api.tls needs both cert and key (PEM file paths) or neither");
  }
  const names = new Set<string>();
  cfg.outputs.forEach((o, i) => {
    if (o.name && !/^[A-Za-z0-9_.-]{1,64}$/.test(o.name)) {
      issues.push(
        `outputs[${i}].name must be 1-64 of A-Z a-z 0-9 _ . -, got ${JSON.stringify(o.name)}`,
      );
    }
    if (names.has(o.name)) {
      issues.push(`outputs[${i}].name ${JSON.stringify(o.name)} is used twice`);
    }
    names.add(o.name);
    if (o.retry.max < o.retry.initial) {
      issues.push(`outputs[${i}].retry.max must be >= retry.initial`);
    }
  });
  for (const t of cfg.api.tokens) {
    if (t.length < 8) issues.push("api.tokens entries must be at least 8 characters");
  }
  checkNats(cfg.nats, issues);
}

/**
 * Reads and parses a config file; throws ConfigError (also for an unreadable file).
 * `files` checks the files it names (lib/app/config_files.ts passes the SDP parser).
 */
export async function loadConfig(path: string, files?: FileChecks): Promise<Config> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new ConfigError([`cannot read file: ${(e as Error).message}`], path);
  }
  return parseConfig(text, path, { files });
}
