/**
 * The optional `nats:` section (the fleet link, lib/fleet/mod.ts): which NATS servers to
 * join, under which box name, with which credentials, and what to publish. Absent section =
 * no NATS code is loaded at all. Validated by the same walker as the rest (lib/config.ts),
 * so every error names the key and its line.
 */
import type { Spec } from "./schema.ts";

/** The validated `nats:` section (units applied: bytes, milliseconds). */
export interface NatsConfig {
  servers: string[];
  /** Subject token of this box; "" = the hostname (see lib/fleet/names.ts boxName). */
  box: string;
  /** A .creds file (user JWT + nkey seed), or "". */
  credentials: string;
  token: string;
  user: string;
  password: string;
  tls: { ca: string; cert: string; key: string };
  /** Replicas of the KV bucket and the JetStream streams this box creates. */
  replicas: number;
  registry: { interval: number; ttl: number };
  events: { maxAge: number; maxBytes: number; queue: number };
  frames: {
    streams: string;
    tracks: "video" | "audio" | "all";
    maxBytes: number;
    maxAge: number;
    queue: number;
  };
}

/** A box name: one NATS subject token that is also a KV key part and a stream name part. */
export const BOX_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const SERVER_URL = /^((nats|tls):\/\/)?([^\s@/]+@)?[^\s@/:]+(:\d{1,5})?$/;

const file = (doc: string): Spec => ({ t: "string", def: "", doc });

/** Schema of `nats:` (see README "Configuration reference"). */
export const NATS_SPEC: Spec = {
  t: "obj",
  optional: true,
  required: ["servers"],
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

/** Checks across `nats:` keys; appends problems to `issues`. */
export function checkNats(n: NatsConfig | undefined, issues: string[]): void {
  if (!n) return;
  if (n.servers.length === 0) issues.push("nats.servers must list at least one server");
  const auth = [n.credentials && "credentials", n.token && "token", n.user && "user"]
    .filter(Boolean);
  if (auth.length > 1) {
    issues.push(`nats: use one of credentials, token, user+password (got ${auth.join(", ")})`);
  }
  if ((n.user === "") !== (n.password === "")) {
    issues.push("nats.user and nats.password go together");
  }
  if ((n.tls.cert === "") !== (n.tls.key === "")) {
    issues.push("nats.tls.cert and nats.tls.key go together");
  }
  if (n.registry.ttl < 2 * n.registry.interval) {
    issues.push(
      `nats.registry.ttl (${n.registry.ttl}ms) must be at least twice nats.registry.interval ` +
        `(${n.registry.interval}ms), or live entries expire between rewrites`,
    );
  }
}
