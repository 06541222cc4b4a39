/**
 * bench/scale/histogram.ts against histogram_quantile()'s definition: series of two label
 * sets summed per `le`, linear interpolation inside the bucket holding the rank, the +Inf
 * bucket answering its lower bound, null without observations.
 */
import assert from "node:assert/strict";
import { histogramQuantile } from "../../../bench/scale/histogram.ts";

const text = (a: number[], b: number[]) =>
  ["0.005", "0.01", "0.05", "+Inf"].flatMap((le, i) => [
    `h_seconds_bucket{protocol="srt",le="${le}"} ${a[i]}`,
    `h_seconds_bucket{codec="h264",le="${le}",protocol="rtp"} ${b[i]}`,
  ]).concat(["h_seconds_sum 1", "h_seconds_count 200", 'other_bucket{le="1"} 99']).join("\n");

Deno.test("histogram quantile: summed per le, interpolated in the bucket of the rank", () => {
  // summed: le 0.005 -> 20, 0.01 -> 100, 0.05 -> 200, +Inf -> 200
  const t = text([10, 50, 100, 100], [10, 50, 100, 100]);
  assert.equal(histogramQuantile(t, "h_seconds", 0.1), 0.005); // rank 20: first bucket's top
  assert.ok(Math.abs(histogramQuantile(t, "h_seconds", 0.3)! - 0.0075) < 1e-12); // rank 60: 40 of the 80 in 0.005..0.01
  assert.ok(Math.abs(histogramQuantile(t, "h_seconds", 0.99)! - 0.0492) < 1e-12); // rank 198: 98 of 100 in 0.01..0.05
});

Deno.test("histogram quantile: +Inf answers its lower bound; no observations is null", () => {
  assert.equal(histogramQuantile(text([0, 0, 10, 20], [0, 0, 0, 0]), "h_seconds", 0.99), 0.05);
  assert.equal(histogramQuantile(text([0, 0, 0, 0], [0, 0, 0, 0]), "h_seconds", 0.5), null);
  assert.equal(histogramQuantile("", "h_seconds", 0.5), null);
});
