/**
 * Loads sluice's YAML configuration into a validated `Config` (lib/config/config.ts).
 * Every error names the key, its line and column, and what was expected; unknown keys get
 * a "did you mean". The keys are declared in lib/config/schema.ts, checked one by one by
 * lib/config/walker.ts and then across keys by lib/config/cross_check.ts.
 */
import { LineCounter, parseDocument } from "yaml";
import type { Node } from "yaml";
import type { FileChecks } from "./checks.ts";
import type { Config } from "./config.ts";
import { crossCheck } from "./cross_check.ts";
import { SCHEMA } from "./schema.ts";
import type { Spec } from "./schema/spec.ts";
import { Walker } from "./walker.ts";

/** A configuration error: `message` is ready to print, `issues` lists each problem. */
export class ConfigError extends SyntaxError {
  constructor(readonly issues: string[], source: string) {
    super(`Cannot load config ${source}:\n  ${issues.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

/**
 * Parses and validates YAML text. Throws ConfigError listing every problem with its
 * key and line; `source` names the file in the message. With `files`, the SDP files the
 * config names are read and checked too (loadConfig: --check-config, start-up, reload).
 */
export function parseConfig(
  text: string,
  source = "<config>",
  opts: { files?: FileChecks } = {},
): Config {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const p = e.linePos?.[0];
        return `YAML syntax: ${e.message.split("\n")[0]}${
          p ? ` (line ${p.line}, column ${p.col})` : ""
        }`;
      }),
      source,
    );
  }
  const w = new Walker(lc, opts.files);
  const root = doc.contents as Node | null;
  const cfg = w.obj(SCHEMA as Spec & { t: "obj" }, root, "") as Config;
  crossCheck(cfg, w.issues);
  if (w.issues.length) throw new ConfigError(w.issues, source);
  return cfg;
}

/**
 * Reads and parses a config file; throws ConfigError (also for an unreadable file).
 * `files` checks the files it names (lib/app/config_files.ts passes the SDP parser).
 */
export async function loadConfig(path: string, files?: FileChecks): Promise<Config> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new ConfigError([`cannot read file: ${(e as Error).message}`], path);
  }
  return parseConfig(text, path, { files });
}
