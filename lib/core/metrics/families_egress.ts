/**
 * Metric families of what leaves the box: push outputs and live.ts clients, the event
 * stream (SSE) and the NATS fleet link (part of the catalogue in lib/core/metrics/families.ts).
 */
import type { FamilyInfo } from "./family_info.ts";

/** Output, SSE and NATS families. */
export const EGRESS_FAMILIES = {
  // --- outputs (lib/outputs/: push relays per output, live.ts clients per stream) ---
  sluice_output_state: {
    type: "gauge",
    unit: "1",
    labels: ["output", "state"],
    help: "1 for the output's current state, 0 for the others.",
  },
  sluice_output_sent_bytes_total: {
    type: "counter",
    unit: "bytes",
    labels: ["output"],
    help: "TS bytes the output sent.",
  },
  sluice_output_frames_total: {
    type: "counter",
    unit: "frames",
    labels: ["output"],
    help: "Frames (or passthrough chunks) the output sent.",
  },
  sluice_output_dropped_frames_total: {
    type: "counter",
    unit: "frames",
    labels: ["output", "reason"],
    help: "Frames the output dropped, by reason.",
  },
  sluice_output_dropped_gops_total: {
    type: "counter",
    unit: "gops",
    labels: ["output"],
    help: "Whole GOPs dropped for a remote that could not keep up.",
  },
  sluice_output_retries_total: {
    type: "counter",
    unit: "attempts",
    labels: ["output"],
    help: "Connection attempts after a failure.",
  },
  sluice_output_connects_total: {
    type: "counter",
    unit: "connections",
    labels: ["output"],
    help: "Successful connections.",
  },
  sluice_output_breaker_open: {
    type: "gauge",
    unit: "1",
    labels: ["output"],
    help: "1 while the output's circuit breaker is open.",
  },
  sluice_output_breaker_opened_total: {
    type: "counter",
    unit: "events",
    labels: ["output"],
    help: "Times the circuit breaker opened.",
  },
  sluice_live_clients: {
    type: "gauge",
    unit: "clients",
    labels: ["stream"],
    help: "Connected live.ts clients.",
  },
  sluice_live_clients_total: {
    type: "counter",
    unit: "clients",
    labels: ["stream"],
    help: "live.ts clients served.",
  },
  sluice_live_sent_bytes_total: {
    type: "counter",
    unit: "bytes",
    labels: ["stream"],
    help: "TS bytes sent to live.ts clients.",
  },
  sluice_live_dropped_frames_total: {
    type: "counter",
    unit: "frames",
    labels: ["stream", "reason"],
    help: "Frames live.ts clients lost, by reason.",
  },
  sluice_live_dropped_gops_total: {
    type: "counter",
    unit: "gops",
    labels: ["stream"],
    help: "Whole GOPs live.ts clients lost.",
  },
  // --- event stream (routes/sse_hub.ts) ---
  sluice_sse_clients: {
    type: "gauge",
    unit: "clients",
    labels: [],
    help: "Event stream (SSE) clients connected.",
  },
  sluice_sse_queued_events: {
    type: "gauge",
    unit: "events",
    labels: [],
    help: "Events queued for SSE clients (at most sluice_sse_queue_limit_events each).",
  },
  sluice_sse_queue_limit_events: {
    type: "gauge",
    unit: "events",
    labels: [],
    help: "Queue limit per SSE client.",
  },
  sluice_sse_connections_total: {
    type: "counter",
    unit: "connections",
    labels: [],
    help: "SSE connections opened.",
  },
  sluice_sse_sent_events_total: {
    type: "counter",
    unit: "events",
    labels: [],
    help: "Events written to SSE clients.",
  },
  sluice_sse_dropped_events_total: {
    type: "counter",
    unit: "events",
    labels: [],
    help: "Events dropped for SSE clients that read too slowly.",
  },
  // --- NATS fleet link (lib/fleet/metrics.ts) ---
  sluice_nats_link_up: {
    type: "gauge",
    unit: "1",
    labels: ["box"],
    help: "1 when the NATS link and JetStream are up.",
  },
  sluice_nats_link_state: {
    type: "gauge",
    unit: "1",
    labels: ["box", "state"],
    help: "1 for the NATS link's current state, 0 for the others.",
  },
  sluice_nats_reconnects_total: {
    type: "counter",
    unit: "connections",
    labels: ["box"],
    help: "NATS reconnections.",
  },
  sluice_nats_pending_bytes: {
    type: "gauge",
    unit: "bytes",
    labels: ["box"],
    help: "Bytes waiting to be published to NATS.",
  },
  sluice_nats_published_total: {
    type: "counter",
    unit: "messages",
    labels: ["box", "kind"],
    help: "Messages published to NATS by kind (events, registry, frames).",
  },
  sluice_nats_publish_errors_total: {
    type: "counter",
    unit: "messages",
    labels: ["box", "kind"],
    help: "Failed NATS publishes by kind.",
  },
  sluice_nats_published_frame_bytes_total: {
    type: "counter",
    unit: "bytes",
    labels: ["box"],
    help: "Frame bytes published to NATS.",
  },
  sluice_nats_events_dropped_total: {
    type: "counter",
    unit: "events",
    labels: ["box"],
    help: "Events dropped because the NATS queue was full.",
  },
  sluice_nats_frames_dropped_total: {
    type: "counter",
    unit: "frames",
    labels: ["box", "stream", "reason"],
    help: "Frames not published to NATS, by reason (whole GOPs while the link is down).",
  },
  sluice_nats_control_requests_total: {
    type: "counter",
    unit: "requests",
    labels: ["box", "operation", "status"],
    help: "Control requests over NATS by operation and HTTP status.",
  },
} as const satisfies Record<string, FamilyInfo>;
