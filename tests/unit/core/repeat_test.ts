/**
 * repeatWhile: the step runs until it says stop (the promise resolves, no timer is left:
 * Deno's test sanitizer fails a test that leaks one), a throwing step rejects with its
 * error, and a period change re-arms the timer at the new period after the step.
 */
import assert from "node:assert/strict";
import { repeatWhile } from "@lib/core/repeat.ts";

Deno.test("repeatWhile: runs until the step returns false", async () => {
  let n = 0;
  await repeatWhile(() => 1, () => ++n < 5);
  assert.equal(n, 5);
});

Deno.test("repeatWhile: a throwing step rejects with its error and stops", async () => {
  let n = 0;
  await assert.rejects(
    repeatWhile(() => 1, () => {
      if (++n === 3) throw new Error("boom");
      return true;
    }),
    /boom/,
  );
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(n, 3, "no call after the throw");
});

Deno.test("repeatWhile: the period is read after each step, a change re-arms the timer", async () => {
  const armed: number[] = [];
  const real = globalThis.setInterval;
  globalThis.setInterval = ((fn: () => void, ms: number) => {
    armed.push(ms);
    return real(fn, ms);
  }) as typeof setInterval;
  try {
    let period = 20;
    let n = 0;
    await repeatWhile(() => period, () => {
      period = n < 2 ? 1 : 3; // 20 -> 1 after the first step, 1 -> 3 after the third
      return ++n < 6;
    });
    assert.deepEqual(armed, [20, 1, 3], "armed once per distinct period, in order");
  } finally {
    globalThis.setInterval = real;
  }
});
