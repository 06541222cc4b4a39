/** `nats:` keys: the fleet link (lib/fleet/), checked further by lib/config/nats.ts. */
import { BOX_NAME, SERVER_URL } from "../nats.ts";
import type { Spec } from "./spec.ts";

const file = (doc: string): Spec => ({ t: "string", def: "", doc });

/** `nats:` (lib/config/nats.ts; README "Configuration reference" and "Fleet on NATS"). */
export const NATS: Spec = {
  t: "obj",
  optional: true,
  required: ["servers"],
  doc: 'fleet link to a NATS cluster with JetStream (README "Fleet on NATS")',
  fields: {
    servers: {
      t: "list",
      of: {
        t: "string",
        def: "",
        pattern: { re: SERVER_URL, what: 'a server URL ("nats://host:4222", "tls://host:4222")' },
        doc: "server URL",
      },
      doc: "NATS servers to connect to (any one of a cluster is enough; the rest are learned)",
    },
    box: {
      t: "string",
      def: "",
      pattern: { re: BOX_NAME, what: "letters, digits, '_' or '-' (1-64)" },
      doc: "this box's name in subjects and registry keys; empty = the hostname",
    },
    credentials: file("a .creds file (user JWT + nkey seed)"),
    token: { t: "string", def: "", doc: "authentication token" },
    user: { t: "string", def: "", doc: "user name (with password)" },
    password: { t: "string", def: "", doc: "password (with user)" },
    tls: {
      t: "obj",
      fields: {
        ca: file("CA certificate (PEM) to verify the server"),
        cert: file("client certificate (PEM)"),
        key: file("client private key (PEM)"),
      },
    },
    replicas: {
      t: "int",
      def: 1,
      min: 1,
      max: 5,
      doc: "replicas of the registry bucket and the event/frame streams this box creates",
    },
    registry: {
      t: "obj",
      fields: {
        interval: {
          t: "duration",
          def: 5000,
          min: 500,
          max: 600_000,
          doc: "how often live streams' entries are rewritten",
        },
        ttl: {
          t: "duration",
          def: 30_000,
          min: 2000,
          max: 86_400_000,
          doc: "entries not rewritten for this long expire (a dead box's streams disappear)",
        },
      },
    },
    events: {
      t: "obj",
      fields: {
        max_age: {
          t: "duration",
          def: 86_400_000,
          min: 1000,
          max: 365 * 86_400_000,
          doc: "events kept in the sluice_events stream this long",
        },
        max_bytes: {
          t: "bytes",
          def: 64 * 1024 ** 2,
          min: 64 * 1024,
          doc: "byte cap of the sluice_events stream",
        },
        queue: {
          t: "int",
          def: 1000,
          min: 10,
          max: 100_000,
          doc: "events kept while NATS is unreachable (oldest dropped first)",
        },
      },
    },
    frames: {
      t: "obj",
      fields: {
        streams: {
          t: "string",
          def: "",
          doc: 'streams whose frames are published: glob ("cam*"), comma-separated; "" = none',
        },
        tracks: {
          t: "string",
          def: "video",
          oneOf: ["video", "audio", "all"],
          doc: "which tracks of those streams",
        },
        max_bytes: {
          t: "bytes",
          def: 1024 ** 3,
          min: 1024 ** 2,
          doc: "byte cap of this box's frames stream",
        },
        max_age: {
          t: "duration",
          def: 60_000,
          min: 1000,
          max: 86_400_000,
          doc: "frames kept this long",
        },
        queue: {
          t: "bytes",
          def: 8 * 1024 ** 2,
          min: 64 * 1024,
          max: 1024 ** 3,
          doc: "per-stream publish queue; over it whole GOPs are dropped",
        },
      },
    },
  },
};
