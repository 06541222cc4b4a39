/** `log:` keys (lib/core/log.ts). */
import type { Spec } from "./spec.ts";

export const LOG: Spec = {
  t: "obj",
  fields: {
    level: {
      t: "string",
      def: "info",
      oneOf: ["debug", "info", "warn", "error"],
      doc: "log level",
    },
    format: { t: "string", def: "text", oneOf: ["text", "json"], doc: "log line format" },
  },
};
