/**
 * Writes the metrics reference (lib/core/metrics/doc.ts, from the catalogue in
 * lib/core/metrics/families.ts) into README.md between its markers. Run `deno task metrics`
 * after changing the catalogue; tests/unit/core/metrics/families_test.ts fails until README and
 * catalogue agree.
 */
import { writeReadmeSection } from "../lib/core/doc_table.ts";
import { METRICS_END, METRICS_START, metricsTable } from "../lib/core/metrics/doc.ts";

writeReadmeSection(
  new URL("../README.md", import.meta.url),
  METRICS_START,
  METRICS_END,
  metricsTable(),
  "metrics reference",
);
