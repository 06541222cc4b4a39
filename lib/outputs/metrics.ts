/**
 * The /metrics collector of push outputs (per output) and live.ts clients (per stream):
 * families `sluice_output_*` and `sluice_live_*` of lib/core/metrics/families.ts, read from
 * the outputs' own counters at scrape time (lib/core/metrics/registry.ts).
 */
import type { Emit } from "../core/metrics/registry.ts";
import type { LiveHub } from "./live.ts";
import { OUTPUT_STATES, type OutputManager } from "./manager.ts";

/** Emits the output and live-client series. */
export function collectOutputs(
  emit: Emit,
  outputs: OutputManager | undefined,
  live: LiveHub | undefined,
): void {
  for (const [stream, t] of live?.totals() ?? []) {
    const l = { stream };
    emit("sluice_live_clients", l, t.connected);
    emit("sluice_live_clients_total", l, t.clients);
    emit("sluice_live_sent_bytes_total", l, t.bytes);
    emit("sluice_live_dropped_frames_total", { ...l, reason: "slow_output" }, t.slowDrops);
    emit("sluice_live_dropped_gops_total", l, t.gopsDropped);
  }
  for (const o of outputs?.list() ?? []) {
    const s = o.snapshot();
    const l = { output: o.name };
    for (const state of OUTPUT_STATES) {
      emit("sluice_output_state", { ...l, state }, +(s.state === state));
    }
    emit("sluice_output_sent_bytes_total", l, s.bytes);
    emit("sluice_output_frames_total", l, s.frames);
    for (const [reason, n] of Object.entries(s.drops)) {
      emit("sluice_output_dropped_frames_total", { ...l, reason }, n);
    }
    emit("sluice_output_dropped_gops_total", l, s.gopsDropped);
    emit("sluice_output_retries_total", l, s.retries);
    emit("sluice_output_connects_total", l, s.connects);
    emit("sluice_output_breaker_open", l, +(s.breaker.state === "open"));
    emit("sluice_output_breaker_opened_total", l, s.breaker.opened);
  }
}
