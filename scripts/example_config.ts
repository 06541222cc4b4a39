/**
 * Writes sluice.example.yaml: every configuration key with its default and a one-line
 * comment, generated from the schema by lib/config/print.ts. Run after changing
 * lib/config/schema.ts (tests/unit/config/print_test.ts fails until you do):
 *
 *   deno task example-config
 */
import { configYaml } from "../lib/config/print.ts";

/** The file's header comment lines. */
export const EXAMPLE_HEADER = [
  "sluice configuration: every key with its default. Copy it to /etc/sluice/sluice.yaml",
  "and keep only what you change. Sizes: 1048576, 512KB, 1MB, 8GB (powers of 1024);",
  "durations: 250 (ms), 100ms, 5s, 2m. Check a file: sluice --check-config --config FILE.",
  "Generated from lib/config/schema.ts by `deno task example-config`: do not edit by hand.",
];

/** The text of sluice.example.yaml. */
export function exampleConfig(): string {
  return configYaml(undefined, EXAMPLE_HEADER);
}

if (import.meta.main) {
  const out = new URL("../sluice.example.yaml", import.meta.url);
  Deno.writeTextFileSync(out, exampleConfig());
  console.error(`wrote ${out.pathname}`);
}
