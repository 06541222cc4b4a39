/**
 * What a relay sends through: a connected link to the remote (SRT caller, UDP socket).
 * `send` never blocks: it returns how many bytes the link took now (the rest is sent
 * again later, while the relay's queue keeps filling and drops whole GOPs); it throws
 * when the link is broken.
 */

/** A connected link. */
export interface Link {
  /** Sends TS bytes; returns the bytes taken (< length when the remote cannot keep up). */
  send(b: Uint8Array): number;
  /** False once the remote is gone (checked while there is nothing to send). */
  alive(): boolean;
  close(): void;
}

/** An IPv4 address for a host name or literal ("localhost" is 127.0.0.1). */
export async function resolveHost(host: string): Promise<string> {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return host;
  if (host === "localhost") return "127.0.0.1";
  const a = await Deno.resolveDns(host, "A");
  if (!a.length) throw new Error(`no IPv4 address for ${host}`);
  return a[0];
}
