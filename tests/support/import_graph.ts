/**
 * Reads the program's import graph from source text: the layer order of the house
 * (docs/ARCHITECTURE.md) and, for every .ts file under lib/, routes/ and ffi/ plus main.ts
 * and mod.ts, the program files it imports (static imports, re-exports, dynamic import()).
 * Paths are relative to the repository root. Used by tests/unit/import_graph_test.ts.
 */

/** Layers from the ground up: a file may import its own layer and those below. */
export const LAYERS: readonly { name: string; prefixes: readonly string[] }[] = [
  { name: "core", prefixes: ["lib/core/"] },
  { name: "ffi", prefixes: ["ffi/"] },
  { name: "config", prefixes: ["lib/config/"] },
  { name: "codecs", prefixes: ["lib/codecs/"] },
  { name: "container", prefixes: ["lib/container/"] },
  { name: "transport", prefixes: ["lib/transport/"] },
  { name: "buffer", prefixes: ["lib/buffer/"] },
  { name: "sync", prefixes: ["lib/sync/"] },
  { name: "stream", prefixes: ["lib/stream/"] },
  { name: "pipeline", prefixes: ["lib/pipeline/"] },
  { name: "outputs", prefixes: ["lib/outputs/"] },
  { name: "fleet", prefixes: ["lib/fleet/"] },
  { name: "api", prefixes: ["routes/"] },
  { name: "app", prefixes: ["lib/app/", "main.ts", "mod.ts"] },
];

/** Index into LAYERS of a repository path, -1 when it belongs to none. */
export function layerOf(path: string): number {
  return LAYERS.findIndex((l) => l.prefixes.some((p) => path === p || path.startsWith(p)));
}

const PROGRAM_DIRS = ["lib", "routes", "ffi"];
const PROGRAM_FILES = ["main.ts", "mod.ts"];

/** Relative specifiers of one file's imports: top-level import/export ... from, import(). */
export function importSpecifiers(text: string): string[] {
  const out: string[] = [];
  // Statements start at column 0 (deno fmt) and end at their `from "..."` or bare string.
  const statement = /^(?:import|export)\b[^;]*?(?:from\s*)?"([^"]+)"/gm;
  for (const m of text.matchAll(statement)) out.push(m[1]);
  for (const m of text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)) out.push(m[1]);
  return out.filter((s) => s.startsWith("./") || s.startsWith("../"));
}

function normalize(parts: string[]): string {
  const out: string[] = [];
  for (const p of parts) {
    if (p === "..") out.pop();
    else if (p !== "." && p !== "") out.push(p);
  }
  return out.join("/");
}

/** Resolves `spec` as imported from repository path `from`. */
export function resolveFrom(from: string, spec: string): string {
  const dir = from.split("/").slice(0, -1);
  return normalize([...dir, ...spec.split("/")]);
}

function walk(root: string, dir: string, out: string[]): void {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(`${root}/${dir}`)];
  } catch {
    return;
  }
  for (const e of entries) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) walk(root, p, out);
    else if (e.isFile && p.endsWith(".ts")) out.push(p);
  }
}

/** Program file -> program files it imports (sorted, without duplicates). */
export function importGraph(root: string): Map<string, string[]> {
  const files: string[] = [];
  for (const d of PROGRAM_DIRS) walk(root, d, files);
  for (const f of PROGRAM_FILES) {
    try {
      if (Deno.statSync(`${root}/${f}`).isFile) files.push(f);
    } catch { /* absent */ }
  }
  const graph = new Map<string, string[]>();
  for (const f of files.sort()) {
    const text = Deno.readTextFileSync(`${root}/${f}`);
    const deps = new Set(importSpecifiers(text).map((s) => resolveFrom(f, s)));
    graph.set(f, [...deps].sort());
  }
  return graph;
}
