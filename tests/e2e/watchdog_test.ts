/**
 * The event-loop watchdog (lib/app/watchdog/) in a real child process: a JS thread blocked
 * past the stall limit ends the process with exit code 70 and one `watchdog.stalled` line;
 * a process whose loop runs is left alone and exits by itself once the watchdog stops.
 */
import assert from "node:assert/strict";
import { STALL_EXIT_CODE } from "@lib/app/watchdog/watchdog.ts";

const CHILD = new URL("../support/watchdog_child.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

async function runChild(mode: "stall" | "ok") {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--config", CONFIG, "--allow-read", "--allow-ffi", CHILD, mode],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  try {
    const out = await child.output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  } finally {
    clearTimeout(killer);
  }
}

Deno.test("watchdog: a JS thread stuck past the limit ends the process with exit code 70", async () => {
  const r = await runChild("stall");
  assert.equal(r.code, STALL_EXIT_CODE, r.stderr);
  const line = r.stderr.split("\n").find((l) => l.includes("watchdog.stalled"));
  assert.ok(line, r.stderr);
  const j = JSON.parse(line!);
  assert.ok(j.stalledMs >= 1500, line);
  assert.ok(!r.stderr.includes("not stopped by the watchdog"));
});

Deno.test("watchdog: a running event loop is left alone; the process exits once it stops", async () => {
  const r = await runChild("ok");
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.stderr.includes("watchdog.stalled"), r.stderr);
});
