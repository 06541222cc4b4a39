/**
 * The drift estimator on synthetic series with known slope, offset and noise: least
 * squares recovers them, the window forgets old samples, outliers (late packets) do not
 * move the fit, a step restarts the window, and memory stays at the sample cap.
 */
import assert from "node:assert/strict";
import fc from "npm:fast-check@^3";
import { DriftEstimator } from "@lib/sync/estimator.ts";
import { median, medianInPlace } from "@lib/sync/least_squares.ts";
import { prng } from "@tests/support/prng.ts";

/**
 * 20 ms samples in which a step is seen: 10 window samples beyond the line (bins of
 * 60 s / 2048 = 29.3 ms, ~15 of these samples) and one 250 ms refresh, as when every
 * refresh was a full fit (measured: 29).
 */
const STEP_SAMPLES_MAX = 30;

/** Gaussian noise (Box-Muller) from a seeded PRNG. */
function gauss(seed: number): () => number {
  const r = prng(seed);
  return () => Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
}

Deno.test("estimator: slope and offset of a clean line", () => {
  const e = new DriftEstimator();
  for (let i = 0; i <= 1500; i++) e.add(i * 20, 40 + i * 20 * 1000e-6);
  const f = e.offset()!;
  assert.ok(Math.abs(f.driftPpm - 1000) < 0.01, `${f.driftPpm}`);
  assert.ok(Math.abs(f.offsetMs - (40 + 30_000 * 1e-3)) < 1e-6, `${f.offsetMs}`);
  assert.ok(f.jitterMs < 1e-6);
});

Deno.test("estimator: 1 ms loopback jitter leaves drift within a few ppm after 30 s", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const n = gauss(seed);
    const e = new DriftEstimator();
    // one sample per 20 ms audio frame for 30 s (several share a bin)
    for (let i = 0; i <= 1500; i++) e.add(i * 20, 5 + -250e-6 * i * 20 + n());
    const f = e.offset()!;
    // least squares: sd(slope) = 1 ms / (30 s * sqrt(1500 / 12)) = 3 ppm
    assert.ok(Math.abs(f.driftPpm + 250) < 10, `seed ${seed}: drift ${f.driftPpm}`);
    assert.ok(Math.abs(f.offsetMs - (5 - 7.5)) < 0.5, `seed ${seed}: offset ${f.offsetMs}`);
  }
});

Deno.test("estimator: late packets (outliers) do not pull the fit", () => {
  const n = gauss(3);
  const r = prng(11);
  const clean = new DriftEstimator();
  const dirty = new DriftEstimator();
  let late = 0;
  for (let i = 0; i <= 2000; i++) {
    const x = i * 20;
    const y = 100 + 500e-6 * x + n();
    clean.add(x, y);
    // 5% of samples arrive 80-300 ms late: their y (media - arrival) is that much lower
    const lag = r() < 0.05 ? 80 + 220 * r() : 0;
    if (lag) late++;
    dirty.add(x + lag, y - lag);
  }
  assert.ok(late > 50);
  const a = clean.offset()!, b = dirty.offset()!;
  assert.ok(Math.abs(b.driftPpm - 500) < 15, `dirty drift ${b.driftPpm}`);
  assert.ok(Math.abs(b.offsetMs - a.offsetMs) < 1, `${b.offsetMs} vs ${a.offsetMs}`);
  assert.ok(b.samples < dirty.size, "outliers excluded from the fit");
  // late samples averaged into a bin with on-time ones widen the spread a little
  assert.ok(b.jitterMs < 4, `jitter ${b.jitterMs}`);
});

Deno.test("estimator: the window forgets; memory capped; reset", () => {
  const e = new DriftEstimator({ windowMs: 10_000, maxSamples: 256 });
  // 20 s at +2000 ppm, then 20 s flat: only the flat part is in the window
  let y = 0;
  for (let i = 0; i <= 4000; i++) {
    const x = i * 10;
    if (x <= 20_000) y = 2000e-6 * x;
    e.add(x, y);
  }
  const f = e.offset()!;
  assert.ok(Math.abs(f.driftPpm) < 1, `${f.driftPpm}`);
  assert.ok(f.spanMs <= 10_000);
  assert.ok(e.size <= 256);
  e.reset();
  assert.equal(e.size, 0);
  assert.equal(e.fit(), undefined);
});

Deno.test("estimator: a step restarts the window at the step", () => {
  const n = gauss(5);
  const e = new DriftEstimator();
  for (let i = 0; i < 1000; i++) e.add(i * 20, n());
  assert.ok(Math.abs(e.offset()!.offsetMs) < 1);
  for (let i = 1000; i < 1060; i++) e.add(i * 20, 200 + n());
  const f = e.offset()!;
  assert.ok(Math.abs(f.offsetMs - 200) < 2, `offset after step ${f.offsetMs}`);
  assert.ok(e.steps >= 1);
  assert.ok(f.spanMs < 2000);
});

Deno.test("estimator: between full fits the offset follows the last line; a step refits at once", () => {
  const e = new DriftEstimator();
  // 60 s at +100 ppm, exact: refits every ~3.75 s, the refreshes between extrapolate
  let full = 0;
  let lastDrift = NaN;
  for (let i = 0; i <= 3000; i++) {
    // a noiseless line refits to the same drift: count refits by a wobble in y instead
    e.add(i * 20, 10 + 100e-6 * i * 20 + (i % 2) * 1e-9);
    const d = e.offset()?.driftPpm;
    if (d !== undefined && d !== lastDrift) full++;
    lastDrift = d ?? NaN;
  }
  const f = e.offset()!;
  // 240 refreshes of 250 ms; full fits every 250 ms up to a 4 s span, then 1/16 of it
  assert.ok(full > 10 && full < 60, `${full} full fits`);
  assert.ok(f.x > 59_700, `${f.x}`);
  assert.ok(Math.abs(f.offsetMs - (10 + 100e-6 * f.x)) < 1e-6, `${f.offsetMs} at ${f.x}`);
  assert.ok(Math.abs(f.driftPpm - 100) < 0.01, `${f.driftPpm}`);
  // a +50 ms step: found within the next refreshes (not a full refit interval later)
  let at = -1;
  for (let i = 3001; i <= 3100 && at < 0; i++) {
    e.add(i * 20, 60 + 100e-6 * i * 20);
    e.offset(); // as StreamSync asks, once per frame
    if (e.steps > 0) at = i;
  }
  assert.ok(at > 0 && at - 3000 <= STEP_SAMPLES_MAX, `step found after ${at - 3000} samples`);
  for (let i = at + 1; i <= at + 50; i++) e.add(i * 20, 60 + 100e-6 * i * 20);
  const g = e.offset()!;
  assert.ok(Math.abs(g.offsetMs - (60 + 100e-6 * g.x)) < 1, `offset ${g.offsetMs} at ${g.x}`);
});

Deno.test("estimator: not measurable before enough samples and span; bad input ignored", () => {
  const e = new DriftEstimator();
  e.add(0, 1);
  e.add(100, 1);
  assert.equal(e.offset(), undefined);
  e.add(NaN, 1);
  e.add(200, Infinity);
  e.add(50, 1); // backwards
  assert.equal(e.size, 2);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([]), 0);
});

Deno.test("medianInPlace: the middle of the sorted list, for any list (duplicates, even and odd lengths)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ noNaN: true })), {
        maxLength: 60,
      }),
      (v) => {
        const s = [...v].sort((a, b) => a - b);
        const m = s.length >> 1;
        const want = s.length === 0 ? 0 : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
        const a = new Float64Array(v.length + 3).fill(99); // slack past n is ignored
        a.set(v);
        // === and not assert.equal: -0 and 0 are the same median (sort keeps either first)
        const got = medianInPlace(a, v.length);
        assert.ok(got === want, `${got} vs ${want}`);
      },
    ),
    { numRuns: 2000 },
  );
});
