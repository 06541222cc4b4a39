/**
 * The API's front door: a TCP listener on `api.listen` that caps concurrent connections
 * and closes the ones that hold a slot without using it, then pipes each accepted
 * connection to the HTTP server (Deno.serve on a loopback port only sluice knows).
 *
 * Why: Deno.serve (Deno 2.9) has no header-read timeout, idle timeout or connection
 * cap (its options are hostname, port, reusePort, signal, onListen, onError,
 * automaticCompression), and node:http's headersTimeout/maxConnections are not enforced
 * on Deno either, so 2,000 half-open connections (slowloris) were held for ever.
 * Limits: API_MAX_CONNECTIONS open at once (more are closed at accept and counted), the
 * first request head complete within API_HEADER_TIMEOUT_MS, no byte either way for
 * API_IDLE_TIMEOUT_MS closes the connection. Counters in `stats()`.
 */

import type { ApiFrontStats } from "../../routes/metrics.ts";

export type { ApiFrontStats } from "../../routes/metrics.ts";

/** Client connections open at once; more are closed at accept ("api_connections_full"). */
export const API_MAX_CONNECTIONS = 256;
/** Time for a new connection to send its first request head, ms. */
export const API_HEADER_TIMEOUT_MS = 10_000;
/** A connection with no byte in either direction for this long is closed, ms. */
export const API_IDLE_TIMEOUT_MS = 60_000;
/** Largest first request head, bytes (the HTTP server has its own limits after it). */
export const API_MAX_HEAD_BYTES = 64 * 1024;
/** How often deadlines are checked, ms. */
const SWEEP_MS = 500;

/** Limits (defaults: the constants above). */
export interface ApiFrontLimits {
  maxConnections?: number;
  headerTimeoutMs?: number;
  idleTimeoutMs?: number;
}

interface Pipe {
  client: Deno.TcpConn;
  upstream?: Deno.TcpConn;
  startMs: number;
  lastMs: number;
  headDone: boolean;
  headBytes: number;
  /** The last 3 bytes of the head so far (to find \r\n\r\n across reads). */
  tail: number[];
  closed: boolean;
}

/** The front door; see the module doc. */
export class ApiFront {
  readonly #listener: Deno.TcpListener;
  readonly #upstream: Deno.NetAddr;
  readonly #pipes = new Set<Pipe>();
  readonly #max: number;
  readonly #headerMs: number;
  readonly #idleMs: number;
  readonly #stats: ApiFrontStats = {
    open: 0,
    accepted: 0,
    refusedFull: 0,
    headerTimeouts: 0,
    idleTimeouts: 0,
  };
  #sweep?: ReturnType<typeof setInterval>;
  #loop?: Promise<void>;

  /** Binds `hostname:port` (throws like Deno.listen, e.g. AddrInUse). */
  constructor(
    hostname: string,
    port: number,
    upstream: Deno.NetAddr,
    limits: ApiFrontLimits = {},
  ) {
    this.#listener = Deno.listen({ hostname, port, transport: "tcp" });
    this.#upstream = upstream;
    this.#max = limits.maxConnections ?? API_MAX_CONNECTIONS;
    this.#headerMs = limits.headerTimeoutMs ?? API_HEADER_TIMEOUT_MS;
    this.#idleMs = limits.idleTimeoutMs ?? API_IDLE_TIMEOUT_MS;
  }

  /** The bound address. */
  get addr(): Deno.NetAddr {
    return this.#listener.addr;
  }

  stats(): ApiFrontStats {
    return { ...this.#stats, open: this.#pipes.size };
  }

  /** Starts accepting. */
  start(): void {
    this.#sweep = setInterval(() => this.#check(performance.now()), SWEEP_MS);
    this.#loop = this.#accept();
  }

  async #accept(): Promise<void> {
    for (;;) {
      let c: Deno.TcpConn;
      try {
        c = await this.#listener.accept();
      } catch {
        return; // closed
      }
      if (this.#pipes.size >= this.#max) {
        this.#stats.refusedFull++;
        try {
          c.close();
        } catch { /* gone */ }
        continue;
      }
      this.#stats.accepted++;
      const now = performance.now();
      const p: Pipe = {
        client: c,
        startMs: now,
        lastMs: now,
        headDone: false,
        headBytes: 0,
        tail: [],
        closed: false,
      };
      this.#pipes.add(p);
      void this.#run(p);
    }
  }

  async #run(p: Pipe): Promise<void> {
    try {
      const { hostname, port } = this.#upstream;
      p.upstream = await Deno.connect({ hostname, port, transport: "tcp" });
      if (p.closed) return this.#close(p);
      await Promise.race([
        this.#pump(p, p.client, p.upstream, true),
        this.#pump(p, p.upstream, p.client, false),
      ]);
    } catch { /* a side went away */ }
    this.#close(p);
  }

  async #pump(p: Pipe, from: Deno.TcpConn, to: Deno.TcpConn, request: boolean): Promise<void> {
    const buf = new Uint8Array(16 * 1024);
    for (;;) {
      const n = await from.read(buf);
      if (n === null || p.closed) return;
      p.lastMs = performance.now();
      const chunk = buf.subarray(0, n);
      if (request && !p.headDone && !this.#head(p, chunk)) return;
      let o = 0;
      while (o < n) o += await to.write(chunk.subarray(o));
    }
  }

  /** Tracks the first request head; false when it grows past API_MAX_HEAD_BYTES. */
  #head(p: Pipe, chunk: Uint8Array): boolean {
    for (let i = 0; i < chunk.length; i++) {
      const t = p.tail;
      if (
        chunk[i] === 10 && t.length === 3 && t[0] === 13 && t[1] === 10 && t[2] === 13
      ) {
        p.headDone = true;
        return true;
      }
      t.push(chunk[i]);
      if (t.length > 3) t.shift();
    }
    p.headBytes += chunk.length;
    if (p.headBytes > API_MAX_HEAD_BYTES) {
      this.#stats.headerTimeouts++;
      return false;
    }
    return true;
  }

  #check(now: number): void {
    for (const p of this.#pipes) {
      if (!p.headDone && now - p.startMs > this.#headerMs) {
        this.#stats.headerTimeouts++;
        this.#close(p);
      } else if (now - p.lastMs > this.#idleMs) {
        this.#stats.idleTimeouts++;
        this.#close(p);
      }
    }
  }

  #close(p: Pipe): void {
    if (!this.#pipes.delete(p)) return;
    p.closed = true;
    for (const c of [p.client, p.upstream]) {
      try {
        c?.close();
      } catch { /* already closed */ }
    }
  }

  /** Stops accepting and closes every connection. */
  async stop(): Promise<void> {
    if (this.#sweep !== undefined) clearInterval(this.#sweep);
    try {
      this.#listener.close();
    } catch { /* closed */ }
    await this.#loop;
    for (const p of [...this.#pipes]) this.#close(p);
  }
}
