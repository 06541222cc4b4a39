/** `api:` keys: the REST API and dashboard (routes/). */
import type { Spec } from "./spec.ts";

export const API: Spec = {
  t: "obj",
  fields: {
    listen: { t: "hostport", def: "127.0.0.1:8080", doc: "REST API address (host:port)" },
    tokens: {
      t: "list",
      of: { t: "string", def: "", check: "token", doc: "bearer token" },
      doc: "when set, /api and /metrics need Authorization: Bearer <token>",
    },
    tls: {
      t: "obj",
      fields: {
        cert: { t: "string", def: "", doc: "PEM certificate (chain) file; set with key" },
        key: { t: "string", def: "", doc: "PEM private key file; set with cert" },
      },
      doc: "serve the API and dashboard over HTTPS",
    },
    live_queue_size: {
      t: "bytes",
      def: 4 * 1024 ** 2,
      min: 64 * 1024,
      max: 1024 ** 3,
      doc: "queue of each live.ts client; a client further behind loses whole GOPs",
    },
  },
};
