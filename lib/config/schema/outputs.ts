/** `outputs:` keys: the push relays (lib/outputs/manager.ts). */
import type { Spec } from "./spec.ts";

/** One push output (lib/outputs/manager.ts). */
const output: Spec = {
  t: "obj",
  required: ["name", "stream", "url"],
  fields: {
    name: { t: "string", def: "", doc: "output name (API path, metrics label)" },
    stream: { t: "string", def: "", doc: 'stream id or glob ("cam*")' },
    url: {
      t: "url",
      doc: "srt://host:port?streamid=&passphrase=&latency= or udp://host:port?ttl=",
    },
    mode: {
      t: "string",
      def: "remux",
      oneOf: ["remux", "passthrough"],
      doc: "remux frames, or forward the TS input's own packets",
    },
    queue_size: {
      t: "bytes",
      def: 8 * 1024 ** 2,
      min: 64 * 1024,
      max: 1024 ** 3,
      doc: "queue of this output; a remote further behind loses whole GOPs",
    },
    retry: {
      t: "obj",
      doc: "exponential backoff with jitter after a failed or broken connection",
      fields: {
        initial: { t: "duration", def: 500, min: 10, max: 600_000, doc: "first retry delay" },
        max: { t: "duration", def: 30_000, min: 10, max: 3_600_000, doc: "longest retry delay" },
        multiplier: { t: "number", def: 2, min: 1, max: 10, doc: "delay growth per failure" },
      },
    },
    breaker: {
      t: "obj",
      doc: "circuit breaker: open after `failures` in a row, one try after `cooldown`",
      fields: {
        failures: {
          t: "int",
          def: 5,
          min: 1,
          max: 1000,
          doc: "consecutive failures that open the circuit",
        },
        cooldown: {
          t: "duration",
          def: 60_000,
          min: 10,
          max: 3_600_000,
          doc: "how long an open circuit waits before one half-open attempt",
        },
      },
    },
  },
};

/** `outputs:` (README "Outputs"). */
export const OUTPUTS: Spec = { t: "list", of: output, doc: "push relays (SRT caller, UDP)" };
