/** Prometheus series of the SSE hub (routes/sse_hub.ts), appended to /metrics. */
import { MetricWriter } from "./metrics.ts";
import type { SseStats } from "./sse_hub.ts";

/** Exposition lines for the event stream's clients and queues. */
export function sseMetrics(s: SseStats): string {
  const w = new MetricWriter();
  w.sample("sluice_sse_clients", "gauge", "Event stream (SSE) clients connected", s.clients);
  w.sample(
    "sluice_sse_queued_events",
    "gauge",
    "Events queued for SSE clients (at most sluice_sse_queue_limit_events each)",
    s.queuedEvents,
  );
  w.sample("sluice_sse_queue_limit_events", "gauge", "Queue limit per SSE client", s.queueLimit);
  w.sample("sluice_sse_connections_total", "counter", "SSE connections opened", s.connections);
  w.sample(
    "sluice_sse_sent_events_total",
    "counter",
    "Events written to SSE clients",
    s.sentEvents,
  );
  w.sample(
    "sluice_sse_dropped_events_total",
    "counter",
    "Events dropped for SSE clients that read too slowly",
    s.droppedEvents,
  );
  return w.toString();
}
