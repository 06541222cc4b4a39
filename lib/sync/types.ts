/**
 * The vocabulary of a stream's A/V sync (lib/sync/stream_sync.ts): its state and
 * correction counters as the API shows them, the events it emits, its options and the
 * frame sink it hands stamped frames to.
 */
import type { AccessUnit } from "../core/types.ts";

/** Sync state of a stream (API `state`). */
export type SyncState = "measuring" | "locked" | "correcting" | "single-track";

/** Correction counters of a stream (API `corrections`). */
export interface SyncCorrections {
  count: number;
  slewedMs: number;
  framesDropped: number;
  framesDuplicated: number;
  resyncs: number;
}

/** Events a stream's sync emits (part of the bus's EventMap, lib/stream/events.ts). */
export interface SyncEvents {
  "sync.state": { stream: string; from: string; to: string };
  "sync.reference": { stream: string; from: string; to: string };
  "sync.correction": {
    stream: string;
    track: number;
    phase: "start" | "end";
    errorMs: number;
    correctionMs: number;
  };
  "sync.resync": { stream: string; track: number; reason: string };
  "sync.adjust": { stream: string; track: number; offsetMs: number };
}

/** Options of StreamSync (lib/sync/stream_sync.ts). */
export interface StreamSyncOptions {
  /** Stream id (for events). */
  stream: string;
  /** `ingestion.sync_threshold`, read on use (reload applies at once), ms. */
  thresholdMs: () => number;
  /** Event sink (Manager.events.emit). */
  emit?: <T extends keyof SyncEvents>(type: T, data: SyncEvents[T]) => void;
  /** Estimator window, ms (default 60 s). */
  windowMs?: number;
}

/** A frame handed on (the frame store's push). */
export type Emit = (au: AccessUnit) => void;
