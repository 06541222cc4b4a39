/**
 * Prometheus text exposition (format 0.0.4) of process and per-stream metrics, and
 * the event-loop lag monitor. Metric names carry their unit (`_bytes`, `_seconds`).
 */
import type { Manager } from "../lib/stream/manager.ts";

/** Measures event-loop lag: how late a 100 ms interval fires (ms, max over a window). */
export class LagMonitor {
  lastMs = 0;
  maxMs = 0;
  #timer?: ReturnType<typeof setInterval>;
  #expected = 0;

  start(periodMs = 100): void {
    this.#expected = performance.now() + periodMs;
    const timer = setInterval(() => {
      const now = performance.now();
      const lag = Math.max(0, now - this.#expected);
      this.lastMs = lag;
      this.maxMs = Math.max(this.maxMs * 0.95, lag);
      this.#expected = now + periodMs;
    }, periodMs);
    Deno.unrefTimer(timer as unknown as number);
    this.#timer = timer;
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
  }
}

/** camelCase -> snake_case for metric names. */
function snake(k: string): string {
  return k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/[^a-z0-9_]/g, "_");
}

function esc(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Builds exposition text: one HELP/TYPE header per family, then samples. */
export class MetricWriter {
  #lines: string[] = [];
  #seen = new Set<string>();

  sample(
    name: string,
    type: "gauge" | "counter",
    help: string,
    value: number,
    labels: Record<string, string | number> = {},
  ): void {
    if (!this.#seen.has(name)) {
      this.#seen.add(name);
      this.#lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    }
    const l = Object.entries(labels).map(([k, v]) => `${k}="${esc(String(v))}"`).join(",");
    this.#lines.push(`${name}${l ? `{${l}}` : ""} ${Number.isFinite(value) ? value : 0}`);
  }

  toString(): string {
    return this.#lines.join("\n") + "\n";
  }
}

const STATES = ["connecting", "active", "paused", "recovering", "closed"] as const;

/** Socket-level counters of a listener's health JSON exported per listener. */
const UDP_COUNTERS = [
  ["truncated", "sluice_udp_truncated_total", "Datagrams over the receive slot, dropped"],
  ["kernelDrops", "sluice_udp_kernel_drops_total", "Datagrams the kernel dropped (SO_RXQ_OVFL)"],
] as const;

/** Renders all metrics of the manager and the process. */
export function renderMetrics(
  m: Manager,
  lag: LagMonitor | undefined,
  more?: (w: MetricWriter) => void,
): string {
  const w = new MetricWriter();

  const mem = Deno.memoryUsage();
  w.sample("sluice_process_resident_memory_bytes", "gauge", "Resident set size", mem.rss);
  w.sample("sluice_process_heap_used_bytes", "gauge", "V8 heap used", mem.heapUsed);
  w.sample(
    "sluice_process_external_memory_bytes",
    "gauge",
    "Memory outside the V8 heap",
    mem.external,
  );
  w.sample(
    "sluice_process_uptime_seconds",
    "gauge",
    "Seconds since start",
    (Date.now() - m.startedAt.getTime()) / 1000,
  );
  w.sample(
    "sluice_event_loop_lag_seconds",
    "gauge",
    "Last event-loop lag",
    (lag?.lastMs ?? 0) / 1000,
  );
  w.sample(
    "sluice_event_loop_lag_max_seconds",
    "gauge",
    "Decaying max event-loop lag",
    (lag?.maxMs ?? 0) / 1000,
  );
  w.sample("sluice_buffered_bytes", "gauge", "Bytes held in all stream buffers", m.bufferedBytes);
  w.sample(
    "sluice_memory_limit_bytes",
    "gauge",
    "Global memory limit",
    m.config.ingestion.memory.globalLimit,
  );
  w.sample("sluice_streams_live", "gauge", "Streams not closed", m.liveCount);
  w.sample("sluice_streams_opened_total", "counter", "Streams opened", m.opened);
  for (const [protocol, reason, n] of m.refused.entries()) {
    w.sample("sluice_streams_refused_total", "counter", "Refused publishers by reason", n, {
      protocol,
      reason,
    });
  }
  for (const [key, n] of m.closed) {
    const i = key.indexOf("_");
    w.sample("sluice_streams_closed_total", "counter", "Streams closed by reason", n, {
      protocol: key.slice(0, i),
      reason: key.slice(i + 1),
    });
  }
  for (const [protocol, reason, n] of m.takeovers.entries()) {
    w.sample(
      "sluice_streams_takeovers_total",
      "counter",
      "Live streams continued by a new publisher session, by reason",
      n,
      { protocol, reason },
    );
  }
  for (const l of m.listeners) {
    const h = l.health();
    for (const [k, name, help] of UDP_COUNTERS) {
      if (typeof h[k] === "number") w.sample(name, "counter", help, h[k], { listener: l.name });
    }
  }
  for (const [listener, reason, n] of m.portErrors.entries()) {
    w.sample("sluice_port_errors_total", "counter", "Input rejected before reaching a stream", n, {
      listener,
      reason,
    });
  }
  const now = performance.now();
  for (const s of m.streams.values()) {
    const l = { stream: s.id, protocol: s.protocol };
    for (const st of STATES) {
      w.sample(
        "sluice_stream_state",
        "gauge",
        "1 for the stream's current state",
        s.state === st ? 1 : 0,
        {
          ...l,
          state: st,
        },
      );
    }
    w.sample("sluice_stream_packets_total", "counter", "Transport packets received", s.packets, l);
    w.sample(
      "sluice_stream_received_bytes_total",
      "counter",
      "Transport bytes received",
      s.bytes,
      l,
    );
    w.sample(
      "sluice_stream_bitrate_bits_per_second",
      "gauge",
      "Input bitrate over 1 s",
      s.state === "closed" ? 0 : s.bitrate.rate(now, 1),
      l,
    );
    w.sample("sluice_stream_sessions_total", "counter", "Publisher sessions", s.sessions, l);
    w.sample(
      "sluice_stream_resyncs_total",
      "counter",
      "Timeline rebases for a new session",
      s.timeline.resyncs,
      l,
    );
    w.sample(
      "sluice_stream_buffered_bytes",
      "gauge",
      "Bytes held in the GOP buffer",
      s.bufferedBytes,
      l,
    );
    for (const [reason, n] of s.errors.counts) {
      w.sample("sluice_stream_errors_total", "counter", "Malformed input by reason", n, {
        ...l,
        reason,
      });
    }
    for (const [reason, n] of s.drops.counts) {
      w.sample("sluice_stream_drops_total", "counter", "Data dropped by reason", n, {
        ...l,
        reason,
      });
    }
    for (const t of s.tracks.values()) {
      const tl = { ...l, track: t.info.id, kind: t.info.kind, codec: t.info.codec };
      w.sample("sluice_track_frames_total", "counter", "Frames assembled", t.frames, tl);
      w.sample("sluice_track_keyframes_total", "counter", "Keyframes assembled", t.keyframes, tl);
      w.sample("sluice_track_bytes_total", "counter", "Frame bytes assembled", t.bytes, tl);
    }
    for (const [k, v] of Object.entries(s.transport)) {
      if (typeof v !== "number") continue;
      w.sample(
        `sluice_stream_transport_${snake(k)}`,
        "gauge",
        `Transport statistic ${k}`,
        v,
        l,
      );
    }
  }
  more?.(w);
  return w.toString();
}
