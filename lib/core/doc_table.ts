/**
 * Generated Markdown tables in README.md: a table padded the way `deno fmt` pads it, written
 * between two marker comments and read back for the tests that compare README with its
 * source (the reason catalogue, lib/core/reasons/doc.ts; the metric catalogue,
 * lib/core/metrics/doc.ts).
 */

/** The table as Markdown, columns padded the way `deno fmt` pads them. */
export function markdownTable(header: readonly string[], rows: readonly string[][]): string {
  const w = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((x, c) => x.padEnd(w[c])).join(" | ")} |`;
  return [line(header), line(w.map((n) => "-".repeat(n))), ...rows.map(line)].join("\n");
}

/** `text` with what lies between the markers replaced by `body`; undefined without markers. */
export function withBetween(
  text: string,
  start: string,
  end: string,
  body: string,
): string | undefined {
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) return undefined;
  return `${text.slice(0, a + start.length)}\n\n${body}\n\n${text.slice(b)}`;
}

/** The rows of the table between the markers, cells trimmed (header excluded). */
export function readTableBetween(text: string, start: string, end: string): string[][] {
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) return [];
  return text.slice(a + start.length, b).split("\n")
    .filter((l) => l.startsWith("|"))
    .slice(2)
    .map((l) => l.slice(1, l.lastIndexOf("|")).split("|").map((c) => c.trim()));
}

/**
 * A `deno task` body: rewrites README.md (at `readme`) between the markers with `body`,
 * printing what it did; exits 1 when the markers are missing.
 */
export function writeReadmeSection(
  readme: URL,
  start: string,
  end: string,
  body: string,
  what: string,
): void {
  const before = Deno.readTextFileSync(readme);
  const after = withBetween(before, start, end, body);
  if (after === undefined) {
    console.error(`README.md has no ${start} ... ${end} markers`);
    Deno.exit(1);
  }
  if (after !== before) Deno.writeTextFileSync(readme, after);
  console.log(after === before ? `README.md ${what} up to date` : `README.md ${what} written`);
}
