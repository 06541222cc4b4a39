/**
 * The optional `nats:` section (the fleet link, lib/fleet/mod.ts): which NATS servers to
 * join, under which box name, with which credentials, and what to publish. Absent section =
 * no NATS code is loaded at all. Its keys are NATS in lib/config/schema/nats.ts, validated by
 * the same walker as the rest (lib/config/walker.ts), so every error names the key and line;
 * here: the validated type, the name rules and the checks across keys.
 */
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

/** A NATS server URL of `nats.servers`. */
export const SERVER_URL = /^((nats|tls):\/\/)?([^\s@/]+@)?[^\s@/:]+(:\d{1,5})?$/;

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
