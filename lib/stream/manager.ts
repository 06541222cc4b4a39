/**
 * The stream manager: registry of streams, lifecycle (open, revive, close, retain,
 * remove), limits (max_connections, duplicates, memory), refusal counters, listener
 * health, and system statistics. Adapters reach it through `StreamOpener`.
 */
import type { Config } from "../config/config.ts";
import type { Logger } from "../core/log.ts";
import { EventBus, type EventMap } from "./events.ts";
import { enforceGlobalLimit } from "../buffer/memory.ts";
import { GopAnnouncer } from "./gop_events.ts";
import { IDLE_RECOVERING_MS, Stream, type StreamOptions } from "./stream.ts";
import { recoveringAfterMs, silentMs, takeoverReason } from "./takeover.ts";
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
import { hostOf } from "../core/address.ts";
import { LabeledReasonCounter } from "./counters.ts";
import { fail, ok, type Result } from "../core/result.ts";
import type { DataReason, RefusalReason, TakeoverReason } from "../core/reasons/catalogue.ts";

/** Closed streams stay listed this long by default (ms; `ingestion.closed_retention`). */
export const CLOSED_RETENTION_MS = 60_000;

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
  #timer?: ReturnType<typeof setInterval>;
  /** Bytes buffered by all streams, kept per frame (exact again after every tick). */
  #buffered = 0;
  readonly #now: () => number;

  constructor(public config: Config, public log: Logger, private opts: ManagerOptions = {}) {
    this.#now = opts.now ?? (() => performance.now());
    this.#gops = new GopAnnouncer(this.events, this.#now);
  }

  /** Streams not closed. */
  get liveCount(): number {
    let n = 0;
    for (const s of this.streams.values()) if (s.state !== "closed") n++;
    return n;
  }

  /** Bytes held in all streams' buffers. */
  get bufferedBytes(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.bufferedBytes;
    return n;
  }

  /**
   * The protocol a stream name belongs to: names in `rtp.streams` and `ssrc-*` to RTP,
   * names in the `srt.streams` allowlist to SRT; another protocol's publisher claiming
   * one is refused ("name_reserved"), so it cannot lock the configured one out.
   */
  reservedFor(name: string): Protocol | undefined {
    const c = this.config;
    if (name.startsWith("ssrc-") || c.rtp.streams.some((s) => s.name === name)) return "rtp";
    if (Object.hasOwn(c.srt.streams, name)) return "srt";
    return undefined;
  }

  /** Live streams from the host of `remote` ("ip:port" or "[ip6]:port"). */
  liveFromHost(remote: string): number {
    const host = hostOf(remote);
    let n = 0;
    for (const s of this.streams.values()) {
      if (s.state !== "closed" && hostOf(s.remote) === host) n++;
    }
    return n;
  }

  refuse(protocol: Protocol, reason: RefusalReason, who: RefusalSubject = {}): void {
    this.refused.add(protocol, reason);
    this.events.emit("stream.refused", { protocol, reason, ...who });
  }

  /**
   * The one home of the admission rules: a name configured for the other protocol
   * (name_reserved); one live stream per name unless the publisher may take it over
   * (lib/stream/takeover.ts; it reuses the stream's slot); max_connections; max_per_source
   * for the caller's address.
   */
  admit(
    protocol: Protocol,
    who: RefusalSubject & { stream: string },
  ): Result<void, RefusalReason> {
    const existing = this.streams.get(who.stream);
    const owner = this.reservedFor(who.stream);
    const ownName = !owner || owner === protocol;
    if (ownName && existing && this.#takeover(existing, protocol)) return ok(undefined);
    const reason = this.#admission(protocol, who.stream, who.remote);
    if (reason === undefined) return ok(undefined);
    this.refuse(protocol, reason, who);
    return fail(reason);
  }

  #admission(protocol: Protocol, name: string, remote?: string): RefusalReason | undefined {
    const owner = this.reservedFor(name);
    if (owner && owner !== protocol) return "name_reserved";
    const existing = this.streams.get(name);
    if (existing && existing.state !== "closed") return "duplicate";
    const ing = this.config.ingestion;
    if (this.liveCount >= ing.maxConnections) return "max_connections";
    if (
      ing.maxPerSource > 0 && remote !== undefined &&
      this.liveFromHost(remote) >= ing.maxPerSource
    ) {
      return "max_per_source";
    }
    return undefined;
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
    this.#noteTakeover(s, restart.reason, previous, restart.silentMs);
  }

  /** A new session continues a live stream: counted, logged and emitted. */
  #noteTakeover(s: Stream, reason: TakeoverReason, previousRemote: string, silent: number): void {
    this.takeovers.add(s.protocol, reason);
    const fields = {
      stream: s.id,
      protocol: s.protocol,
      reason,
      remote: s.remote,
      previousRemote,
      sessions: s.sessions,
      silentMs: Math.round(silent),
    };
    this.log.info("stream.takeover", fields);
    this.events.emit("stream.takeover", fields);
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
      return ok(this.#announce(existing));
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
      onState: (st, from, to) => {
        this.log.info("stream.state", { stream: st.id, from, to, reason: st.closeReason });
        this.events.emit("stream.state", { stream: st.id, from, to, reason: st.closeReason });
        if (to === "closed") {
          const key = `${st.protocol}_${st.closeReason ?? "unknown"}`;
          this.closed.set(key, (this.closed.get(key) ?? 0) + 1);
          this.events.emit("stream.closed", { stream: st.id, reason: st.closeReason ?? "" });
        }
      },
    });
    this.streams.set(s.id, s);
    this.log.info("stream.open", {
      stream: s.id,
      protocol: s.protocol,
      remote: s.remote,
      streamId: req.streamId,
      ssrc: req.ssrc,
    });
    return ok(this.#announce(s));
  }

  /** Emits `stream.opened` for a new or revived stream and returns it. */
  #announce(s: Stream): Stream {
    this.events.emit("stream.opened", {
      stream: s.id,
      protocol: s.protocol,
      remote: s.remote,
      sessions: s.sessions,
    });
    return s;
  }

  /**
   * The global memory limit at frame admission: a frame that would take the total past
   * `global_limit` first makes the largest holders shed whole GOPs; if that is not enough
   * it is refused. So the limit is never exceeded (the 500 ms tick only re-syncs).
   */
  readonly #memory = {
    admit: (_s: Stream, bytes: number): boolean => {
      const limit = this.config.ingestion.memory.globalLimit;
      if (this.#buffered + bytes <= limit) return true;
      this.#shed(Math.max(0, limit - bytes));
      return this.#buffered + bytes <= limit;
    },
    stored: (_s: Stream, delta: number): void => {
      this.#buffered += delta;
    },
  };

  /** Sheds GOPs until at most `target` bytes are buffered; re-syncs the running total. */
  #shed(target: number): void {
    const freed = enforceGlobalLimit(this.streams.values(), target);
    this.#buffered = this.bufferedBytes;
    if (freed > 0) {
      this.log.warn("memory.global_limit", { freedBytes: freed });
      this.events.emit("memory.pressure", {
        bufferedBytes: this.#buffered,
        limitBytes: this.config.ingestion.memory.globalLimit,
        freedBytes: freed,
      });
    }
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
    this.#noteTakeover(s, reason, previousRemote, silent);
    return s;
  }

  /** Looks up a stream by id. */
  get(id: string): Stream | undefined {
    return this.streams.get(id);
  }

  /** Disconnects (if live) and removes a stream from the registry. */
  remove(id: string, reason = "api_delete"): boolean {
    const s = this.streams.get(id);
    if (!s) return false;
    if (s.state !== "closed") this.#disconnect(s, reason);
    this.streams.delete(id);
    this.#buffered = this.bufferedBytes;
    this.log.info("stream.removed", { stream: id, reason });
    this.events.emit("stream.removed", { stream: id, reason });
    return true;
  }

  /** Housekeeping: idle detection, retention of closed streams, memory limits. */
  tick(): void {
    const now = this.#now();
    const wall = Date.now();
    const connectTimeout = this.config.ingestion.connectTimeout;
    const retention = this.opts.retentionMs ?? this.config.ingestion.closedRetention ??
      CLOSED_RETENTION_MS;
    for (const [id, s] of this.streams) {
      s.tick(now, recoveringAfterMs(s.protocol, this.config, IDLE_RECOVERING_MS));
      if (s.state === "closed" && s.closedAt && wall - s.closedAt.getTime() > retention) {
        this.streams.delete(id);
      } else if (
        s.state !== "closed" && !s.delivered && now - s.sessionStartMs > connectTimeout
      ) {
        // holds a max_connections slot without sending media: give the slot back
        this.log.warn("stream.connect_timeout", {
          stream: id,
          remote: s.remote,
          timeoutMs: connectTimeout,
        });
        this.#disconnect(s, "connect_timeout");
      }
    }
    this.#shed(this.config.ingestion.memory.globalLimit);
  }

  /** Starts the housekeeping timer (every 500 ms). */
  start(): void {
    this.#timer ??= setInterval(() => this.tick(), 500);
  }

  /** Stops listeners, disconnects every stream, stops the timer. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const s of this.streams.values()) {
      if (s.state !== "closed") this.#disconnect(s, "shutdown");
    }
    await Promise.allSettled(this.listeners.map((l) => l.stop()));
  }

  /** System statistics for /api/v1/stats. */
  stats(): Record<string, unknown> {
    const byState: Record<string, number> = {};
    const byCodec: Record<string, number> = {};
    let bitrate = 0;
    let packets = 0;
    let bytes = 0;
    let errors = 0;
    let drops = 0;
    const now = this.#now();
    for (const s of this.streams.values()) {
      byState[s.state] = (byState[s.state] ?? 0) + 1;
      for (const t of s.tracks.values()) byCodec[t.info.codec] = (byCodec[t.info.codec] ?? 0) + 1;
      if (s.state !== "closed") bitrate += s.bitrate.rate(now, 1);
      packets += s.packets;
      bytes += s.bytes;
      errors += s.errors.total;
      drops += s.drops.total;
    }
    const mem = Deno.memoryUsage();
    return {
      uptimeS: Math.round((Date.now() - this.startedAt.getTime()) / 1000),
      streams: { total: this.streams.size, live: this.liveCount, byState, opened: this.opened },
      maxConnections: this.config.ingestion.maxConnections,
      codecs: byCodec,
      bitrateBps: Math.round(bitrate),
      packets,
      bytes,
      errors,
      drops,
      refused: this.refused.toJSON(),
      closed: Object.fromEntries(this.closed),
      takeovers: this.takeovers.toJSON(),
      portErrors: this.portErrors.toJSON(),
      memory: {
        rssBytes: mem.rss,
        heapUsedBytes: mem.heapUsed,
        bufferedBytes: this.bufferedBytes,
        globalLimitBytes: this.config.ingestion.memory.globalLimit,
        perStreamLimitBytes: this.config.ingestion.memory.perStreamLimit,
      },
    };
  }
}
