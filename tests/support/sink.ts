/**
 * A StreamSink (lib/stream/ports.ts) that records what the pipeline hands a stream:
 * tracks, frames, parameter sets, errors and drops by reason. For wiring tests that feed
 * lib/pipeline/ts_input.ts or rtp_input.ts without sockets or a manager.
 */
import type { AccessUnit, TrackInfo } from "@lib/core/types.ts";
import {
  type DataReason,
  type DropReason,
  type ErrorReason,
  isDrop,
} from "@lib/core/reasons/catalogue.ts";
import type { StreamSink, TransportStats } from "@lib/stream/ports.ts";

/** What a RecordingSink saw. */
export class RecordingSink implements StreamSink {
  readonly id = "test";
  paused = false;
  sessions = 1;
  ssrc?: number;
  readonly tracks = new Map<number, TrackInfo>();
  readonly frames: AccessUnit[] = [];
  readonly parameterSets: Uint8Array[][] = [];
  readonly errors: Record<string, number> = {};
  readonly drops: Record<string, number> = {};
  closed?: string;

  received(): void {}
  inputAt(): void {}
  error(reason: ErrorReason, n = 1): void {
    this.errors[reason] = (this.errors[reason] ?? 0) + n;
  }
  drop(reason: DropReason, n = 1): void {
    this.drops[reason] = (this.drops[reason] ?? 0) + n;
  }
  count(reason: DataReason, n = 1): void {
    if (isDrop(reason)) this.drop(reason, n);
    else this.error(reason, n);
  }
  setTrack(info: TrackInfo): void {
    this.tracks.set(info.id, info);
  }
  pushFrame(au: AccessUnit): void {
    this.frames.push(au);
  }
  addParameterSets(_trackId: number, _codec: AccessUnit["codec"], sets: Uint8Array[]): void {
    this.parameterSets.push(sets);
  }
  setTransport(_stats: TransportStats): void {}
  close(reason: string): void {
    this.closed = reason;
  }

  /** Frames of one kind. */
  framesOf(kind: "video" | "audio"): AccessUnit[] {
    return this.frames.filter((f) => f.kind === kind);
  }
}
