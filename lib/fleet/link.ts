/**
 * The connection to NATS: connects in the background (ingest never waits for it), keeps
 * one clear state (`connecting`, `connected`, `reconnecting`, `down`, `stopped`) with the
 * last error for /api/v1/health, and reconnects with growing delays.
 *
 * Two levels of retry: while a connection exists the client library reconnects by itself,
 * asking our Backoff (lib/core/retry.ts) for each wait instead of its fixed 2 s; when the
 * client gives up (the server rejected our credentials twice, or the first connection
 * failed), this loop makes a new connection after the next backoff delay. State changes
 * go to the event bus as `link.state` and to the log; repeated identical failures are
 * logged at growing intervals, not once per attempt.
 */
import { connect, DebugEvents, Events, type NatsConnection, type Status } from "nats";
import type { NatsConfig } from "../config/nats.ts";
import type { EventBus } from "../stream/events.ts";
import { Backoff, type RetryPolicy } from "../core/retry.ts";
import type { Logger } from "../core/log.ts";
import { connectOptions, describeError } from "./connect_options.ts";

/** Link states. `down` = no connection and waiting to retry (see `error`). */
export type LinkState = "connecting" | "connected" | "reconnecting" | "down" | "stopped";

/** Reconnect delays: 250 ms doubling to 15 s, with equal jitter. */
export const LINK_RETRY: RetryPolicy = { initialMs: 250, maxMs: 15_000, multiplier: 2 };

/** Options of NatsLink. */
export interface LinkOptions {
  config: NatsConfig;
  box: string;
  log: Logger;
  events: EventBus;
  /** Runs after every (re)connection, before `connected` is reported to waiters. */
  onUp: (nc: NatsConnection) => Promise<void>;
  retry?: RetryPolicy;
}

/** The NATS connection and its state. */
export class NatsLink {
  state: LinkState = "connecting";
  /** When the state last changed. */
  since: Date = new Date();
  /** The live connection (also while the client reconnects it), else undefined. */
  nc: NatsConnection | undefined;
  /** Why the link is not connected (or the last asynchronous server error). */
  error: string | undefined;
  /** Successful reconnections (by the client or by a new connection). */
  reconnects = 0;
  /** Failed connection attempts since the last success. */
  failedAttempts = 0;
  /** Server errors reported asynchronously (permissions, auth), by code. */
  readonly serverErrors: Map<string, number> = new Map();
  #connections = 0;
  /** Delays between our own connection attempts. */
  readonly #backoff: Backoff;
  /**
   * Delays the client asks for while it reconnects an existing connection. The client asks
   * on every pass of its dial loop (also when it only sleeps), so the delay advances only
   * when it actually dials (its `reconnecting` status event).
   */
  readonly #clientBackoff: Backoff;
  #clientDelay = 0;
  #stopped = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #lastLogged = "";

  constructor(private o: LinkOptions) {
    this.#backoff = new Backoff(o.retry ?? LINK_RETRY);
    this.#clientBackoff = new Backoff(o.retry ?? LINK_RETRY);
  }

  /** True when publishing now reaches the server. */
  get connected(): boolean {
    return this.state === "connected";
  }

  /** Starts connecting in the background. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Closes the connection (after the caller flushed what it wanted to). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    const nc = this.nc;
    if (nc) await nc.close().catch(() => {});
    await this.#loop;
  }

  #set(to: LinkState, error?: string): void {
    const from = this.state;
    if (to === "connected") this.error = undefined;
    else if (error !== undefined) this.error = error;
    if (from === to) return;
    this.state = to;
    this.since = new Date();
    this.o.events.emit("link.state", { link: "nats", from, to, error: this.error });
    const fields = { box: this.o.box, from, to, error: this.error };
    if (to === "connected") {
      this.o.log.info("nats.link", { ...fields, server: this.nc?.getServer() });
    } else if (to === "stopped") this.o.log.info("nats.link", fields);
    else if (to !== "down") this.o.log.warn("nats.link", fields); // down: nats.connect_failed
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      let nc: NatsConnection;
      try {
        const opts = await connectOptions(
          this.o.config,
          this.o.box,
          () => this.#clientDelay,
        );
        nc = await connect(opts);
      } catch (e) {
        await this.#failed(e);
        continue;
      }
      if (this.#stopped) {
        await nc.close().catch(() => {});
        break;
      }
      this.nc = nc;
      if (this.#connections++ > 0) this.reconnects++;
      this.failedAttempts = 0;
      this.#backoff.reset();
      this.#clientBackoff.reset();
      this.#clientDelay = 0;
      const status = nc.status();
      void this.#watch(status);
      await this.#up(nc);
      const err = await nc.closed();
      (status as { stop?: () => void }).stop?.(); // the client does not end it on close
      this.nc = undefined;
      if (this.#stopped) break;
      await this.#failed(err ?? new Error("connection closed"));
    }
    this.#set("stopped");
  }

  /** Records a failed attempt, logs it (at growing intervals when it repeats), waits. */
  async #failed(e: unknown): Promise<void> {
    this.failedAttempts++;
    const msg = describeError(e, this.o.config);
    const delay = this.#backoff.fail();
    const n = this.failedAttempts;
    if (msg !== this.#lastLogged || (n & (n - 1)) === 0) {
      this.o.log.error("nats.connect_failed", {
        box: this.o.box,
        error: msg,
        attempts: n,
        retryInMs: Math.round(delay),
      });
      this.#lastLogged = msg;
    }
    this.#set("down", msg);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, delay);
      this.#wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
    this.#wake = undefined;
  }

  async #up(nc: NatsConnection): Promise<void> {
    try {
      await this.o.onUp(nc);
    } catch (e) {
      this.o.log.error("nats.setup_failed", { box: this.o.box, error: String(e) });
    }
    if (!nc.isClosed() && !this.#stopped) this.#set("connected");
  }

  /** Follows the client's status events until the connection closes. */
  async #watch(status: AsyncIterable<Status>): Promise<void> {
    for await (const s of status) {
      switch (s.type) {
        case Events.Disconnect:
          this.#set("reconnecting", `disconnected from ${s.data}`);
          break;
        case Events.Reconnect:
          this.reconnects++;
          this.#clientBackoff.reset();
          this.#clientDelay = 0;
          if (this.nc) await this.#up(this.nc);
          break;
        case Events.Error: {
          const code = String(s.data);
          this.serverErrors.set(code, (this.serverErrors.get(code) ?? 0) + 1);
          const msg = describeError({ code, message: code.toLowerCase() }, this.o.config);
          this.error = msg;
          if (code !== this.#lastLogged) {
            this.o.log.error("nats.server_error", {
              box: this.o.box,
              error: msg,
              subject: s.permissionContext?.subject,
            });
            this.#lastLogged = code;
          }
          break;
        }
        case DebugEvents.Reconnecting:
          this.#clientDelay = this.#clientBackoff.fail();
          break;
        case Events.LDM:
          this.o.log.warn("nats.lame_duck", { box: this.o.box, server: String(s.data) });
          break;
      }
    }
  }
}
