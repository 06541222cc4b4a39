/**
 * The process clock (lib/core/ticker.ts): one timer at the shortest registered period, each
 * callback due by time from its registration (so periods that are not multiples of the
 * timer's still average right), a stall runs a step once rather than in a burst, `lateMs`
 * says how late a wake-up came, a cancelled callback no longer runs (nor one cancelled by
 * another in the same tick), a throwing callback is reported and the others still run, the
 * timer exists only while something is registered, and `repeatWhile` (the SRT read loop's
 * busy phase) stops, rejects and changes period as it says.
 */
import assert from "node:assert/strict";
import { Ticker } from "@lib/core/ticker.ts";

/** A ticker on a hand-moved clock; `at(ms)` runs a wake-up then. */
function manual() {
  let now = 0;
  const t = new Ticker(() => now);
  return {
    t,
    at(ms: number) {
      now = ms;
      t.tick(ms);
    },
  };
}

Deno.test("ticker: one timer at the shortest period; each callback due by time", () => {
  const { t, at } = manual();
  const runs: Record<string, number[]> = { a: [], b: [], c: [] };
  let now = 0;
  const a = t.every(100, () => runs.a.push(now));
  const b = t.every(250, () => runs.b.push(now));
  assert.equal(t.periodMs, 100, "the timer runs at the shortest period");
  for (let ms = 100; ms <= 1000; ms += 100) at(now = ms);
  assert.equal(runs.a.length, 10);
  // due at 250, 500, 750, 1000: each on the first wake-up from half a period before
  assert.deepEqual(runs.b, [200, 500, 700, 1000]);
  const c = t.every(10, () => runs.c.push(now));
  assert.equal(t.periodMs, 10, "a faster callback speeds the one timer up");
  for (let ms = 1010; ms <= 1100; ms += 10) at(now = ms);
  assert.equal(runs.c.length, 10);
  assert.deepEqual(runs.a.slice(10), [1100], "the 100 ms step rides the 10 ms wake-ups");
  c();
  assert.equal(t.periodMs, 100, "and slows down again without it");
  a();
  b();
  assert.equal(t.size, 0);
  assert.equal(t.periodMs, 0, "the timer is gone with the last callback");
});

Deno.test("ticker: a stall runs a step once, and lateMs measures it", () => {
  const { t, at } = manual();
  let n = 0;
  const a = t.every(100, () => n++);
  at(100);
  assert.equal(t.lateMs, 0);
  at(1000); // 800 ms late
  assert.equal(n, 2, "once after the stall, not once per missed period");
  assert.equal(t.lateMs, 800);
  at(1100);
  assert.equal(n, 3, "then at its period again");
  assert.equal(t.lateMs, 0);
  a();
});

Deno.test("ticker: cancelled in the same tick does not run; a throw is reported, the rest run", () => {
  const { t, at } = manual();
  const reported: unknown[] = [];
  const onError = (e: ErrorEvent) => {
    e.preventDefault();
    reported.push(e.error);
  };
  globalThis.addEventListener("error", onError);
  try {
    let later = 0, after = 0;
    const cancelLater = () => stopLater();
    const first = t.every(250, () => {
      cancelLater();
      throw new Error("boom");
    });
    const stopLater = t.every(250, () => later++);
    const third = t.every(250, () => after++);
    at(250);
    assert.equal(later, 0, "cancelled by an earlier callback of the same tick");
    assert.equal(after, 1, "ran after the throwing callback");
    assert.equal(reported.length, 1);
    assert.match(String(reported[0]), /boom/);
    first();
    third();
    assert.equal(t.size, 0);
  } finally {
    globalThis.removeEventListener("error", onError);
  }
});

Deno.test("ticker: repeatWhile runs until the step returns false, on the shared timer", async () => {
  const t = new Ticker();
  let slow = 0, n = 0;
  const stopSlow = t.every(1000, () => slow++);
  await t.repeatWhile(() => 1, () => {
    assert.equal(t.periodMs, 1, "the one timer runs at the step's period");
    return ++n < 5;
  });
  assert.equal(n, 5);
  assert.equal(t.periodMs, 1000, "back to the slower period once the step is done");
  stopSlow();
  assert.equal(t.periodMs, 0);
});

Deno.test("ticker: a throwing repeatWhile step rejects with its error and stops", async () => {
  const t = new Ticker();
  let n = 0;
  await assert.rejects(
    t.repeatWhile(() => 1, () => {
      if (++n === 3) throw new Error("boom");
      return true;
    }),
    /boom/,
  );
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(n, 3, "no call after the throw");
  assert.equal(t.size, 0);
});

Deno.test("ticker: repeatWhile reads the period after each step, a change re-arms the timer", async () => {
  const armed: number[] = [];
  const real = globalThis.setInterval;
  globalThis.setInterval = ((fn: () => void, ms: number) => {
    armed.push(ms);
    return real(fn, ms);
  }) as typeof setInterval;
  try {
    const t = new Ticker();
    let period = 20;
    let n = 0;
    await t.repeatWhile(() => period, () => {
      period = n < 2 ? 1 : 3; // 20 -> 1 after the first step, 1 -> 3 after the third
      return ++n < 6;
    });
    assert.deepEqual(armed, [20, 1, 3], "armed once per distinct period, in order");
  } finally {
    globalThis.setInterval = real;
  }
});
