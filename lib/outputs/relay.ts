/**
 * One push relay: one stream sent to one target, with its recovery state machine.
 *
 * ```
 *  idle --(stream matched)--> connecting --ok--> connected --(send/link error)--+
 *                               ^  |fail                                       |
 *                               |  v                                           v
 *                  (delay) backoff <------ failure (retry with growing delay) -+
 *                               |  (breaker.failures consecutive failures)
 *                               v
 *                              open --(cooldown)--> connecting (one half-open attempt)
 * ```
 *
 * Delays come from lib/core/retry.ts (Backoff: exponential with jitter; Breaker: opens
 * after N consecutive failures for a cooldown, then one half-open attempt decides). Each
 * connection subscribes anew from the newest keyframe in the GOP buffer, so sending
 * resumes at a keyframe; nothing is queued while disconnected. While connected, frames wait in a byte-capped queue (feed.ts): a
 * remote that cannot keep up (EAGAIN / SRT send buffer full) makes the queue drop whole
 * GOPs, counted as `slow_output`; the stream's ingest never waits.
 */
import { Backoff, Breaker, type BreakerPolicy, type RetryPolicy } from "../core/retry.ts";
import type { Stream } from "../stream/stream.ts";
import { type OutputMode, TsFeed } from "./feed.ts";
import type { Link } from "./link.ts";
import type { Target } from "../config/output_url.ts";

/** Output states (API contract). */
export type OutputState = "connecting" | "connected" | "backoff" | "open" | "idle";

/** A send that makes no progress for this long breaks the link, ms. */
export const SEND_STALL_MS = 5000;
/** How often an idle link's health is checked, ms. */
const IDLE_CHECK_MS = 250;
/** Retry of a partly sent chunk, ms. */
const SEND_RETRY_MS = 10;

/** What a relay needs. */
export interface RelaySettings {
  mode: OutputMode;
  queueBytes: number;
  retry: RetryPolicy;
  breaker: BreakerPolicy;
}

/** Collaborators of a relay. */
export interface RelayDeps {
  connect(t: Target, signal: AbortSignal): Promise<Link>;
  onState(r: Relay, from: OutputState, to: OutputState, reason?: string): void;
}

/** Counters that survive reconnects. */
export interface RelayCounters {
  bytes: number;
  frames: number;
  drops: Record<string, number>;
  gopsDropped: number;
  retries: number;
  connects: number;
}

/** Fresh counters. */
export function zeroCounters(): RelayCounters {
  return { bytes: 0, frames: 0, drops: {}, gopsDropped: 0, retries: 0, connects: 0 };
}

/** Adds `c` into `into` (totals over relays, current and ended). */
export function addCounters(into: RelayCounters, c: RelayCounters): void {
  into.bytes += c.bytes;
  into.frames += c.frames;
  into.gopsDropped += c.gopsDropped;
  into.retries += c.retries;
  into.connects += c.connects;
  for (const [k, n] of Object.entries(c.drops)) into.drops[k] = (into.drops[k] ?? 0) + n;
}

/** One stream pushed to one target. */
export class Relay {
  state: OutputState = "idle";
  since: Date = new Date();
  nextAttemptAt: Date | undefined;
  lastError: string | undefined;
  lastErrorAt: Date | undefined;
  readonly counters: RelayCounters = zeroCounters();
  readonly backoff: Backoff;
  readonly breaker: Breaker;
  #feed: TsFeed | undefined;
  #link: Link | undefined;
  #ac = new AbortController();
  #stopped = false;
  #restart = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(
    readonly stream: Stream,
    readonly target: Target,
    readonly settings: RelaySettings,
    private readonly deps: RelayDeps,
  ) {
    this.backoff = new Backoff(settings.retry);
    this.breaker = new Breaker(settings.breaker);
  }

  /** Starts connecting. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Drops the current connection (or wait) and connects again now, breaker closed. */
  restart(reason: string): void {
    this.breaker.success();
    this.backoff.reset();
    this.#restart = true;
    this.lastError = reason;
    this.#link?.close();
    this.#ac.abort();
    this.#ac = new AbortController();
    this.#wake?.();
  }

  /** Stops for good; resolves when the link is closed and no timer is left. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#ac.abort();
    this.#wake?.();
    await this.#loop;
  }

  /** Frames dropped and bytes sent including the current connection. */
  snapshot(): RelayCounters {
    const c = this.counters;
    const f = this.#feed;
    if (!f) return { ...c, drops: { ...c.drops } };
    const drops = { ...c.drops };
    if (f.slowDrops) drops.slow_output = (drops.slow_output ?? 0) + f.slowDrops;
    return { ...c, frames: c.frames + f.frames, drops, gopsDropped: c.gopsDropped + f.gopsDropped };
  }

  #set(to: OutputState, reason?: string): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.since = new Date();
    this.deps.onState(this, from, to, reason);
  }

  /** Sleeps `ms` (Infinity = until woken); stop() and restart() wake it. */
  #sleep(ms: number, also?: Promise<void>): Promise<void> {
    return new Promise<void>((resolve) => {
      let t: ReturnType<typeof setTimeout> | undefined;
      let fired = false;
      const done = () => {
        if (fired) return;
        fired = true;
        if (t !== undefined) clearTimeout(t);
        if (this.#wake === done) this.#wake = undefined;
        resolve();
      };
      this.#wake = done;
      if (Number.isFinite(ms)) t = setTimeout(done, Math.max(0, ms));
      also?.then(done);
    });
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      this.#restart = false;
      const now = performance.now();
      if (!this.breaker.allow(now)) {
        this.nextAttemptAt = new Date(Date.now() + (this.breaker.openUntil - now));
        this.#set("open", this.lastError);
        await this.#sleep(this.breaker.openUntil - now);
        continue;
      }
      this.#set("connecting");
      let link: Link;
      try {
        link = await this.deps.connect(this.target, this.#ac.signal);
      } catch (e) {
        if (this.#stopped) break;
        if (!this.#restart) await this.#failed((e as Error).message ?? String(e));
        continue;
      }
      if (this.#stopped) {
        link.close();
        break;
      }
      const feed = TsFeed.open(this.stream, {
        mode: this.settings.mode,
        maxBytes: this.settings.queueBytes,
        fromBuffer: true,
      });
      if (typeof feed === "string") {
        link.close();
        this.#error(feed);
        this.#set("idle", feed);
        await this.#sleep(Infinity);
        continue;
      }
      this.breaker.success();
      this.backoff.reset();
      this.counters.connects++;
      this.nextAttemptAt = undefined;
      this.#feed = feed;
      this.#link = link;
      this.#set("connected");
      const err = await this.#pump(feed, link);
      this.#retire(feed);
      link.close();
      this.#link = undefined;
      if (this.#stopped) break;
      if (err !== undefined) await this.#failed(err);
    }
    this.#set("idle", "stopped");
  }

  #retire(feed: TsFeed): void {
    const c = this.counters;
    c.frames += feed.frames;
    c.gopsDropped += feed.gopsDropped;
    if (feed.slowDrops) c.drops.slow_output = (c.drops.slow_output ?? 0) + feed.slowDrops;
    feed.close();
    this.#feed = undefined;
  }

  #error(reason: string): void {
    this.lastError = reason;
    this.lastErrorAt = new Date();
  }

  async #failed(reason: string): Promise<void> {
    this.#error(reason);
    this.counters.retries++;
    this.breaker.failure(performance.now());
    if (this.breaker.state === "open") return; // the loop waits out the cooldown
    const delay = this.backoff.fail();
    this.nextAttemptAt = new Date(Date.now() + delay);
    this.#set("backoff", reason);
    await this.#sleep(delay);
  }

  /** Sends until the link breaks (returns why), or stop/restart (returns undefined). */
  async #pump(feed: TsFeed, link: Link): Promise<string | undefined> {
    let pending: Uint8Array | undefined;
    let progressAt = 0;
    while (!this.#stopped && !this.#restart) {
      if (!pending) {
        pending = feed.next();
        progressAt = performance.now();
        if (!pending) {
          if (!link.alive()) return "connection_lost";
          await this.#sleep(IDLE_CHECK_MS, feed.wait());
          continue;
        }
      }
      let n: number;
      try {
        n = link.send(pending);
      } catch (e) {
        feed.unsent();
        return (e as Error).message;
      }
      this.counters.bytes += n;
      if (n >= pending.length) {
        pending = undefined;
        continue;
      }
      pending = pending.subarray(n);
      const now = performance.now();
      if (n > 0) progressAt = now;
      else if (now - progressAt > SEND_STALL_MS) {
        feed.unsent();
        return "send_stalled";
      }
      await this.#sleep(SEND_RETRY_MS);
    }
    return undefined;
  }
}
