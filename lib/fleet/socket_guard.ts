/**
 * A safety net for the NATS client's sockets. The client (npm:nats) runs on Deno's
 * node:net compatibility layer; when a connection dies at the wrong moment (a read error
 * arriving after the client already removed its listeners to close the socket), node:net
 * emits an `error` event nobody listens to, which would end the whole process. sluice
 * itself never uses node:net (SRT, RTP and the API use Deno's own APIs and FFI), so an
 * uncaught socket error raised inside node:net can only come from the NATS link: it is
 * counted and logged instead of stopping ingest. Every other uncaught error is untouched.
 */

/** errno codes of a connection the peer or the network dropped. */
const SOCKET_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ENOTCONN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** True for a socket error raised by node:net (Deno's `ext:deno_node` layer). */
export function isNodeSocketError(err: unknown): boolean {
  const e = err as { code?: unknown; stack?: unknown } | null;
  return typeof e?.code === "string" && SOCKET_CODES.has(e.code) &&
    typeof e.stack === "string" && e.stack.includes("ext:deno_node/");
}

/** Catches uncaught node:net socket errors until the returned function is called. */
export function guardSocketErrors(onError: (err: Error) => void): () => void {
  const listener = (ev: ErrorEvent) => {
    if (!isNodeSocketError(ev.error)) return;
    ev.preventDefault();
    onError(ev.error);
  };
  globalThis.addEventListener("error", listener);
  return () => globalThis.removeEventListener("error", listener);
}
