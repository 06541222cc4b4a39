/**
 * The running appliance: manager, protocol listeners, HTTP API, signals (SIGINT and
 * SIGTERM stop within 2 s; SIGHUP reloads the config file).
 */
import type { Config } from "../config/config.ts";
import { ConfigError } from "../config/load.ts";
import { loadConfigFile } from "./config_files.ts";
import { createLogger, type Logger } from "../core/log.ts";
import { Manager } from "../stream/manager.ts";
import { LagMonitor } from "../core/metrics/event_loop.ts";
import { applicableConfig, diffConfig } from "./reload.ts";
import { VERSION } from "../core/version.ts";
import { createApp } from "../../routes/mod.ts";
import { frameStoreFor, startListeners } from "./listeners.ts";
import { warmUp } from "./warmup/warmup.ts";
import { MemoryTrimmer } from "./memory_trim.ts";
import { SseHub } from "../../routes/sse_hub.ts";
import { StreamStatsSampler } from "../stream/stream_stats.ts";
import { LiveHub } from "../outputs/live.ts";
import { OutputManager } from "../outputs/manager.ts";

/** A running sluice. */
export interface Server {
  manager: Manager;
  log: Logger;
  /** Bound API address "host:port". */
  apiAddress: string;
  /** Reloads config from `path` (SIGHUP). */
  reload(path: string | undefined): Promise<void>;
  stop(): Promise<void>;
  finished: Promise<void>;
}

/** Reads api.tls's PEM files; an unreadable file names its key. */
async function readTls(
  c: Config["api"]["tls"],
): Promise<{ cert: string; key: string } | undefined> {
  if (!c.cert) return undefined;
  const read = async (key: "cert" | "key") => {
    try {
      return await Deno.readTextFile(c[key]);
    } catch (e) {
      throw new Error(`api.tls.${key}: cannot read ${c[key]}: ${(e as Error).message}`);
    }
  };
  return { cert: await read("cert"), key: await read("key") };
}

function splitHostPort(hp: string): { hostname: string; port: number } {
  const i = hp.lastIndexOf(":");
  return { hostname: hp.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(hp.slice(i + 1)) };
}

/** Starts sluice with `config`. */
export async function startServer(
  config: Config,
  logger?: Logger,
): Promise<Server> {
  const log = logger ?? createLogger(config.log.level, config.log.format);
  const tls = await readTls(config.api.tls);
  const manager: Manager = new Manager(config, log, {
    frameSink: (s) => frameStoreFor(manager)(s),
  });
  const lag = new LagMonitor();
  lag.start();
  manager.start();
  const trimmer = new MemoryTrimmer(log);
  trimmer.start();
  const offTrim = manager.events.subscribe((e) => {
    if (e.type === "stream.removed") trimmer.afterRelease();
  });
  if (config.ingestion.warmup) {
    const w = warmUp(config, log);
    log.info("warmup.done", { ms: Math.round(w.ms), rtpPackets: w.rtpPackets, tsBytes: w.tsBytes });
  }
  await startListeners(manager);
  const sampler = new StreamStatsSampler(manager);
  sampler.start();
  const sse = new SseHub(manager.events);
  let apiAddress = config.api.listen;
  const live = new LiveHub(manager);
  const outputs = new OutputManager(manager);
  await outputs.apply(config.outputs);
  outputs.start();
  const app = createApp({
    manager,
    version: VERSION,
    lag,
    apiAddress: () => apiAddress,
    sse,
    sampler,
    tls: !!tls,
    live,
    outputs,
  });
  // The fleet link is loaded only when configured (lib/fleet/mod.ts).
  const fleet = config.nats
    ? (await import("../fleet/mod.ts")).startFleet({
      manager,
      config: config.nats,
      fetch: app.fetch,
      version: VERSION,
    })
    : undefined;
  const { hostname, port } = splitHostPort(config.api.listen);
  const ac = new AbortController();
  let http: Deno.HttpServer<Deno.NetAddr>;
  try {
    http = serveApi();
  } catch (e) {
    await outputs.stop();
    await manager.stop();
    lag.stop();
    throw new Error(`api.listen ${config.api.listen}: ${(e as Error).message}`);
  }
  function serveApi(): Deno.HttpServer<Deno.NetAddr> {
    return Deno.serve({
      hostname,
      port,
      ...tls,
      signal: ac.signal,
      onListen: () => {},
      onError: (e) => {
        log.error("api.error", { error: String(e) });
        return new Response("internal error", { status: 500 });
      },
    }, app.fetch);
  }
  const addr = http.addr;
  apiAddress = `${addr.hostname}:${addr.port}`;
  log.info("api.listening", {
    address: apiAddress,
    auth: config.api.tokens.length > 0,
    tls: !!tls,
  });
  let stopping: Promise<void> | undefined;
  const server: Server = {
    manager,
    log,
    apiAddress,
    finished: http.finished,
    async reload(path) {
      if (!path) {
        log.warn("config.reload_skipped", { reason: "no config file; running on defaults" });
        return;
      }
      let next: Config;
      try {
        next = await loadConfigFile(path);
      } catch (e) {
        const msg = e instanceof ConfigError ? e.issues.join("; ") : String(e);
        log.error("config.reload_failed", { file: path, error: msg, kept: "running config" });
        return;
      }
      const { live: applied, newStreams, restart } = diffConfig(manager.config, next);
      manager.config = applicableConfig(manager.config, next);
      const o = await outputs.apply(next.outputs);
      if (o.added.length || o.removed.length || o.changed.length) {
        log.info("outputs.reloaded", {
          added: o.added.join(",") || "none",
          removed: o.removed.join(",") || "none",
          restarted: o.changed.join(",") || "none",
        });
      }
      log.level = next.log.level;
      log.format = next.log.format;
      log.info("config.reloaded", {
        file: path,
        applied: applied.join(",") || "none",
        appliedToNewStreams: newStreams.join(",") || "none",
        needsRestart: restart.join(",") || "none",
      });
    },
    stop() {
      stopping ??= (async () => {
        log.info("shutdown.begin", {});
        lag.stop();
        offTrim();
        trimmer.stop();
        sampler.stop();
        live.close();
        await outputs.stop();
        await manager.stop();
        await fleet?.stop();
        sse.close();
        ac.abort();
        await http.finished;
        log.info("shutdown.done", {});
      })();
      return stopping;
    },
  };
  return server;
}
