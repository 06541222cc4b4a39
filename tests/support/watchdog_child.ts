/**
 * Child process of tests/e2e/watchdog_test.ts: starts the watchdog with a 1.5 s stall
 * limit, then either blocks its JS thread for 10 s (argument "stall": the watchdog must end
 * it with exit code 70) or keeps its event loop running for 3 s and stops the watchdog
 * (argument "ok": it must exit 0 by itself).
 */
import { startWatchdog } from "@lib/app/watchdog/watchdog.ts";

const w = startWatchdog(1500);
if (!w.ok) {
  console.error(`no watchdog: ${w.reason}`);
  Deno.exit(3);
}
await new Promise((r) => setTimeout(r, 500)); // let the worker take its first reading
if (Deno.args[0] === "stall") {
  const end = performance.now() + 10_000;
  while (performance.now() < end) { /* the JS thread is stuck, as in a hung FFI call */ }
  console.error("not stopped by the watchdog");
  Deno.exit(4);
} else {
  await new Promise((r) => setTimeout(r, 3000));
  w.value.stop();
}
