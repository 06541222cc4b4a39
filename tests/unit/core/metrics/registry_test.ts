/**
 * The registry (lib/core/metrics/registry.ts) and histogram (histogram.ts): buckets are
 * cumulative with +Inf equal to `_count`, quantiles match PromQL's histogram_quantile on
 * hand-computed cases, label values are escaped so promtool parses them back, a series
 * emitted twice is written once, and the process collector reads /proc as `ps` does.
 */
import assert from "node:assert/strict";
import { Histogram, quantileOf } from "@lib/core/metrics/histogram.ts";
import { Registry } from "@lib/core/metrics/registry.ts";
import { collectProcess, parseStat } from "@lib/core/metrics/process.ts";
import { missing } from "@tests/_helpers.ts";
import { parseExposition, promtoolCheck, select } from "@tests/support/exposition.ts";

Deno.test("histogram: cumulative buckets, sum, count and bounds inclusive", () => {
  const h = new Histogram([0.001, 0.01, 0.1]);
  for (const v of [0.0005, 0.001, 0.002, 0.05, 0.5, NaN]) h.observe(v);
  assert.deepEqual(h.cumulative(), [2, 3, 4, 5]); // le is inclusive: 0.001 in the first
  assert.equal(h.count, 5);
  assert.ok(Math.abs(h.sum - 0.5535) < 1e-12);
});

Deno.test("histogram: quantiles interpolate as histogram_quantile()", () => {
  // 10 in (0, 1], 10 in (1, 2]: the median is the first bucket's top, p75 halfway the second
  assert.equal(quantileOf([1, 2], [10, 20, 20], 0.5), 1);
  assert.equal(quantileOf([1, 2], [10, 20, 20], 0.75), 1.5);
  // in +Inf: the highest finite bound
  assert.equal(quantileOf([1, 2], [0, 0, 4], 0.99), 2);
  assert.ok(Number.isNaN(quantileOf([1, 2], [0, 0, 0], 0.5)));
  const h = new Histogram([0.001, 0.002]);
  for (let i = 0; i < 100; i++) h.observe(0.0015);
  assert.equal(h.quantile(0.5), 0.0015);
});

Deno.test("registry: families in catalogue order, each header once, histograms complete", () => {
  const reg = new Registry();
  const lat = reg.histogram("sluice_frame_latency_seconds");
  lat.observe({ protocol: "rtp", codec: "h264" }, 0.0003);
  lat.observe({ protocol: "rtp", codec: "h264" }, 0.2);
  const text = reg.render((emit) => {
    emit("sluice_stream_packets_total", { stream: "b", protocol: "rtp" }, 2);
    emit("sluice_streams_live", {}, 1);
    emit("sluice_stream_packets_total", { stream: "a", protocol: "srt" }, 1);
  });
  const lines = text.trimEnd().split("\n");
  assert.equal(lines.filter((l) => l === "# TYPE sluice_stream_packets_total counter").length, 1);
  assert.ok(text.indexOf("sluice_streams_live") < text.indexOf("sluice_stream_packets_total"));
  const s = parseExposition(text);
  const buckets = select(s, "sluice_frame_latency_seconds_bucket").map((x) => x.value);
  assert.equal(buckets.length, 13);
  assert.deepEqual(buckets.slice(-4), [1, 1, 1, 2]); // 0.2 s only in +Inf
  assert.equal(select(s, "sluice_frame_latency_seconds_count")[0].value, 2);
  assert.equal(select(s, "sluice_frame_latency_seconds_bucket", { le: "+Inf" })[0].value, 2);
});

Deno.test("registry: a series emitted twice is written once and counted", () => {
  const reg = new Registry();
  const text = reg.render((emit) => {
    emit("sluice_streams_live", {}, 1);
    emit("sluice_streams_live", {}, 2);
  });
  assert.equal(select(parseExposition(text), "sluice_streams_live").length, 1);
  assert.equal(reg.duplicates, 1);
});

Deno.test("registry: scalar instruments count, set and drop by label", () => {
  const reg = new Registry();
  const c = reg.scalar("sluice_stream_errors_total");
  c.inc({ stream: "a", protocol: "rtp", reason: "rtp_version" });
  c.inc({ stream: "a", protocol: "rtp", reason: "rtp_version" }, 2);
  c.inc({ stream: "b", protocol: "rtp", reason: "rtp_version" });
  assert.equal(c.get({ stream: "a", protocol: "rtp", reason: "rtp_version" }), 3);
  c.remove({ stream: "a" });
  const s = parseExposition(reg.render());
  assert.deepEqual(select(s, "sluice_stream_errors_total").map((x) => x.labels.stream), ["b"]);
});

Deno.test({
  name: "registry: hostile label values are escaped and promtool reads them back",
  ignore: missing("promtool"),
  fn: async () => {
    const reg = new Registry();
    const odd = 'a"b\\c\nd}e,f="g"';
    const text = reg.render((emit) => emit("sluice_rtp_ssrc_info", { stream: odd, ssrc: 1 }, 1));
    const r = await promtoolCheck(text);
    assert.deepEqual(r.problems, []);
    assert.equal(select(parseExposition(text), "sluice_rtp_ssrc_info")[0].labels.stream, odd);
  },
});

Deno.test("process collector: CPU, memory, fds and start time from /proc", () => {
  if (Deno.build.os !== "linux") return;
  const got = new Map<string, number>();
  collectProcess((name, _l, v) => got.set(name, v));
  // oracle for the fd count: the directory listing the kernel gives this test
  const fds = [...Deno.readDirSync("/proc/self/fd")].length - 1;
  assert.ok(Math.abs(got.get("process_open_fds")! - fds) <= 2);
  assert.ok(got.get("process_max_fds")! > 0);
  assert.ok(got.get("process_resident_memory_bytes")! > 1e6);
  assert.ok(got.get("process_virtual_memory_bytes")! >= got.get("process_resident_memory_bytes")!);
  const start = got.get("process_start_time_seconds")!;
  const now = Date.now() / 1000;
  assert.ok(start <= now + 1 && start > now - 3600, `start ${start} vs now ${now}`);
  assert.ok(got.get("process_cpu_seconds_total")! > 0);
  assert.deepEqual(parseStat("1 (a b) S 0 1")?.slice(0, 2), ["S", "0"]);
});
