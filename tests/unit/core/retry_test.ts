import assert from "node:assert/strict";
import { Backoff, Breaker } from "@lib/core/retry.ts";

Deno.test("backoff: doubles from initial to max with equal jitter, resets on success", () => {
  const lo = new Backoff({ initialMs: 500, maxMs: 30_000, multiplier: 2 }, () => 0);
  assert.deepEqual([1, 2, 3, 4].map(() => lo.fail()), [250, 500, 1000, 2000]);
  const hi = new Backoff({ initialMs: 500, maxMs: 30_000, multiplier: 2 }, () => 1);
  const seq = Array.from({ length: 10 }, () => hi.fail());
  assert.deepEqual(seq.slice(0, 4), [500, 1000, 2000, 4000]);
  assert.equal(seq[9], 30_000);
  hi.reset();
  assert.equal(hi.fail(), 500);
});

Deno.test("breaker: opens after N failures, half-opens after the cooldown, one attempt decides", () => {
  const b = new Breaker({ failures: 3, cooldownMs: 1000 });
  assert.equal(b.failure(0), false);
  assert.equal(b.failure(10), false);
  assert.equal(b.failure(20), true);
  assert.equal(b.state, "open");
  assert.equal(b.allow(500), false);
  assert.equal(b.allow(1020), true);
  assert.equal(b.state, "half-open");
  assert.equal(b.failure(1030), true);
  assert.equal(b.state, "open");
  assert.equal(b.opened, 2); // the failed half-open attempt opened it again
  assert.equal(b.allow(2029), false);
  assert.equal(b.allow(2030), true);
  b.success();
  assert.equal(b.state, "closed");
  assert.equal(b.failures, 0);
});
