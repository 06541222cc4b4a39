/**
 * Events and registry updates on their way to JetStream: a small bounded queue that
 * producers fill without waiting, drained by one writer loop while the link is up.
 *
 * - Registry updates are coalesced per key (only the newest value of a stream matters);
 *   a `null` value deletes the key.
 * - Events keep their order; past `maxEvents` the oldest is dropped and counted.
 * - Every write is acknowledged by JetStream; up to WRITE_BATCH are in flight at once (one
 *   round trip per batch to a far server). A failed write stays queued and is retried
 *   after a backoff delay; consecutive failures open a circuit breaker (lib/core/retry.ts)
 *   so a JetStream that is down is not hammered while the connection itself is up. Events
 *   carry `Nats-Msg-Id`, so a write that timed out but landed is not stored twice.
 */
import { Backoff, Breaker, type BreakerPolicy, type RetryPolicy } from "../core/retry.ts";
import type { Session } from "./jetstream_setup.ts";
import { JS_TIMEOUT_MS } from "./jetstream_setup.ts";

/** Retry of one queued write: 200 ms doubling to 5 s. */
export const WRITE_RETRY: RetryPolicy = { initialMs: 200, maxMs: 5000, multiplier: 2 };
/** Five failed writes in a row stop writing for 5 s. */
export const WRITE_BREAKER: BreakerPolicy = { failures: 5, cooldownMs: 5000 };
/** Writes in flight at once. */
export const WRITE_BATCH = 64;
/** Cap on distinct registry keys waiting (more than max_connections ever needs). */
export const MAX_REGISTRY_PENDING = 20_000;

interface PendingEvent {
  subject: string;
  data: Uint8Array;
  msgId: string;
}

/** Counters of the writer. */
export interface WriterStats {
  events: number;
  registry: number;
  eventErrors: number;
  registryErrors: number;
  eventsDropped: number;
  registryDropped: number;
}

/** The queue and its writer loop. */
export class StateWriter {
  readonly stats: WriterStats = {
    events: 0,
    registry: 0,
    eventErrors: 0,
    registryErrors: 0,
    eventsDropped: 0,
    registryDropped: 0,
  };
  readonly breaker: Breaker = new Breaker(WRITE_BREAKER);
  /** The last write error, cleared by a success. */
  lastError: string | undefined;
  #events: PendingEvent[] = [];
  #eventBytes = 0;
  #registry = new Map<string, Uint8Array | null>();
  #registryBytes = 0;
  #backoff = new Backoff(WRITE_RETRY);
  #wake: (() => void) | undefined;
  #stopped = false;
  #loop: Promise<void> | undefined;

  /** `session()` is the live session, or undefined while the link is not connected. */
  constructor(
    private session: () => Session | undefined,
    private maxEvents: number,
    private now: () => number = () => performance.now(),
  ) {}

  /** Queues an event (never waits). */
  event(subject: string, data: Uint8Array, msgId: string): void {
    this.#events.push({ subject, data, msgId });
    this.#eventBytes += data.length;
    while (this.#events.length > this.maxEvents) {
      this.#eventBytes -= this.#events.shift()!.data.length;
      this.stats.eventsDropped++;
    }
    this.kick();
  }

  /** Queues a registry write (`null` deletes the key); replaces a queued one for the key. */
  put(key: string, value: Uint8Array | null): void {
    const old = this.#registry.get(key);
    if (old === undefined && !this.#registry.has(key)) {
      if (this.#registry.size >= MAX_REGISTRY_PENDING) {
        this.stats.registryDropped++;
        return;
      }
    } else this.#registryBytes -= old?.length ?? 0;
    this.#registry.set(key, value);
    this.#registryBytes += value?.length ?? 0;
    this.kick();
  }

  /** Bytes waiting. */
  get pendingBytes(): number {
    return this.#eventBytes + this.#registryBytes;
  }

  /** Events waiting. */
  get pendingEvents(): number {
    return this.#events.length;
  }

  /** Registry writes waiting. */
  get pendingRegistry(): number {
    return this.#registry.size;
  }

  /** Wakes the loop (new items, or the link came up). */
  kick(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Writes what is queued for at most `ms`, then stops the loop. */
  async stop(ms: number): Promise<void> {
    const end = this.now() + ms;
    while (this.pendingEvents + this.pendingRegistry > 0 && this.now() < end && this.session()) {
      await new Promise((r) => setTimeout(r, 20));
    }
    this.#stopped = true;
    this.kick();
    await this.#loop;
  }

  async #sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = ms > 0 ? setTimeout(() => this.kick(), ms) : undefined;
      this.#wake = () => {
        if (t !== undefined) clearTimeout(t);
        resolve();
      };
    });
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const s = this.session();
      const work = this.#registry.size + this.#events.length > 0;
      if (!s || !work) {
        await this.#sleep(0);
        continue;
      }
      const now = this.now();
      if (!this.breaker.allow(now)) {
        await this.#sleep(this.breaker.openUntil - now);
        continue;
      }
      try {
        await this.#writeBatch(s);
        this.breaker.success();
        this.#backoff.reset();
        this.lastError = undefined;
      } catch (e) {
        this.lastError = e instanceof Error ? e.message : String(e);
        this.breaker.failure(this.now());
        if (!this.#stopped) await this.#sleep(this.#backoff.fail());
      }
    }
  }

  /**
   * Writes up to WRITE_BATCH queued items at once (registry updates first, then events in
   * order: one connection keeps their order) and waits for all acknowledgements, so a far
   * server costs one round trip per batch, not per item. Written items leave the queue;
   * throws the first failure.
   */
  async #writeBatch(s: Session): Promise<void> {
    const jobs: Promise<void>[] = [];
    for (const [key, value] of this.#registry) {
      if (jobs.length >= WRITE_BATCH) break;
      jobs.push(this.#writeEntry(s, key, value));
    }
    for (const ev of this.#events.slice(0, WRITE_BATCH - jobs.length)) {
      jobs.push(this.#writeEvent(s, ev));
    }
    const failed = (await Promise.allSettled(jobs)).find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  async #writeEntry(s: Session, key: string, value: Uint8Array | null): Promise<void> {
    try {
      if (value === null) await s.kv.delete(key);
      else await s.kv.put(key, value);
    } catch (e) {
      this.stats.registryErrors++;
      throw e;
    }
    // a newer value may have been queued meanwhile: keep that one
    if (this.#registry.get(key) === value) {
      this.#registry.delete(key);
      this.#registryBytes -= value?.length ?? 0;
    }
    this.stats.registry++;
  }

  async #writeEvent(s: Session, ev: PendingEvent): Promise<void> {
    try {
      await s.js.publish(ev.subject, ev.data, { msgID: ev.msgId, timeout: JS_TIMEOUT_MS });
    } catch (e) {
      this.stats.eventErrors++;
      throw e;
    }
    const i = this.#events.indexOf(ev); // usually 0; gone if dropped as oldest meanwhile
    if (i >= 0) {
      this.#events.splice(i, 1);
      this.#eventBytes -= ev.data.length;
    }
    this.stats.events++;
  }
}
