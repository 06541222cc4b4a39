/**
 * Live config reload (SIGHUP): which keys apply at once, which apply to streams opened
 * after the reload, and which need a restart. `RELOAD_KEYS` is the one table of it: the
 * README's reload table lists the same keys with the same classes
 * (tests/unit/app/reload_test.ts compares them), and each live key is exercised end to end
 * by tests/e2e/reload_test.ts. Live keys are read from `manager.config` on use (the SRT
 * listen callback per connection, the RTP source gate per new source, the GOP buffer per
 * frame), so swapping the object is what applies them.
 */
import type { Config } from "../config/config.ts";

/** When a changed key takes effect. */
export type ReloadClass = "live" | "new_streams" | "restart";

/** Every config key (YAML spelling) and when a reload applies it. Maps/lists as a whole. */
export const RELOAD_KEYS: Readonly<Record<string, ReloadClass>> = {
  "ingestion.bind": "restart",
  "ingestion.srt_port": "restart",
  "ingestion.rtp_port": "restart",
  "ingestion.max_connections": "live",
  "ingestion.max_per_source": "live",
  "ingestion.connect_timeout": "live",
  "ingestion.buffer_size": "new_streams",
  "ingestion.gop_buffer_size": "new_streams",
  "ingestion.warmup": "restart",
  "ingestion.frame_timeout": "new_streams",
  "ingestion.sync_threshold": "live",
  "ingestion.closed_retention": "live",
  "ingestion.memory.global_limit": "live",
  "ingestion.memory.per_stream_limit": "live",
  "api.listen": "restart",
  "api.tls": "restart",
  "api.tokens": "live",
  "api.live_queue_size": "new_streams",
  "srt.library": "restart",
  "srt.latency": "restart",
  "srt.socket_buffer": "restart",
  "srt.passphrase": "live",
  "srt.read_interval": "live",
  "srt.streams": "live",
  "srt.takeover_after": "live",
  "srt.override_publisher": "live",
  "srt.peer_idle_timeout": "live",
  "rtp.jitter_latency": "new_streams",
  "rtp.receiver": "restart",
  "rtp.socket_buffer": "restart",
  "rtp.send_rr": "live",
  "rtp.emit_after_loss": "new_streams",
  "rtp.new_stream_rate": "live",
  "rtp.payload_types": "restart",
  "rtp.sdp": "restart",
  "rtp.streams": "new_streams",
  "outputs": "live",
  "nats": "restart",
  "log.level": "live",
  "log.format": "live",
};

function snake(k: string): string {
  return k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The class of a flattened key ("srt.streams.cam1.passphrase"); unknown keys need a restart. */
export function reloadClass(key: string): ReloadClass {
  for (let k = key; k; k = k.slice(0, Math.max(0, k.lastIndexOf(".")))) {
    const c = RELOAD_KEYS[k];
    if (c) return c;
  }
  return "restart";
}

function flatten(v: unknown, prefix: string, out: Map<string, string>, raw = false): void {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) {
      // config objects are camelCase; user map keys (stream ids, payload types) stay as written
      const p = prefix ? `${prefix}.${raw ? k : snake(k)}` : snake(k);
      flatten(x, p, out, raw || p === "srt.streams" || p === "rtp.payload_types");
    }
  } else {
    out.set(prefix, JSON.stringify(v));
  }
}

/** What changed between two configs: YAML keys split by when they take effect. */
export function diffConfig(
  a: Config,
  b: Config,
): { live: string[]; newStreams: string[]; restart: string[] } {
  const fa = new Map<string, string>();
  const fb = new Map<string, string>();
  flatten(a, "", fa);
  flatten(b, "", fb);
  const keys = new Set([...fa.keys(), ...fb.keys()]);
  const out = { live: [] as string[], newStreams: [] as string[], restart: [] as string[] };
  for (const k of keys) {
    if (fa.get(k) === fb.get(k)) continue;
    const c = reloadClass(k);
    (c === "live" ? out.live : c === "new_streams" ? out.newStreams : out.restart).push(k);
  }
  out.live.sort();
  out.newStreams.sort();
  out.restart.sort();
  return out;
}

/**
 * The config to run after a reload: `next` with every restart-only key kept at its
 * running value, so `manager.config` (and /api/v1/stats) never shows a value that is
 * not in effect.
 */
export function applicableConfig(running: Config, next: Config): Config {
  const out = structuredClone(next);
  out.ingestion.bind = running.ingestion.bind;
  out.ingestion.srtPort = running.ingestion.srtPort;
  out.ingestion.rtpPort = running.ingestion.rtpPort;
  out.api.listen = running.api.listen;
  out.api.tls = running.api.tls;
  out.srt.library = running.srt.library;
  out.srt.latency = running.srt.latency;
  out.rtp.receiver = running.rtp.receiver;
  out.rtp.socketBuffer = running.rtp.socketBuffer;
  out.rtp.payloadTypes = running.rtp.payloadTypes;
  out.rtp.sdp = running.rtp.sdp;
  out.nats = running.nats;
  return out;
}
