/**
 * Walks a parsed YAML document against the schema (lib/config/schema.ts), building the
 * Config value by value. Each problem is collected in `issues` naming the key, what was
 * expected, what was found and its line and column; unknown keys get a "did you mean".
 * Sizes become bytes and durations milliseconds. Used by lib/config/load.ts.
 */
import { isMap, isScalar, isSeq, type LineCounter } from "yaml";
import type { Node } from "yaml";
import { apiHostProblem, checkString, type FileChecks } from "./checks.ts";
import { camel, defaults } from "./defaults.ts";
import { nearest } from "./did_you_mean.ts";
import { parseTarget, redactUrl } from "./output_url.ts";
import type { Spec } from "./schema/spec.ts";
import { parseBytes, parseDuration } from "./units.ts";

/** Checks YAML nodes against specs; every problem found is pushed to `issues`. */
export class Walker {
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
