/**
 * Writes the reasons table (lib/core/reasons_doc.ts, from the catalogue in lib/core/reasons.ts) into
 * README.md between its markers. Run `deno task reasons` after changing the catalogue;
 * tests/unit/reasons_test.ts fails until README and catalogue agree.
 */
import { REASONS_END, REASONS_START, withReasonsTable } from "../lib/core/reasons_doc.ts";

const path = new URL("../README.md", import.meta.url);
const before = Deno.readTextFileSync(path);
const after = withReasonsTable(before);
if (after === undefined) {
  console.error(`README.md has no ${REASONS_START} ... ${REASONS_END} markers`);
  Deno.exit(1);
}
if (after !== before) Deno.writeTextFileSync(path, after);
console.log(
  after === before ? "README.md reasons table up to date" : "README.md reasons table written",
);
