/**
 * The SRT listener's read interval (lib/transport/srt/loop_timing.ts wakeMs): with
 * `srt.read_interval: 0` a twelfth of the latency within 2-20 ms, else the configured value.
 */
import assert from "node:assert/strict";
import { MAX_WAKE_MS, MIN_WAKE_MS, wakeMs } from "@lib/transport/srt/loop_timing.ts";

Deno.test("SRT read interval: a twelfth of the latency, bounded; a configured one as given", () => {
  assert.equal(wakeMs(120), 10);
  assert.equal(wakeMs(60), 5);
  assert.equal(wakeMs(20), MIN_WAKE_MS);
  assert.equal(wakeMs(60_000), MAX_WAKE_MS);
  assert.equal(wakeMs(120, 5), 5);
  assert.equal(wakeMs(20, 200), 200);
});
