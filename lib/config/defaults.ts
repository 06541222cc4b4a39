/**
 * The defaults the schema declares (lib/config/schema.ts), as a Config, and the spelling
 * of schema keys in the Config object. The walker (lib/config/walker.ts) starts each
 * section from these; `sluice --print-config` (lib/config/print.ts) prints them.
 */
import type { Config } from "./config.ts";
import { SCHEMA } from "./schema.ts";
import type { Spec } from "./schema/spec.ts";

/** A schema key in the Config object's spelling: `max_connections` -> `maxConnections`. */
export function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Default value of a spec (objects recursively). */
export function defaults(spec: Spec): unknown {
  switch (spec.t) {
    case "obj":
      return Object.fromEntries(
        Object.entries(spec.fields).filter(([, s]) => !(s.t === "obj" && s.optional))
          .map(([k, s]) => [camel(k), defaults(s)]),
      );
    case "list":
    case "ints":
      return [];
    case "map":
      return {};
    case "url":
      return "";
    default:
      return spec.def;
  }
}

/** The built-in defaults (the seed's table). */
export function defaultConfig(): Config {
  return defaults(SCHEMA) as Config;
}
