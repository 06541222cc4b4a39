/**
 * The stream layer's /metrics collector (lib/core/metrics/registry.ts): manager totals,
 * refusals and port errors by reason, listeners, and for every listed stream its state,
 * counters, tracks and transport link. Read from the manager's state at scrape time, so a
 * stream's series go when the manager removes it (`ingestion.closed_retention` after its
 * close). Families are declared in lib/core/metrics/families.ts.
 */
import type { Emit } from "../core/metrics/registry.ts";
import { collectSync } from "../sync/metrics.ts";
import { collectRtpSource } from "../transport/rtp/metrics.ts";
import { collectSrtLink } from "../transport/srt/metrics.ts";
import type { Manager } from "./manager.ts";
import type { StreamState } from "./ports.ts";
import type { Stream } from "./stream.ts";

const STATES: readonly StreamState[] = ["connecting", "active", "paused", "recovering", "closed"];

/** Socket figures of a listener's health JSON, as counters. */
const UDP_COUNTERS = [
  ["datagrams", "sluice_udp_datagrams_total"],
  ["bytes", "sluice_udp_received_bytes_total"],
  ["truncated", "sluice_udp_truncated_total"],
  ["kernelDrops", "sluice_udp_kernel_drops_total"],
] as const;

/** Emits everything the manager knows. */
export function collectManager(m: Manager, emit: Emit): void {
  emit("sluice_streams_live", {}, m.liveCount);
  emit("sluice_streams_opened_total", {}, m.opened);
  for (const [protocol, reason, n] of m.refused.entries()) {
    emit("sluice_streams_refused_total", { protocol, reason }, n);
  }
  for (const [protocol, reason, n] of m.takeovers.entries()) {
    emit("sluice_streams_takeovers_total", { protocol, reason }, n);
  }
  for (const [key, n] of m.closed) {
    const i = key.indexOf("_");
    emit("sluice_streams_closed_total", { protocol: key.slice(0, i), reason: key.slice(i + 1) }, n);
  }
  for (const [listener, reason, n] of m.portErrors.entries()) {
    emit("sluice_port_errors_total", { listener, reason }, n);
  }
  emit("sluice_buffered_bytes", {}, m.bufferedBytes);
  emit("sluice_memory_limit_bytes", {}, m.config.ingestion.memory.globalLimit);
  emit("sluice_rtp_jitter_buffer_latency_seconds", {}, m.config.rtp.jitterLatency / 1000);
  for (const l of m.listeners) {
    const h = l.health();
    emit("sluice_listener_enabled", { listener: l.name }, h.enabled === false ? 0 : 1);
    for (const [k, name] of UDP_COUNTERS) {
      const v = h[k];
      if (typeof v === "number") emit(name, { listener: l.name }, v);
    }
  }
  const now = performance.now();
  for (const s of m.streams.values()) collectStream(s, now, emit);
}

/** Emits one stream's series. */
export function collectStream(s: Stream, nowMs: number, emit: Emit): void {
  const l = { stream: s.id, protocol: s.protocol };
  for (const state of STATES) emit("sluice_stream_state", { ...l, state }, +(s.state === state));
  emit("sluice_stream_start_time_seconds", l, s.startedAt.getTime() / 1000);
  emit("sluice_stream_sessions_total", l, s.sessions);
  emit("sluice_stream_packets_total", l, s.packets);
  emit("sluice_stream_received_bytes_total", l, s.bytes);
  const rate = s.state === "closed" ? 0 : s.bitrate.rate(nowMs, 1) / 8;
  emit("sluice_stream_received_bytes_per_second", l, rate);
  emit("sluice_stream_buffered_bytes", l, s.bufferedBytes);
  for (const [reason, n] of s.errors.counts) {
    emit("sluice_stream_errors_total", { ...l, reason }, n);
  }
  for (const [reason, n] of s.drops.counts) emit("sluice_stream_drops_total", { ...l, reason }, n);
  for (const t of s.tracks.values()) {
    const tl = { ...l, track: t.info.id, kind: t.info.kind, codec: t.info.codec };
    emit("sluice_track_frames_total", tl, t.frames);
    emit("sluice_track_keyframes_total", tl, t.keyframes);
    emit("sluice_track_bytes_total", tl, t.bytes);
  }
  collectSync(s.id, s.protocol, s.sync, emit);
  if (s.protocol === "srt") collectSrtLink(s.id, s.transport, emit);
  else collectRtpSource(s.id, s.transport, emit);
}
