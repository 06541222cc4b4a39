/**
 * Prometheus series of push outputs and live.ts clients (written into the exposition of
 * routes/metrics.ts). Names carry their unit; per-output series are labelled by output name.
 */
import type { MetricWriter } from "./metrics.ts";
import type { LiveHub } from "../lib/outputs/live.ts";
import { OUTPUT_STATES, type OutputManager } from "../lib/outputs/manager.ts";

/** Writes the output and live-client series. */
export function writeOutputMetrics(
  w: MetricWriter,
  outputs: OutputManager | undefined,
  live: LiveHub | undefined,
): void {
  for (const [stream, t] of live?.totals() ?? []) {
    const l = { stream };
    w.sample("sluice_live_clients", "gauge", "Connected live.ts clients", t.connected, l);
    w.sample("sluice_live_clients_total", "counter", "live.ts clients served", t.clients, l);
    w.sample(
      "sluice_live_sent_bytes_total",
      "counter",
      "TS bytes sent to live.ts clients",
      t.bytes,
      l,
    );
    w.sample(
      "sluice_live_dropped_frames_total",
      "counter",
      "Frames live.ts clients lost by reason",
      t.slowDrops,
      { ...l, reason: "slow_output" },
    );
    w.sample(
      "sluice_live_dropped_gops_total",
      "counter",
      "Whole GOPs live.ts clients lost",
      t.gopsDropped,
      l,
    );
  }
  for (const o of outputs?.list() ?? []) {
    const s = o.snapshot();
    const l = { output: o.name };
    for (const st of OUTPUT_STATES) {
      w.sample(
        "sluice_output_state",
        "gauge",
        "1 for the output's current state",
        s.state === st ? 1 : 0,
        { ...l, state: st },
      );
    }
    w.sample(
      "sluice_output_sent_bytes_total",
      "counter",
      "TS bytes sent by the output",
      s.bytes,
      l,
    );
    w.sample(
      "sluice_output_frames_total",
      "counter",
      "Frames (or passthrough chunks) sent",
      s.frames,
      l,
    );
    for (const [reason, n] of Object.entries(s.drops)) {
      w.sample(
        "sluice_output_dropped_frames_total",
        "counter",
        "Frames the output dropped by reason",
        n,
        { ...l, reason },
      );
    }
    w.sample(
      "sluice_output_dropped_gops_total",
      "counter",
      "Whole GOPs dropped for a slow remote",
      s.gopsDropped,
      l,
    );
    w.sample(
      "sluice_output_retries_total",
      "counter",
      "Connection attempts after a failure",
      s.retries,
      l,
    );
    w.sample("sluice_output_connects_total", "counter", "Successful connections", s.connects, l);
    w.sample(
      "sluice_output_breaker_open",
      "gauge",
      "1 while the circuit breaker is open",
      s.breaker.state === "open" ? 1 : 0,
      l,
    );
    w.sample(
      "sluice_output_breaker_opened_total",
      "counter",
      "Times the circuit breaker opened",
      s.breaker.opened,
      l,
    );
  }
}
