/**
 * The /metrics collector of the NATS fleet link: families `sluice_nats_*` of
 * lib/core/metrics/families.ts, read from the link's own counters at scrape time.
 */
import type { Emit } from "../core/metrics/registry.ts";
import type { FrameCounts, FramePump } from "./frames.ts";
import type { LinkState } from "./link.ts";
import type { WriterStats } from "./state_writer.ts";

/** Every state of the link, for the one-hot `sluice_nats_link_state`. */
export const LINK_STATES: readonly LinkState[] = [
  "connecting",
  "connected",
  "reconnecting",
  "down",
  "stopped",
];

/** What the collector reads from a running link. */
export interface NatsFigures {
  box: string;
  up: boolean;
  state: LinkState;
  reconnects: number;
  pendingBytes: number;
  writer: WriterStats;
  frames: FrameCounts | undefined;
  pumps: ReadonlyMap<string, FramePump> | undefined;
  /** Control requests answered, by "operation status". */
  control: ReadonlyMap<string, number>;
}

/** Emits the `sluice_nats_*` series. */
export function collectNats(emit: Emit, f: NatsFigures): void {
  const box = f.box;
  emit("sluice_nats_link_up", { box }, f.up ? 1 : 0);
  for (const state of LINK_STATES) {
    emit("sluice_nats_link_state", { box, state }, +(f.state === state));
  }
  emit("sluice_nats_reconnects_total", { box }, f.reconnects);
  emit("sluice_nats_pending_bytes", { box }, f.pendingBytes);
  const s = f.writer;
  const kinds: [string, number, number][] = [
    ["events", s.events, s.eventErrors],
    ["registry", s.registry, s.registryErrors],
    ["frames", f.frames?.frames ?? 0, f.frames?.errors ?? 0],
  ];
  for (const [kind, ok, err] of kinds) {
    emit("sluice_nats_published_total", { box, kind }, ok);
    emit("sluice_nats_publish_errors_total", { box, kind }, err);
  }
  emit("sluice_nats_published_frame_bytes_total", { box }, f.frames?.bytes ?? 0);
  emit("sluice_nats_events_dropped_total", { box }, s.eventsDropped);
  for (const [stream, p] of f.pumps ?? []) {
    for (const [reason, n] of Object.entries(p.counts.dropped)) {
      emit("sluice_nats_frames_dropped_total", { box, stream, reason }, n);
    }
  }
  for (const [k, n] of f.control) {
    const [operation, status] = k.split(" ");
    emit("sluice_nats_control_requests_total", { box, operation, status }, n);
  }
}
