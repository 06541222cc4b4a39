/**
 * The /metrics collector of the SSE hub (routes/sse_hub.ts): families `sluice_sse_*` of
 * lib/core/metrics/families.ts, read from the hub's statistics at scrape time.
 */
import type { Emit } from "../lib/core/metrics/registry.ts";
import type { SseStats } from "./sse_hub.ts";

/** Emits the event stream's clients and queues. */
export function collectSse(emit: Emit, s: SseStats): void {
  emit("sluice_sse_clients", {}, s.clients);
  emit("sluice_sse_queued_events", {}, s.queuedEvents);
  emit("sluice_sse_queue_limit_events", {}, s.queueLimit);
  emit("sluice_sse_connections_total", {}, s.connections);
  emit("sluice_sse_sent_events_total", {}, s.sentEvents);
  emit("sluice_sse_dropped_events_total", {}, s.droppedEvents);
}
