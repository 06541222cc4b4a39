import assert from "node:assert/strict";
import { RateMeter } from "@lib/core/meter.ts";

Deno.test("meter: rate over 1 s and 10 s windows from whole seconds", () => {
  const m = new RateMeter();
  for (let s = 0; s < 20; s++) m.add(1000, s * 1000 + 500);
  assert.equal(m.rate(20_100, 1), 1000);
  assert.equal(m.rate(20_100, 10), 1000);
  assert.equal(m.total, 20_000);
});

Deno.test("meter: a young meter averages over the seconds it has run", () => {
  const m = new RateMeter();
  m.add(30, 100);
  m.add(30, 1100);
  assert.equal(m.rate(2100, 10), 30, "two seconds of 30, not 60/10");
});

Deno.test("meter: idle seconds count as zero; gaps longer than the window clear it", () => {
  const m = new RateMeter();
  for (let s = 0; s < 10; s++) m.add(100, s * 1000);
  assert.equal(m.rate(15_000, 10), 50, "5 of the last 10 seconds had data");
  assert.equal(m.rate(40_000, 10), 0);
  assert.equal(m.rate(40_000, 1), 0);
});
