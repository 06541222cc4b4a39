/**
 * An SRT connection's link statistics (lib/transport/srt/stats.ts, as kept in a stream's
 * `transport` snapshot) as /metrics series (lib/core/metrics/families.ts `sluice_srt_*`):
 * milliseconds become seconds, libsrt's cumulative totals become counters. Fields that
 * are absent or not numbers are skipped.
 */
import type { Emit } from "../../core/metrics/registry.ts";
import { KM_STATES, type SrtStats } from "./stats.ts";

type Snapshot = Readonly<Record<string, unknown>>;

const COUNTERS = [
  ["packetsReceived", "sluice_srt_received_packets_total"],
  ["bytesReceived", "sluice_srt_received_bytes_total"],
  ["packetsLost", "sluice_srt_lost_packets_total"],
  ["bytesLost", "sluice_srt_lost_bytes_total"],
  ["packetsDropped", "sluice_srt_dropped_packets_total"],
  ["packetsRetransmitted", "sluice_srt_retransmitted_packets_total"],
  ["packetsUndecrypted", "sluice_srt_undecrypted_packets_total"],
] as const satisfies readonly (readonly [keyof SrtStats, string])[];

const MS_GAUGES = [
  ["rttMs", "sluice_srt_rtt_seconds"],
  ["recvBufferMs", "sluice_srt_receive_buffer_seconds"],
  ["tsbpdDelayMs", "sluice_srt_tsbpd_delay_seconds"],
] as const satisfies readonly (readonly [keyof SrtStats, string])[];

/** Emits the `sluice_srt_*` series of one stream from its transport snapshot. */
export function collectSrtLink(stream: string, t: Snapshot, emit: Emit): void {
  const l = { stream };
  for (const [k, name] of COUNTERS) {
    const v = t[k];
    if (typeof v === "number") emit(name, l, v);
  }
  for (const [k, name] of MS_GAUGES) {
    const v = t[k];
    if (typeof v === "number") emit(name, l, v / 1000);
  }
  const key = t.keyState;
  if (typeof key === "string") {
    for (const state of KM_STATES) {
      emit("sluice_srt_key_state", { stream, state }, +(key === state));
    }
    if (!(KM_STATES as readonly string[]).includes(key)) {
      emit("sluice_srt_key_state", { stream, state: "unknown" }, 1);
    }
  }
}
