/**
 * Push outputs (`outputs:` in the config): each entry matches streams by id or glob
 * ("cam*") and relays them to its URL (relay.ts). With `{stream}` in the URL every
 * matching stream gets its own connection; without it the output carries one stream at a
 * time (the first match, kept while that stream is in the registry). A relay stays with
 * its stream while the stream is listed (a publisher reconnecting within the retention
 * window gets the same stream back, so the relay's state and connection carry over) and
 * stops when the stream is removed. Config reloads add, remove and restart outputs whose
 * entry changed; unchanged ones keep running. State changes go to the event bus as
 * `output.state`.
 */
import type { OutputConfig } from "../config/config.ts";
import type { Manager } from "../stream/manager.ts";
import type { Stream } from "../stream/stream.ts";
import type { Link } from "./link.ts";
import { addCounters, type OutputState, Relay, type RelayCounters, zeroCounters } from "./relay.ts";
import { SrtCaller } from "./srt_caller.ts";
import { parseTarget, redactUrl, type Target, targetAddress } from "../config/output_url.ts";
import { UdpLink } from "./udp_sender.ts";
import { HOUSEKEEPING } from "../core/ticker.ts";

/** Every output state, for metrics. */
export const OUTPUT_STATES: readonly OutputState[] = [
  "connecting",
  "connected",
  "backoff",
  "open",
  "idle",
];

/** How bad a state is, to summarize several relays. */
const RANK: Record<OutputState, number> = {
  idle: 0,
  connected: 1,
  connecting: 2,
  backoff: 3,
  open: 4,
};

/** Glob ("*", "?") to a regular expression. */
function globRe(p: string): RegExp {
  const esc = p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${esc}$`);
}

/** Output totals as the API and metrics show them. */
export interface OutputSnapshot extends RelayCounters {
  state: OutputState;
  breaker: { state: string; failures: number; opened: number };
}

/** One configured output and its relays. */
export class Output {
  readonly relays: Map<string, Relay> = new Map();
  readonly #re: RegExp;
  readonly #perStream: boolean;
  /** Counters of relays that have ended. */
  readonly #gone: RelayCounters = zeroCounters();
  #breakerOpened = 0;
  #idleSince = new Date();

  constructor(readonly cfg: OutputConfig, private readonly om: OutputManager) {
    this.#re = globRe(cfg.stream);
    this.#perStream = cfg.url.includes("{stream}");
  }

  get name(): string {
    return this.cfg.name;
  }

  /** Starts and stops relays to follow the stream registry. */
  reconcile(streams: Map<string, Stream>): void {
    for (const [id, r] of this.relays) {
      if (streams.get(id) !== r.stream) void this.#drop(id, r);
    }
    if (!this.#perStream && this.relays.size > 0) return;
    const live = [...streams.values()].filter((s) => this.#re.test(s.id));
    live.sort((a, b) => (a.state === "closed" ? 1 : 0) - (b.state === "closed" ? 1 : 0));
    for (const s of live) {
      if (this.relays.has(s.id)) continue;
      if (!this.#perStream && s.state === "closed") continue;
      const url = this.cfg.url.replaceAll("{stream}", encodeURIComponent(s.id));
      const t = parseTarget(url);
      if (!t.ok) {
        this.om.log("warn", "output.bad_target", {
          output: this.name,
          stream: s.id,
          error: t.reason,
        });
        continue;
      }
      const r = new Relay(s, t.value, {
        mode: this.cfg.mode,
        queueBytes: this.cfg.queueSize,
        retry: {
          initialMs: this.cfg.retry.initial,
          maxMs: this.cfg.retry.max,
          multiplier: this.cfg.retry.multiplier,
        },
        breaker: { failures: this.cfg.breaker.failures, cooldownMs: this.cfg.breaker.cooldown },
      }, {
        connect: (target, signal) => this.om.connect(target, signal),
        onState: (rel, from, to, reason) => this.om.stateChanged(this, rel, from, to, reason),
      });
      this.relays.set(s.id, r);
      r.start();
      if (!this.#perStream) break;
    }
  }

  async #drop(id: string, r: Relay): Promise<void> {
    this.relays.delete(id);
    await r.stop();
    addCounters(this.#gone, r.snapshot());
    this.#breakerOpened += r.breaker.opened;
    this.#idleSince = new Date();
  }

  /** Stops every relay. */
  async stop(): Promise<void> {
    await Promise.all([...this.relays].map(([id, r]) => this.#drop(id, r)));
  }

  /** Reconnects now (API restart). */
  restart(reason: string): void {
    for (const r of this.relays.values()) r.restart(reason);
  }

  /** Totals over current and ended relays; state is the worst current one. */
  snapshot(): OutputSnapshot {
    const out: OutputSnapshot = {
      ...this.#gone,
      drops: { ...this.#gone.drops },
      state: "idle",
      breaker: { state: "closed", failures: 0, opened: this.#breakerOpened },
    };
    for (const r of this.relays.values()) {
      addCounters(out, r.snapshot());
      if (RANK[r.state] >= RANK[out.state]) out.state = r.state;
      out.breaker.opened += r.breaker.opened;
      out.breaker.failures = Math.max(out.breaker.failures, r.breaker.failures);
      if (r.breaker.state !== "closed") out.breaker.state = r.breaker.state;
    }
    return out;
  }

  /** The output as GET /api/v1/outputs/{name} shows it. */
  toJSON(): Record<string, unknown> {
    const s = this.snapshot();
    const relays = [...this.relays.values()];
    const first = relays[0];
    const target = first ? targetAddress(first.target) : (() => {
      const t = parseTarget(this.cfg.url.replaceAll("{stream}", "x"));
      return t.ok ? targetAddress(t.value) : "";
    })();
    return {
      name: this.name,
      stream: this.cfg.stream,
      url: redactUrl(this.cfg.url),
      mode: this.cfg.mode,
      state: s.state,
      target,
      since: (first?.since ?? this.#idleSince).toISOString(),
      bytes: s.bytes,
      frames: s.frames,
      drops: s.drops,
      gopsDropped: s.gopsDropped,
      retries: s.retries,
      connects: s.connects,
      nextAttemptAt: first?.nextAttemptAt?.toISOString() ?? null,
      breaker: s.breaker,
      lastError: first?.lastError ?? null,
      lastErrorAt: first?.lastErrorAt?.toISOString() ?? null,
      relays: relays.map((r) => {
        const c = r.snapshot();
        return {
          stream: r.stream.id,
          state: r.state,
          target: targetAddress(r.target),
          since: r.since.toISOString(),
          bytes: c.bytes,
          frames: c.frames,
          drops: c.drops,
          gopsDropped: c.gopsDropped,
          retries: c.retries,
          nextAttemptAt: r.nextAttemptAt?.toISOString() ?? null,
          breaker: {
            state: r.breaker.state,
            failures: r.breaker.failures,
            opened: r.breaker.opened,
          },
          lastError: r.lastError ?? null,
        };
      }),
    };
  }
}

/** Test hook: replaces how links are opened. */
export type Connector = (t: Target, signal: AbortSignal) => Promise<Link>;

/** All outputs of a server. */
export class OutputManager {
  readonly #outputs = new Map<string, Output>();
  #srt: SrtCaller | undefined;
  #untick: (() => void) | undefined;
  #off: (() => void) | undefined;

  constructor(private readonly manager: Manager, private readonly connector?: Connector) {}

  /** Opens a link to a target. */
  connect(t: Target, signal: AbortSignal): Promise<Link> {
    if (this.connector) return this.connector(t, signal);
    if (t.scheme === "udp") return UdpLink.open(t);
    this.#srt ??= new SrtCaller(this.manager.config.srt.library || undefined);
    return this.#srt.connect(t, signal);
  }

  log(
    level: "info" | "warn",
    event: string,
    f: Record<string, string | number | boolean | undefined>,
  ): void {
    this.manager.log[level](event, f);
  }

  /** A relay changed state: log and event bus. */
  stateChanged(o: Output, r: Relay, from: OutputState, to: OutputState, reason?: string): void {
    const target = targetAddress(r.target);
    const f = { output: o.name, stream: r.stream.id, target, from, to, reason };
    this.log(to === "backoff" || to === "open" ? "warn" : "info", "output.state", f);
    this.manager.events.emit("output.state", {
      output: o.name,
      stream: r.stream.id,
      target,
      from,
      to,
      ...(reason ? { reason } : {}),
      ...(to === "backoff" && r.nextAttemptAt
        ? { retryInMs: Math.max(0, r.nextAttemptAt.getTime() - Date.now()) }
        : {}),
    });
  }

  /** Outputs by name. */
  get(name: string): Output | undefined {
    return this.#outputs.get(name);
  }

  list(): Output[] {
    return [...this.#outputs.values()];
  }

  toJSON(): Record<string, unknown>[] {
    return this.list().map((o) => o.toJSON());
  }

  /** Outputs with a relay in backoff or with an open breaker (health says degraded). */
  down(): string[] {
    return this.list().filter((o) => {
      const s = o.snapshot().state;
      return s === "backoff" || s === "open";
    }).map((o) => o.name);
  }

  /**
   * Applies the `outputs:` list: new names start, missing ones stop, changed entries
   * restart; returns what happened (for the reload log).
   */
  async apply(
    cfgs: OutputConfig[],
  ): Promise<{ added: string[]; removed: string[]; changed: string[] }> {
    const res = { added: [] as string[], removed: [] as string[], changed: [] as string[] };
    const want = new Map(cfgs.map((c) => [c.name, c]));
    for (const [name, o] of this.#outputs) {
      const c = want.get(name);
      if (c && JSON.stringify(c) === JSON.stringify(o.cfg)) continue;
      this.#outputs.delete(name);
      await o.stop();
      (c ? res.changed : res.removed).push(name);
    }
    for (const c of cfgs) {
      if (this.#outputs.has(c.name)) continue;
      this.#outputs.set(c.name, new Output(c, this));
      if (!res.changed.includes(c.name)) res.added.push(c.name);
    }
    this.reconcile();
    return res;
  }

  /** Matches outputs to the stream registry. */
  reconcile(): void {
    for (const o of this.#outputs.values()) o.reconcile(this.manager.streams);
  }

  /** Starts following the registry (bus events, and a 500 ms sweep for retention expiry). */
  start(): void {
    this.#off ??= this.manager.events.subscribe((e) => {
      if (e.type === "stream.opened" || e.type === "stream.removed") this.reconcile();
    });
    this.#untick ??= HOUSEKEEPING.every(500, () => this.reconcile());
  }

  /** Stops every relay and releases libsrt. */
  async stop(): Promise<void> {
    this.#off?.();
    this.#off = undefined;
    this.#untick?.();
    this.#untick = undefined;
    await Promise.all(this.list().map((o) => o.stop()));
    this.#outputs.clear();
    await this.#srt?.close();
    this.#srt = undefined;
  }
}
