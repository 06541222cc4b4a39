/**
 * The housekeeping ticker: periods are whole ticks, each callback runs at its own period
 * from its registration, a cancelled callback no longer runs (nor one cancelled by another
 * in the same tick), a throwing callback is reported and the others still run, and the
 * timer exists only while something is registered.
 */
import assert from "node:assert/strict";
import { Ticker } from "@lib/core/ticker.ts";

Deno.test("ticker: each callback at its period in ticks, from its registration", () => {
  const t = new Ticker(250);
  const calls: string[] = [];
  const a = t.every(250, () => calls.push("a"));
  const b = t.every(500, () => calls.push("b"));
  t.tick();
  const c = t.every(1000, () => calls.push("c")); // registered after one tick
  for (let i = 0; i < 5; i++) t.tick();
  // ticks 1..6: a every tick; b at 2, 4, 6; c at 1 + 4 = 5
  assert.deepEqual(calls.filter((x) => x === "a").length, 6);
  assert.deepEqual(calls.filter((x) => x === "b").length, 3);
  assert.deepEqual(calls.filter((x) => x === "c").length, 1);
  assert.equal(calls.indexOf("c"), calls.lastIndexOf("b") - 2, "c ran at tick 5, before b at 6");
  a();
  b();
  c();
  assert.equal(t.size, 0, "the timer is gone with the last callback");
});

Deno.test("ticker: periods round to whole ticks, at least one", () => {
  const t = new Ticker(250);
  let fast = 0, odd = 0;
  const x = t.every(5, () => fast++);
  const y = t.every(600, () => odd++); // 2.4 ticks -> 2
  for (let i = 0; i < 4; i++) t.tick();
  assert.equal(fast, 4);
  assert.equal(odd, 2);
  x();
  y();
});

Deno.test("ticker: cancelled in the same tick does not run; a throw is reported, the rest run", () => {
  const t = new Ticker(250);
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
    t.tick();
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
