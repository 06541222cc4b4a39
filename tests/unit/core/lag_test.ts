/** LagMonitor's percentile: nearest rank over the last LAG_WINDOW_SAMPLES samples. */
import assert from "node:assert/strict";
import { LAG_WINDOW_SAMPLES, LagMonitor } from "@lib/core/metrics/event_loop.ts";

Deno.test("lag monitor: p99 is the nearest-rank 99th percentile of the window", () => {
  const m = new LagMonitor();
  assert.equal(m.p99Ms(), 0);
  for (let i = 1; i <= 200; i++) m.record(i); // 1..200 ms
  assert.equal(m.p99Ms(), 198, "rank ceil(0.99 * 200) = 198");
  // Older samples leave the window: after a full window of 1 ms the percentile is 1.
  for (let i = 0; i < LAG_WINDOW_SAMPLES; i++) m.record(1);
  assert.equal(m.p99Ms(), 1);
  m.record(50);
  assert.equal(m.lastMs, 50);
  assert.equal(m.p99Ms(), 1, "one stall in 600 samples is under the 99th percentile");
  for (let i = 0; i < 6; i++) m.record(40);
  assert.equal(m.p99Ms(), 40);
});

Deno.test("lag monitor: samples how late the process clock woke, on that clock", async () => {
  const { Ticker } = await import("@lib/core/ticker.ts");
  let now = 0;
  const clock = new Ticker(() => now);
  const fast = clock.every(10, () => {}); // the SRT read loop, say: the clock runs at 10 ms
  const m = new LagMonitor();
  m.start(100, clock);
  assert.equal(clock.periodMs, 10, "no timer of its own: it rides the 10 ms wake-ups");
  for (now = 10; now <= 100; now += 10) clock.tick(now);
  assert.equal(m.lastMs, 0, "on time");
  now = 235; // the loop was busy: this wake-up came 125 ms after its 10 ms period
  clock.tick(now);
  assert.equal(m.lastMs, 125);
  m.stop();
  fast();
  assert.equal(clock.size, 0);
});
