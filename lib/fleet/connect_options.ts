/**
 * `nats:` config -> the client's ConnectionOptions (servers, credentials, token,
 * user+password, TLS), and client errors -> one sentence an operator can act on.
 */
import { type ConnectionOptions, credsAuthenticator } from "nats";
import type { NatsConfig } from "../config/nats.ts";

/** Ping the server this often (ms); two unanswered pings end the connection. */
export const PING_INTERVAL_MS = 5000;
/** Handshake timeout of one connection attempt (ms). */
export const CONNECT_TIMEOUT_MS = 5000;

/** Which authentication the config chose, for messages. */
export function authMethod(n: NatsConfig): string {
  if (n.credentials) return `credentials file ${n.credentials}`;
  if (n.token) return "token";
  if (n.user) return `user ${n.user}`;
  return "no credentials";
}

/**
 * Connection options. Reads the credentials file now (an unreadable file throws a message
 * naming `nats.credentials`). `reconnectDelay` is asked for every reconnect wait.
 */
export async function connectOptions(
  n: NatsConfig,
  box: string,
  reconnectDelay: () => number,
): Promise<ConnectionOptions> {
  const o: ConnectionOptions = {
    servers: n.servers,
    name: `sluice ${box}`,
    maxReconnectAttempts: -1,
    reconnectDelayHandler: reconnectDelay,
    waitOnFirstConnect: false,
    timeout: CONNECT_TIMEOUT_MS,
    pingInterval: PING_INTERVAL_MS,
    maxPingOut: 2,
  };
  if (n.credentials) {
    let creds: Uint8Array;
    try {
      creds = await Deno.readFile(n.credentials);
    } catch (e) {
      throw new Error(`cannot read nats.credentials ${n.credentials}: ${(e as Error).message}`);
    }
    o.authenticator = credsAuthenticator(creds);
  } else if (n.token) o.token = n.token;
  else if (n.user) [o.user, o.pass] = [n.user, n.password];
  const { ca, cert, key } = n.tls;
  if (ca || cert || n.servers.some((s) => s.startsWith("tls://"))) {
    o.tls = {};
    if (ca) o.tls.caFile = ca;
    if (cert) [o.tls.certFile, o.tls.keyFile] = [cert, key];
  }
  return o;
}

const AUTH_CODES = new Set([
  "AUTHORIZATION_VIOLATION",
  "BAD_AUTHENTICATION",
  "BAD_CREDS",
  "AUTHENTICATION_EXPIRED",
  "AUTHENTICATION_TIMEOUT",
  "ACCOUNT_EXPIRED",
]);

/** True for errors that retrying with the same credentials will not fix. */
export function isAuthError(e: unknown): boolean {
  const code = (e as { code?: string })?.code ?? "";
  return AUTH_CODES.has(code) || /authorization violation|authentication/i.test(String(e));
}

/** One operator-facing sentence for a connection error. */
export function describeError(e: unknown, n: NatsConfig): string {
  const code = (e as { code?: string })?.code ?? "";
  const msg = e instanceof Error ? e.message : String(e);
  if (isAuthError(e)) {
    return `authentication rejected by the NATS server (${msg}); check nats.credentials, ` +
      `nats.token or nats.user/password (using ${authMethod(n)})`;
  }
  if (code === "CONNECTION_REFUSED" || /ECONNREFUSED|connection refused/i.test(msg)) {
    return `cannot reach ${n.servers.join(", ")}: connection refused`;
  }
  if (code === "TIMEOUT" || code === "CONNECTION_TIMEOUT") {
    return `cannot reach ${n.servers.join(", ")}: timed out`;
  }
  return msg || code || "unknown error";
}
