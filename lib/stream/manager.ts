/**
 * The stream manager: registry of streams, lifecycle (open, revive, takeover, close,
 * remove), refusal counters and listeners. Adapters reach it through `StreamOpener`. Its
 * parts: admission rules (lib/stream/admission.ts), the global memory limit
 * (lib/stream/global_memory.ts), housekeeping and retention (lib/stream/housekeeping.ts),
 * lifecycle logs, events and counts (lib/stream/lifecycle_events.ts), system statistics
 * (lib/stream/system_stats.ts).
 */
import type { Config } from "../config/config.ts";
import type { Logger } from "../core/log.ts";
import { liveCount, liveFromHost, refusalReason, reservedFor } from "./admission.ts";
import { EventBus, type EventMap } from "./events.ts";
import { bufferedIn, GlobalMemory } from "./global_memory.ts";
import { GopAnnouncer } from "./gop_events.ts";
import { CLOSED_RETENTION_MS, sweepStreams } from "./housekeeping.ts";
import { announceOpened, reportState, reportTakeover } from "./lifecycle_events.ts";
import { Stream, type StreamOptions } from "./stream.ts";
import { systemStats } from "./system_stats.ts";
import { silentMs, takeoverReason } from "./takeover.ts";
import type {
  AdapterHooks,
  Link,
  Listener,
  OpenRequest,
  Protocol,
  RefusalSubject,
  StreamOpener,
  StreamSink,
} from "./ports.ts";
import { LabeledReasonCounter } from "./counters.ts";
import { fail, ok, type Result } from "../core/result.ts";
import type { DataReason, RefusalReason, TakeoverReason } from "../core/reasons/catalogue.ts";
import { HOUSEKEEPING } from "../core/ticker.ts";

/** Options for the manager. */
export interface ManagerOptions {
  now?: () => number;
  /** Overrides `ingestion.closed_retention` (ms). */
  retentionMs?: number;
  /** Frame store factory per stream (GOP buffer), see StreamOptions. */
  frameSink?: StreamOptions["frameSink"];
}

/** Registry and lifecycle of all streams. */
export class Manager implements StreamOpener {
  readonly streams: Map<string, Stream> = new Map();
  /** Refused publishers by protocol and reason (API: "<protocol>_<reason>"). */
  readonly refused: LabeledReasonCounter<Protocol, RefusalReason> = new LabeledReasonCounter();
  /**
   * Streams closed, "<protocol>_<reason>" (connect_timeout, peer_closed, api_delete,
   * shutdown, rtp_bye ...). Close reasons include codes from the transport, so this is a
   * plain map rather than a catalogue counter (lib/core/reasons/catalogue.ts).
   */
  readonly closed: Map<string, number> = new Map();
  /** Input rejected before it belongs to a stream (garbage on a port), by listener and reason. */
  readonly portErrors: LabeledReasonCounter<Listener["name"], DataReason> =
    new LabeledReasonCounter();
  /** Live streams continued by a new publisher session, by protocol and reason (lib/stream/takeover.ts). */
  readonly takeovers: LabeledReasonCounter<Protocol, TakeoverReason> = new LabeledReasonCounter();
  readonly listeners: Listener[] = [];
  readonly links: Link[] = [];
  readonly startedAt: Date = new Date();
  /** What happens to streams and the box (lib/stream/events.ts), for SSE, NATS and tests. */
  readonly events: EventBus = new EventBus();
  readonly #gops: GopAnnouncer;
  opened = 0;
  #untick?: () => void;
  readonly #now: () => number;
  /** The global memory limit at frame admission (lib/stream/global_memory.ts). */
  readonly #memory: GlobalMemory;

  constructor(public config: Config, public log: Logger, private opts: ManagerOptions = {}) {
    this.#now = opts.now ?? (() => performance.now());
    this.#gops = new GopAnnouncer(this.events, this.#now);
    this.#memory = new GlobalMemory(
      this.streams,
      () => this.config.ingestion.memory.globalLimit,
      log,
      this.events,
    );
  }

  /** Streams not closed. */
  get liveCount(): number {
    return liveCount(this.streams.values());
  }

  /** Bytes held in all streams' buffers. */
  get bufferedBytes(): number {
    return bufferedIn(this.streams.values());
  }

  /** The protocol a stream name is reserved for (lib/stream/admission.ts reservedFor). */
  reservedFor(name: string): Protocol | undefined {
    return reservedFor(this.config, name);
  }

  /** Live streams from the host of `remote` ("ip:port" or "[ip6]:port"). */
  liveFromHost(remote: string): number {
    return liveFromHost(this.streams.values(), remote);
  }

  refuse(protocol: Protocol, reason: RefusalReason, who: RefusalSubject = {}): void {
    this.refused.add(protocol, reason);
    this.events.emit("stream.refused", { protocol, reason, ...who });
  }

  /**
   * Admits a publisher or refuses it (counted, emitted): one live stream per name unless
   * the publisher may take it over (lib/stream/takeover.ts; it reuses the stream's slot),
   * else the admission rules of lib/stream/admission.ts.
   */
  admit(
    protocol: Protocol,
    who: RefusalSubject & { stream: string },
  ): Result<void, RefusalReason> {
    const existing = this.streams.get(who.stream);
    const owner = this.reservedFor(who.stream);
    const ownName = !owner || owner === protocol;
    if (ownName && existing && this.#takeover(existing, protocol)) return ok(undefined);
    const reason = refusalReason(this.streams, this.config, protocol, who.stream, who.remote);
    if (reason === undefined) return ok(undefined);
    this.refuse(protocol, reason, who);
    return fail(reason);
  }

  isLive(name: string): boolean {
    const s = this.streams.get(name);
    return s !== undefined && s.state !== "closed";
  }

  portError(listener: Listener["name"], reason: DataReason, n = 1): void {
    this.portErrors.add(listener, reason, n);
  }

  /** Whether a publisher of `protocol` may take the live stream `s` over now, and why. */
  #takeover(s: Stream, protocol: Protocol): TakeoverReason | undefined {
    return takeoverReason(s, protocol, this.config, this.#now());
  }

  continueSession(
    sink: StreamSink,
    restart: { reason: TakeoverReason; remote: string; ssrc?: number; silentMs: number },
  ): void {
    const s = this.streams.get(sink.id);
    if (!s || s !== sink || s.state === "closed") return;
    const previous = s.remote;
    s.beginSession({ remote: restart.remote, ssrc: restart.ssrc });
    reportTakeover(this, this.takeovers, s, {
      reason: restart.reason,
      previousRemote: previous,
      silentMs: restart.silentMs,
    });
  }

  open(req: OpenRequest, hooks: AdapterHooks): Result<Stream, RefusalReason> {
    const admitted = this.admit(req.protocol, { stream: req.name, remote: req.remote });
    if (!admitted.ok) {
      this.log.warn("stream.refused", {
        stream: req.name,
        remote: req.remote,
        reason: admitted.reason,
      });
      return fail(admitted.reason);
    }
    const existing = this.streams.get(req.name);
    const takeover = existing && this.#takeover(existing, req.protocol);
    if (existing && takeover) return ok(this.#takeOver(existing, req, hooks, takeover));
    if (this.bufferedBytes >= this.config.ingestion.memory.globalLimit) {
      this.refuse(req.protocol, "memory", { stream: req.name, remote: req.remote });
      return fail("memory");
    }
    this.opened++;
    if (existing && existing.protocol === req.protocol) {
      existing.revive(req, hooks);
      this.log.info("stream.reconnect", {
        stream: req.name,
        remote: req.remote,
        sessions: existing.sessions,
      });
      return ok(announceOpened(this.events, existing));
    }
    const s = new Stream(req, hooks, {
      now: this.#now,
      frameSink: this.opts.frameSink,
      memory: this.#memory,
      sync: {
        thresholdMs: () => this.config.ingestion.syncThreshold,
        emit: (type, data) => this.events.emit(type, data as EventMap[typeof type]),
      },
      onKeyframe: (st, au) => this.#gops.keyframe(st, au),
      onState: (st, from, to) => reportState(this, this.closed, st, from, to),
    });
    this.streams.set(s.id, s);
    this.log.info("stream.open", {
      stream: s.id,
      protocol: s.protocol,
      remote: s.remote,
      streamId: req.streamId,
      ssrc: req.ssrc,
    });
    return ok(announceOpened(this.events, s));
  }

  /**
   * Closes a stream with `reason`, then has its adapter drop the connection (in this
   * order, so the adapter's own "closed_by_server" does not replace the reason).
   */
  #disconnect(s: Stream, reason: string): void {
    s.close(reason);
    try {
      s.hooks?.disconnect(reason);
    } catch (e) {
      this.log.error("adapter.disconnect_failed", { stream: s.id, error: String(e) });
    }
  }

  /**
   * The new publisher continues `s`; the old session's connection is closed with reason
   * `replaced` after the stream has moved on, so its adapter leaves the stream alone.
   */
  #takeOver(s: Stream, req: OpenRequest, hooks: AdapterHooks, reason: TakeoverReason): Stream {
    const old = s.hooks;
    const previousRemote = s.remote;
    const silent = silentMs(s, this.#now());
    s.takeOver(req, hooks);
    try {
      old?.disconnect("replaced");
    } catch (e) {
      this.log.error("adapter.disconnect_failed", { stream: s.id, error: String(e) });
    }
    reportTakeover(this, this.takeovers, s, { reason, previousRemote, silentMs: silent });
    return s;
  }

  /** Looks up a stream by id. */
  get(id: string): Stream | undefined {
    return this.streams.get(id);
  }

  /**
   * Disconnects (if live) and removes a stream from the registry: by the API, or by
   * housekeeping when a closed stream's retention has passed (`retention_expired`).
   */
  remove(id: string, reason = "api_delete"): boolean {
    const s = this.streams.get(id);
    if (!s) return false;
    if (s.state !== "closed") this.#disconnect(s, reason);
    this.streams.delete(id);
    s.discard(); // its PES slabs may serve other streams once its input has ended
    this.#memory.resync();
    this.log.info("stream.removed", { stream: id, reason });
    this.events.emit("stream.removed", { stream: id, reason });
    return true;
  }

  /** Housekeeping: idle detection, retention of closed streams, memory limits. */
  tick(): void {
    sweepStreams(this.streams, this.config, {
      now: this.#now(),
      wall: Date.now(),
      retentionMs: this.opts.retentionMs ?? this.config.ingestion.closedRetention ??
        CLOSED_RETENTION_MS,
      log: this.log,
      expire: (id) => this.remove(id, "retention_expired"),
      disconnect: (s, reason) => this.#disconnect(s, reason),
    });
    this.#memory.shed(this.config.ingestion.memory.globalLimit);
  }

  /** Starts the housekeeping timer (every 500 ms). */
  start(): void {
    this.#untick ??= HOUSEKEEPING.every(500, () => this.tick());
  }

  /** Stops listeners, disconnects every stream, stops the timer. */
  async stop(): Promise<void> {
    this.#untick?.();
    this.#untick = undefined;
    for (const s of this.streams.values()) {
      if (s.state !== "closed") this.#disconnect(s, "shutdown");
    }
    await Promise.allSettled(this.listeners.map((l) => l.stop()));
  }

  /** System statistics for /api/v1/stats (lib/stream/system_stats.ts). */
  stats(): Record<string, unknown> {
    return systemStats(this, this.#now());
  }
}
