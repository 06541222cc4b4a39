/**
 * Prometheus text exposition format 0.0.4: one `# HELP` and `# TYPE` per family followed
 * by its samples, label values escaped, numbers as Go's ParseFloat reads them. The
 * registry (lib/core/metrics/registry.ts) decides what is written; this file only spells it.
 */
import type { FamilyInfo } from "./family_info.ts";

/** The Content-Type of this format. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** A label value escaped for the text format (backslash, double quote, newline). */
export function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** A HELP text escaped (backslash and newline). */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A sample value: integers and decimals as JavaScript prints them, +Inf, -Inf, NaN. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

/** `{a="x",b="y"}` for label names and values in order; empty without labels. */
export function labelText(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return "";
  let s = "{";
  for (let i = 0; i < names.length; i++) {
    if (i) s += ",";
    s += `${names[i]}="${escapeLabel(values[i])}"`;
  }
  return s + "}";
}

/** The two header lines of a family. */
export function familyHeader(name: string, f: FamilyInfo): string {
  return `# HELP ${name} ${escapeHelp(f.help)}\n# TYPE ${name} ${f.type}\n`;
}
