/**
 * The import graph of the program (lib/, routes/, ffi/, main.ts, mod.ts): no cycles, and
 * every import points down the layer order below (docs/ARCHITECTURE.md draws it). A file
 * may import its own layer or any layer below; importing a layer above fails this test.
 */
import assert from "node:assert/strict";
import { importGraph, layerOf, LAYERS } from "@tests/support/import_graph.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("import graph: every program file belongs to a layer", () => {
  const graph = importGraph(ROOT);
  assert.deepEqual([...graph.keys()].filter((f) => layerOf(f) < 0), []);
});

Deno.test("import graph: no import points up the layer order", () => {
  const up: string[] = [];
  for (const [file, deps] of importGraph(ROOT)) {
    for (const d of deps) {
      if (layerOf(d) > layerOf(file)) {
        up.push(`${file} (${LAYERS[layerOf(file)].name}) -> ${d} (${LAYERS[layerOf(d)].name})`);
      }
    }
  }
  assert.deepEqual(up, []);
});

Deno.test("import graph: no cycles", () => {
  assert.deepEqual(cycles(importGraph(ROOT)), []);
});

/** Every strongly connected component of more than one file (Tarjan), as "a -> b -> a". */
function cycles(graph: Map<string, string[]>): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      on.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1) out.push(scc.sort().join(" <-> "));
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out.sort();
}
