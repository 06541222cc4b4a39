/**
 * The A/V sync series of one stream for /metrics (families in lib/core/metrics/families.ts):
 * per track offset and drift gauges, per stream A/V offset gauges and correction counters.
 * Values not yet measurable are left out (no sample) rather than exported as 0.
 */
import type { Emit } from "../core/metrics/registry.ts";
import type { StreamSync } from "./stream_sync.ts";

/** Emits one stream's sync series. */
export function collectSync(stream: string, protocol: string, sync: StreamSync, emit: Emit): void {
  if (sync.tracks.size === 0) return;
  const st = sync.status(stream);
  const l = { stream, protocol };
  const s = (ms: number | null) => (ms === null ? undefined : ms / 1000);
  const av = s(st.avOffsetMs), target = s(st.targetAvOffsetMs), out = s(st.outputAvOffsetMs);
  if (av !== undefined) emit("sluice_sync_av_offset_seconds", l, av);
  if (target !== undefined) emit("sluice_sync_target_av_offset_seconds", l, target);
  if (out !== undefined) emit("sluice_sync_output_av_offset_seconds", l, out);
  const c = sync.corrections;
  emit("sluice_sync_corrections_total", l, c.count);
  emit("sluice_sync_slewed_seconds_total", l, c.slewedMs / 1000);
  emit("sluice_sync_frames_dropped_total", l, c.framesDropped);
  emit("sluice_sync_frames_duplicated_total", l, c.framesDuplicated);
  emit("sluice_sync_resyncs_total", l, c.resyncs);
  for (const t of st.tracks) {
    const tl = { ...l, track: t.id, kind: t.kind, codec: t.codec };
    if (t.offsetMs !== null) emit("sluice_sync_track_offset_seconds", tl, t.offsetMs / 1000);
    if (t.driftPpm !== null) emit("sluice_sync_track_drift_ratio", tl, t.driftPpm / 1e6);
  }
}
