/**
 * Reading /metrics in tests: `promtool check metrics` (the Prometheus project's linter, the
 * oracle for the text format and the naming conventions) and a small parser of the text
 * format for comparing values across scrapes.
 */

/** One sample line: family-level name (with `_bucket`/`_sum`/`_count`), labels, value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** What promtool said: exit code and every line it printed (lint problems, parse errors). */
export async function promtoolCheck(text: string): Promise<{ code: number; problems: string[] }> {
  const p = new Deno.Command("promtool", {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = p.stdin.getWriter();
  await w.write(new TextEncoder().encode(text));
  await w.close();
  const out = await p.output();
  const lines = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, problems: lines.split("\n").filter((l) => l.trim()) };
}

const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the samples of a text exposition (comments skipped). */
export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const brace = line.indexOf("{");
    const space = line.lastIndexOf(" ");
    const name = brace >= 0 && brace < space ? line.slice(0, brace) : line.slice(0, space);
    const labels: Record<string, string> = {};
    if (brace >= 0 && brace < space) {
      for (const m of line.slice(brace, line.lastIndexOf("}") + 1).matchAll(LABEL)) {
        labels[m[1]] = m[2].replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
      }
    }
    const v = line.slice(space + 1);
    out.push({
      name,
      labels,
      value: v === "+Inf" ? Infinity : v === "-Inf" ? -Infinity : Number(v),
    });
  }
  return out;
}

/** The series key of a sample: name and labels in a stable order. */
export function seriesKey(s: Sample): string {
  const l = Object.keys(s.labels).sort().map((k) => `${k}=${s.labels[k]}`).join(",");
  return `${s.name}{${l}}`;
}

/** Samples whose name is `name` and whose labels include `match`. */
export function select(
  samples: Sample[],
  name: string,
  match: Record<string, string> = {},
): Sample[] {
  return samples.filter((s) =>
    s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)
  );
}

/** Sum of the values of `select(...)`. */
export function sum(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  return select(samples, name, match).reduce((a, s) => a + s.value, 0);
}
