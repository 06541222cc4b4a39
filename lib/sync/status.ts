/**
 * The API view of a stream's sync (GET /api/v1/sync/status/{id}, schema in
 * routes/openapi_schemas.ts), built from its timeline (lib/sync/timeline.ts) and correction
 * (lib/sync/correction.ts). `avOffsetMs` = offset of the first audio track - offset of the
 * primary (+ = audio stamped later than the video that arrives with it).
 */
import type { SyncCorrector } from "./correction.ts";
import { MIN_DRIFT_SPAN_MS } from "./estimator.ts";
import type { SyncTimeline } from "./timeline.ts";
import { round3 } from "./track_clock.ts";
import type { SyncCorrections } from "./types.ts";

/** One track in {@link SyncStatus}. */
export interface TrackSyncStatus {
  id: number;
  kind: string;
  codec: string;
  reference: string;
  offsetMs: number | null;
  driftPpm: number | null;
  jitterMs: number | null;
  samples: number;
  correctionMs: number;
  manualOffsetMs: number;
}

/** The API view of one stream's sync (the `SyncStatus` schema). */
export interface SyncStatus {
  id: string;
  reference: string;
  state: string;
  thresholdMs: number;
  avOffsetMs: number | null;
  targetAvOffsetMs: number | null;
  outputAvOffsetMs: number | null;
  tracks: TrackSyncStatus[];
  corrections: SyncCorrections;
}

/** The status of one stream's sync. */
export function syncStatus(
  id: string,
  tl: SyncTimeline,
  c: SyncCorrector,
  thresholdMs: number,
  corrections: SyncCorrections,
): SyncStatus {
  const p = tl.primary;
  const a = tl.firstAudio();
  const x = tl.lastRefMs;
  const rel = p && a && a !== p ? c.rel(a, p, x) : undefined;
  const target = p && a && a !== p ? c.target(a, p) : undefined;
  return {
    id,
    reference: tl.reference,
    state: c.state,
    thresholdMs,
    avOffsetMs: num(rel),
    targetAvOffsetMs: num(target),
    outputAvOffsetMs: num(rel === undefined ? undefined : rel + a!.applied - p!.applied),
    tracks: [...tl.tracks.values()].map((t) => {
      const f = t.offset();
      return {
        id: t.id,
        kind: t.kind,
        codec: t.codec,
        reference: t.reference,
        offsetMs: num(t.offsetAt(x)),
        driftPpm: f && f.spanMs >= MIN_DRIFT_SPAN_MS ? round3(f.driftPpm) : null,
        jitterMs: f ? round3(f.jitterMs) : null,
        samples: t.est.size,
        correctionMs: round3(t.applied),
        manualOffsetMs: c.manualOffset(t.id),
      };
    }),
    corrections: { ...corrections, slewedMs: round3(corrections.slewedMs) },
  };
}

function num(v: number | undefined): number | null {
  return v === undefined || !Number.isFinite(v) ? null : round3(v);
}
