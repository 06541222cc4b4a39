/**
 * An RTP source's session statistics (RtpSessionStats of lib/transport/rtp/session.ts, as
 * kept in a stream's `transport` snapshot) as /metrics series (lib/core/metrics/
 * families.ts `sluice_rtp_*`): cumulative figures as counters, jitter in seconds, the
 * SSRC as a label of an info series. Fields that are absent or not numbers are skipped.
 */
import type { Emit } from "../../core/metrics/registry.ts";
import type { RtpSessionStats } from "./session.ts";

type Snapshot = Readonly<Record<string, unknown>>;

const COUNTERS = [
  ["packets", "sluice_rtp_packets_total"],
  ["bytes", "sluice_rtp_payload_bytes_total"],
  ["gapPackets", "sluice_rtp_lost_packets_total"],
  ["duplicated", "sluice_rtp_duplicated_packets_total"],
  ["reordered", "sluice_rtp_reordered_packets_total"],
  ["late", "sluice_rtp_late_packets_total"],
  ["resyncs", "sluice_rtp_resyncs_total"],
  ["ssrcChanges", "sluice_rtp_ssrc_changes_total"],
] as const satisfies readonly (readonly [keyof RtpSessionStats, string])[];

/** Emits the `sluice_rtp_*` series of one stream from its transport snapshot. */
export function collectRtpSource(stream: string, t: Snapshot, emit: Emit): void {
  const l = { stream };
  if (typeof t.ssrc === "number") emit("sluice_rtp_ssrc_info", { stream, ssrc: t.ssrc }, 1);
  for (const [k, name] of COUNTERS) {
    const v = t[k];
    if (typeof v === "number") emit(name, l, v);
  }
  if (typeof t.jitter_ms === "number") emit("sluice_rtp_jitter_seconds", l, t.jitter_ms / 1000);
}
