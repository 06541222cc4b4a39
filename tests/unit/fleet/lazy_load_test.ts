/**
 * Without a `nats:` section no fleet code is loaded: lib/app/server.ts reaches lib/fleet/ and
 * the NATS client only through one dynamic import, taken only when the config has `nats:`.
 * Checked on the real module graph (`deno info --json main.ts`): without that one edge,
 * nothing under lib/fleet/ and no npm:nats is reachable from main.ts.
 */
import assert from "node:assert/strict";

interface Dep {
  code?: { specifier: string };
  isDynamic?: boolean;
}
interface Info {
  roots: string[];
  modules: { specifier: string; dependencies?: Dep[] }[];
}

Deno.test("fleet is lazy: main.ts reaches lib/fleet/ and npm:nats only through the server's dynamic import", async () => {
  const main = new URL("../../../main.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", main],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const info: Info = JSON.parse(new TextDecoder().decode(out.stdout));
  const deps = new Map(info.modules.map((m) => [m.specifier, m.dependencies ?? []]));
  const seen = new Set<string>();
  const stack = [...info.roots];
  let dynamicFleet = false;
  while (stack.length) {
    const m = stack.pop()!;
    if (seen.has(m)) continue;
    seen.add(m);
    for (const d of deps.get(m) ?? []) {
      if (!d.code) continue; // type-only
      if (d.isDynamic && d.code.specifier.endsWith("/lib/fleet/mod.ts")) {
        dynamicFleet = m.endsWith("/lib/app/server.ts");
        continue;
      }
      stack.push(d.code.specifier); // static imports and main.ts's other lazy imports
    }
  }
  const loaded = [...seen].filter((s) => s.includes("/lib/fleet/") || s.startsWith("npm:nats"));
  assert.deepEqual(loaded, []);
  assert.ok(dynamicFleet, "lib/app/server.ts imports lib/fleet/mod.ts dynamically");
  assert.ok(seen.size > 50, "the static graph was walked");
});
