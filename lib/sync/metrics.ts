/**
 * Prometheus series of a stream's A/V sync (lib/sync/stream_sync.ts): per track offset and
 * drift gauges, per stream A/V offset gauges and correction counters. Values not yet
 * measurable are left out (no sample) rather than exported as 0.
 */
import type { StreamSync } from "./stream_sync.ts";

/** What writes one sample (routes/metrics.ts MetricWriter). */
export interface SampleWriter {
  sample(
    name: string,
    type: "gauge" | "counter",
    help: string,
    value: number,
    labels?: Record<string, string | number>,
  ): void;
}

type Track = { id: number; kind: string; offsetMs: number | null; driftPpm: number | null };

/** Writes one stream's sync series; `l` are the stream's labels. */
export function writeSyncMetrics(
  w: SampleWriter,
  id: string,
  sync: StreamSync,
  l: Record<string, string>,
): void {
  if (sync.tracks.size === 0) return;
  const st = sync.status(id) as {
    avOffsetMs: number | null;
    targetAvOffsetMs: number | null;
    outputAvOffsetMs: number | null;
    tracks: Track[];
  };
  const gauge = (name: string, help: string, v: number | null, labels = l) => {
    if (v !== null) w.sample(name, "gauge", help, v, labels);
  };
  const s = (ms: number | null) => (ms === null ? null : ms / 1000);
  gauge(
    "sluice_sync_av_offset_seconds",
    "Audio minus video presentation offset (+ = audio lags)",
    s(st.avOffsetMs),
  );
  gauge(
    "sluice_sync_target_av_offset_seconds",
    "A/V offset the correction aims for",
    s(st.targetAvOffsetMs),
  );
  gauge(
    "sluice_sync_output_av_offset_seconds",
    "A/V offset on the output timeline",
    s(st.outputAvOffsetMs),
  );
  const c = sync.corrections;
  w.sample(
    "sluice_sync_corrections_total",
    "counter",
    "A/V corrections started (automatic and manual)",
    c.count,
    l,
  );
  w.sample(
    "sluice_sync_slewed_seconds_total",
    "counter",
    "Output time moved by slewing",
    c.slewedMs / 1000,
    l,
  );
  w.sample(
    "sluice_sync_frames_dropped_total",
    "counter",
    "Audio frames dropped to correct A/V",
    c.framesDropped,
    l,
  );
  w.sample(
    "sluice_sync_frames_duplicated_total",
    "counter",
    "Audio frames duplicated to correct A/V",
    c.framesDuplicated,
    l,
  );
  w.sample(
    "sluice_sync_resyncs_total",
    "counter",
    "Timeline rebases (jumps, discontinuities, reconnects)",
    c.resyncs,
    l,
  );
  for (const t of st.tracks) {
    const tl = { ...l, track: String(t.id), kind: t.kind };
    gauge(
      "sluice_sync_track_offset_seconds",
      "Track presentation time minus reference time at arrival",
      s(t.offsetMs),
      tl,
    );
    gauge(
      "sluice_sync_track_drift_ppm",
      "Track clock drift against the reference (+ = fast)",
      t.driftPpm,
      tl,
    );
  }
}
