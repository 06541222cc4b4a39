/**
 * Writes the reasons table (lib/core/reasons/doc.ts, from the catalogue in
 * lib/core/reasons/catalogue.ts) into README.md between its markers. Run `deno task reasons`
 * after changing the catalogue; tests/unit/reasons_test.ts fails until README and catalogue agree.
 */
import { writeReadmeSection } from "../lib/core/doc_table.ts";
import { REASONS_END, REASONS_START, reasonsTable } from "../lib/core/reasons/doc.ts";

writeReadmeSection(
  new URL("../README.md", import.meta.url),
  REASONS_START,
  REASONS_END,
  reasonsTable(),
  "reasons table",
);
