/**
 * The fleet link (README "Fleet on NATS"): with a `nats:` section a box joins a NATS
 * cluster with JetStream and publishes its registry entries (lib/fleet/registry.ts),
 * events (the event bus, lib/stream/events.ts) and, for the streams picked by
 * `nats.frames.streams`, its frames (lib/fleet/frames.ts); it answers control requests
 * through the NATS micro services protocol (lib/fleet/control.ts). lib/app/server.ts imports
 * this module only when the section exists.
 *
 * Reliability: nothing here runs on the ingest path except an O(1) hand-over (event bus,
 * output queue). While NATS is unreachable frames are dropped by whole GOPs and counted,
 * events and registry updates wait in a small bounded queue (lib/fleet/state_writer.ts)
 * and are written after reconnecting; the link reconnects with backoff
 * (lib/fleet/link.ts). `/api/v1/health` says `degraded` while the link or JetStream is
 * down; /metrics has the link state, pending bytes, publish errors and reconnects.
 */
import type { NatsConnection, Service } from "nats";
import type { NatsConfig } from "../config/nats.ts";
import type { BusEvent } from "../stream/events.ts";
import { Backoff } from "../core/retry.ts";
import type { Manager } from "../stream/manager.ts";
import type { Link } from "../stream/ports.ts";
import type { Emit } from "../core/metrics/registry.ts";
import { collectNats } from "./metrics.ts";
import { startControl } from "./control.ts";
import { FramePublisher } from "./frames.ts";
import { type FrameSession, type Session, setupJetStream } from "./jetstream_setup.ts";
import { LINK_RETRY, NatsLink } from "./link.ts";
import { boxName, BoxNames, streamGlob } from "./names.ts";
import { Registry } from "./registry.ts";
import { guardSocketErrors } from "./socket_guard.ts";
import { StateWriter } from "./state_writer.ts";

/** What the fleet link needs from the server. */
export interface FleetDeps {
  manager: Manager;
  config: NatsConfig;
  /** The HTTP API (routes/mod.ts createApp(...).fetch), for control requests. */
  fetch: (req: Request) => Response | Promise<Response>;
  version: string;
}

/** Time given to queued events and registry updates at shutdown (ms). */
export const STOP_FLUSH_MS = 700;
/** Time given to closing the connection at shutdown (ms). */
export const STOP_CLOSE_MS = 500;

/**
 * Bus events not sent to NATS: per-second stream statistics and GOP boundaries (many per
 * stream and second; the registry entry carries the current figures).
 */
const TELEMETRY = new Set<string>(["stream.stats", "stream.gop"]);

const enc = new TextEncoder();

/** The running fleet link; registered in `manager.links` for health and /metrics. */
export class Fleet implements Link {
  readonly name = "nats";
  readonly box: string;
  readonly names: BoxNames;
  readonly link: NatsLink;
  readonly writer: StateWriter;
  readonly registry: Registry;
  readonly frames: FramePublisher | undefined;
  /** Why the JetStream assets could not be made (JetStream disabled, no permission ...). */
  jetstreamError: string | undefined;
  /** Uncaught socket errors of the client caught by the guard (lib/fleet/socket_guard.ts). */
  socketErrors = 0;
  /** Control requests answered, by "operation status". */
  readonly control: Map<string, number> = new Map();
  /** The connection once set up: JetStream assets ready. */
  #session: Session | undefined;
  /** The connection as frames see it (plain publishes work without the assets). */
  #conn: FrameSession | undefined;
  #service: { nc: NatsConnection; srv: Service } | undefined;
  #unsubscribe: () => void;
  #unguard: () => void;
  #sweep: ReturnType<typeof setInterval>;
  #setupBackoff = new Backoff(LINK_RETRY);
  #setupTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #bootId = Date.now().toString(36);

  constructor(private d: FleetDeps) {
    const cfg = d.config;
    this.box = boxName(cfg.box);
    this.names = new BoxNames(this.box);
    this.writer = new StateWriter(() => this.#writable(), cfg.events.queue);
    this.registry = new Registry(d.manager, this.names, this.writer);
    this.frames = cfg.frames.streams
      ? new FramePublisher(d.manager, {
        names: this.names,
        session: () => this.link.connected ? this.#conn : undefined,
        tracks: cfg.frames.tracks,
        queueBytes: cfg.frames.queue,
      }, streamGlob(cfg.frames.streams))
      : undefined;
    this.link = new NatsLink({
      config: cfg,
      box: this.box,
      log: d.manager.log,
      events: d.manager.events,
      onUp: (nc) => this.#onUp(nc),
    });
    this.#unsubscribe = d.manager.events.subscribe((e) => this.#onEvent(e));
    this.#unguard = guardSocketErrors((e) => {
      this.socketErrors++;
      d.manager.log.warn("nats.socket_error", { box: this.box, error: String(e) });
    });
    this.#sweep = setInterval(() => this.frames?.sweep(), cfg.registry.interval);
  }

  /** True when the link is connected and JetStream answers. */
  get up(): boolean {
    return this.link.connected && this.jetstreamError === undefined;
  }

  /** Starts connecting (in the background) and publishing. */
  start(): void {
    for (const id of this.d.manager.streams.keys()) this.frames?.attach(id);
    this.registry.refresh();
    this.registry.start(this.d.config.registry.interval);
    this.writer.start();
    this.link.start();
    this.d.manager.log.info("nats.start", {
      box: this.box,
      servers: this.d.config.servers.join(","),
      frames: this.d.config.frames.streams || "none",
    });
  }

  /** The session the state writer may use: connected and with JetStream assets. */
  #writable(): Session | undefined {
    return this.up ? this.#session : undefined;
  }

  #onEvent(e: BusEvent): void {
    if (!TELEMETRY.has(e.type)) this.#forward(e);
    this.registry.onEvent(e);
    if (e.type === "stream.opened") {
      this.frames?.attach((e as BusEvent<"stream.opened">).data.stream);
    }
    if (e.type === "link.state" && (e as BusEvent<"link.state">).data.to === "connected") {
      this.registry.refresh(); // entries may have expired while the link was down
      this.writer.kick();
    }
  }

  /** Queues an event for `sluice.<box>.events`. */
  #forward(e: BusEvent): void {
    this.writer.event(
      this.names.events,
      enc.encode(JSON.stringify({
        box: this.box,
        id: e.id,
        time: new Date(e.time).toISOString(),
        type: e.type,
        data: e.data,
      })),
      `${this.box}-${this.#bootId}-${e.id}`,
    );
  }

  /** After every (re)connection: JetStream assets, then the control service. */
  async #onUp(nc: NatsConnection): Promise<void> {
    await this.#setup(nc);
    if (this.#service?.nc !== nc) {
      const srv = await startControl(nc, {
        names: this.names,
        version: this.d.version,
        fetch: this.d.fetch,
        counted: (op, status) => {
          const k = `${op} ${status}`;
          this.control.set(k, (this.control.get(k) ?? 0) + 1);
        },
      });
      this.#service = { nc, srv };
    }
  }

  /** Makes the JetStream assets; on failure retries with backoff while this connection lives. */
  async #setup(nc: NatsConnection): Promise<void> {
    clearTimeout(this.#setupTimer);
    this.#conn = { nc, js: nc.jetstream() };
    this.#session = undefined;
    try {
      this.#session = await setupJetStream(
        nc,
        this.names,
        this.d.config,
        this.frames !== undefined,
        this.d.manager.log,
      );
      if (this.jetstreamError !== undefined) {
        this.d.manager.log.info("nats.jetstream_ready", { box: this.box });
      }
      this.jetstreamError = undefined;
      this.#setupBackoff.reset();
      this.writer.kick();
    } catch (e) {
      const msg = `JetStream unavailable: ${e instanceof Error ? e.message : e}`;
      if (msg !== this.jetstreamError) {
        this.d.manager.log.error("nats.jetstream_failed", { box: this.box, error: msg });
      }
      this.jetstreamError = msg;
      this.#setupTimer = setTimeout(() => {
        if (!nc.isClosed() && this.link.nc === nc) void this.#setup(nc);
      }, this.#setupBackoff.fail());
    }
  }

  /** Flushes queued state (bounded), stops publishing and closes the connection. */
  async stop(): Promise<void> {
    this.registry.stop();
    clearInterval(this.#sweep);
    clearTimeout(this.#setupTimer);
    this.registry.refresh(); // closed states after the manager's shutdown
    await this.writer.stop(STOP_FLUSH_MS);
    this.#unsubscribe();
    await this.frames?.close();
    await this.#service?.srv.stop().catch(() => {});
    // closing flushes the client's buffer; a dead link must not hold up shutdown (2 s)
    let t: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.link.stop(), new Promise((r) => t = setTimeout(r, STOP_CLOSE_MS))]);
    clearTimeout(t);
    this.#unguard();
  }

  /** Bytes waiting: frames queued or in flight, events and registry updates. */
  get pendingBytes(): number {
    return (this.frames?.pendingBytes ?? 0) + this.writer.pendingBytes;
  }

  /** The `nats` part of /api/v1/health. */
  health(): Record<string, unknown> {
    const l = this.link;
    const w = this.writer.stats;
    const f = this.frames?.totals();
    return {
      enabled: true,
      state: l.state,
      since: l.since.toISOString(),
      box: this.box,
      servers: this.d.config.servers,
      server: l.connected ? l.nc?.getServer() : undefined,
      error: l.error ?? this.jetstreamError,
      jetstream: this.jetstreamError ?? (l.connected ? "ok" : "unknown"),
      reconnects: l.reconnects,
      failedAttempts: l.failedAttempts,
      socketErrors: this.socketErrors,
      pendingBytes: this.pendingBytes,
      pending: { events: this.writer.pendingEvents, registry: this.writer.pendingRegistry },
      publishErrors: w.eventErrors + w.registryErrors + (f?.errors ?? 0),
      writeError: this.writer.lastError,
      breaker: this.writer.breaker.state,
      published: {
        events: w.events,
        registry: w.registry,
        frames: f?.frames ?? 0,
        frameBytes: f?.bytes ?? 0,
      },
      dropped: {
        events: w.eventsDropped,
        registry: w.registryDropped,
        frames: f?.dropped ?? {},
      },
      frameStreams: this.frames ? [...this.frames.pumps.keys()] : [],
    };
  }

  /** The `sluice_nats_*` series of /metrics (lib/fleet/metrics.ts). */
  metrics(emit: Emit): void {
    collectNats(emit, {
      box: this.box,
      up: this.up,
      state: this.link.state,
      reconnects: this.link.reconnects,
      pendingBytes: this.pendingBytes,
      writer: this.writer.stats,
      frames: this.frames?.totals(),
      pumps: this.frames?.pumps,
      control: this.control,
    });
  }
}

/** Creates the fleet link, registers it with the manager and starts it. */
export function startFleet(d: FleetDeps): Fleet {
  const f = new Fleet(d);
  d.manager.links.push(f);
  f.start();
  return f;
}
