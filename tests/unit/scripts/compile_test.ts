import assert from "node:assert/strict";
import { compileArgs, startFlags } from "../../../scripts/compile.ts";

const denoJson = JSON.parse(
  Deno.readTextFileSync(new URL("../../../deno.json", import.meta.url)),
);

Deno.test("compile: the binary gets exactly the start task's permissions", () => {
  const flags = startFlags(denoJson);
  assert.ok(flags.includes("--allow-ffi"));
  assert.ok(flags.includes("--unstable-net"));
  assert.ok(flags.some((f) => f.startsWith("--allow-env=") && f.includes("SLUICE_CONFIG")));
  assert.ok(!flags.includes("--allow-all") && !flags.includes("-A"), "no blanket permissions");
  const args = compileArgs(flags, "x86_64-pc-windows-msvc", "1.2.3");
  assert.deepEqual(args.slice(0, 1 + flags.length), ["compile", ...flags]);
  assert.equal(args[args.indexOf("--output") + 1], "dist/sluice-1.2.3-x86_64-pc-windows-msvc.exe");
  assert.equal(args.at(-1), "main.ts");
  assert.equal(args[args.indexOf("--include") + 1], "ui", "the dashboard's files are embedded");
});
