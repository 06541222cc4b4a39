/**
 * The metric catalogue (lib/core/metrics/families.ts): every family follows the Prometheus
 * conventions (checked by rule here, and by promtool on one rendered sample of every family),
 * and README's metrics reference matches the catalogue (`deno task metrics`).
 */
import assert from "node:assert/strict";
import { FAMILIES, type FamilyName, type ScalarName } from "@lib/core/metrics/families.ts";
import { metricRows, readMetricsTable, withMetricsTable } from "@lib/core/metrics/doc.ts";
import { Registry } from "@lib/core/metrics/registry.ts";
import { missing } from "@tests/_helpers.ts";
import { parseExposition, promtoolCheck } from "@tests/support/exposition.ts";

const NAMES = Object.keys(FAMILIES) as FamilyName[];
/** Units and abbreviations promtool (promlint) rejects, as name tokens. */
const BANNED = new Set([
  "ms",
  "us",
  "ns",
  "sec",
  "secs",
  "milliseconds",
  "microseconds",
  "nanoseconds",
  "minutes",
  "hours",
  "bits",
  "kb",
  "mb",
  "gb",
  "kbps",
  "mbps",
  "bps",
  "percent",
]);

Deno.test("metric families: names, types, units and labels follow the conventions", () => {
  for (const name of NAMES) {
    const f = FAMILIES[name];
    assert.match(name, /^(sluice|process)_[a-z0-9_]+$/, name);
    assert.ok(!name.includes("__") && !name.endsWith("_"), name);
    for (const t of name.split("_")) assert.ok(!BANNED.has(t), `${name}: unit token ${t}`);
    if (f.type === "counter") assert.ok(name.endsWith("_total"), `${name}: counter without _total`);
    else assert.ok(!name.endsWith("_total"), `${name}: ${f.type} ending in _total`);
    assert.ok(!/_(count|sum|bucket|info_total)$/.test(name), `${name}: reserved suffix`);
    const base = name.replace(/_total$/, "");
    if (f.unit === "seconds" || f.unit === "bytes") {
      assert.ok(base.endsWith(`_${f.unit}`), `${name}: unit ${f.unit} not the name's suffix`);
    }
    if (/_(seconds|bytes)$/.test(base)) {
      assert.equal(f.unit, base.slice(base.lastIndexOf("_") + 1), `${name}: unit`);
    }
    if (name.endsWith("_info")) assert.equal(f.type, "gauge", name);
    assert.ok(f.help.length > 0 && !f.help.includes("\n"), `${name}: help`);
    assert.equal(new Set(f.labels).size, f.labels.length, `${name}: repeated label`);
    for (const l of f.labels) {
      assert.match(l, /^[a-z][a-z0-9_]*$/, `${name}: label ${l}`);
      assert.ok(l !== "le" && l !== "quantile" && !l.startsWith("__"), `${name}: label ${l}`);
    }
    if (f.type === "histogram") {
      const b = f.buckets ?? [];
      assert.ok(b.length > 0, `${name}: no buckets`);
      for (let i = 1; i < b.length; i++) assert.ok(b[i] > b[i - 1], `${name}: buckets ascend`);
    } else assert.equal(f.buckets, undefined, `${name}: buckets on a ${f.type}`);
  }
});

Deno.test("metric families: frame latency buckets span 50 us to 100 ms", () => {
  const b = FAMILIES.sluice_frame_latency_seconds.buckets!;
  assert.equal(b[0], 0.00005);
  assert.equal(b[b.length - 1], 0.1);
  assert.ok(b.includes(0.001), "a bound at the 1 ms goal");
});

Deno.test("metric families: README's metrics reference is the catalogue", () => {
  const readme = Deno.readTextFileSync(new URL("../../../../README.md", import.meta.url));
  assert.ok(withMetricsTable(readme) !== undefined, "README has the metrics markers");
  assert.deepEqual(
    readMetricsTable(readme),
    metricRows(),
    "README.md is stale: run `deno task metrics`",
  );
});

Deno.test({
  name: "metric families: one sample of every family passes promtool check metrics",
  ignore: missing("promtool"),
  fn: async () => {
    const reg = new Registry();
    const text = reg.render((emit) => {
      for (const name of NAMES) {
        const f = FAMILIES[name];
        const labels = Object.fromEntries(f.labels.map((l) => [l, "x"]));
        if (f.type === "histogram") {
          reg.histogram(name as Exclude<FamilyName, ScalarName>).observe(labels as never, 0.001);
        } else emit(name as ScalarName, labels as never, 1);
      }
    });
    const families = new Set(
      parseExposition(text).map((s) => s.name.replace(/_(bucket|sum|count)$/, "")),
    );
    for (const name of NAMES) assert.ok(families.has(name), `${name} rendered`);
    const r = await promtoolCheck(text);
    assert.deepEqual(r.problems, [], r.problems.join("\n"));
    assert.equal(r.code, 0);
  },
});
