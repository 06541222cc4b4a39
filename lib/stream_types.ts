/**
 * The narrow interface between protocol adapters (SRT, RTP) and the stream manager.
 * An adapter asks the manager to open a stream, then feeds it through `StreamSink`.
 */
import type { AccessUnit, Result, TrackInfo } from "./media/types.ts";
import type { DataReason, DropReason, ErrorReason, RefusalReason } from "./reasons.ts";

/** Stream states (DESIGN.md): connecting -> active <-> paused -> recovering -> closed. */
export type StreamState = "connecting" | "active" | "paused" | "recovering" | "closed";

/** Protocols that create streams. */
export type Protocol = "srt" | "rtp";

/** What an adapter asks for when a new publisher appears. */
export interface OpenRequest {
  protocol: Protocol;
  /** Stream id: SRT stream name, RTP configured name or `ssrc-<hex>`. */
  name: string;
  /** Remote "ip:port". */
  remote: string;
  /** RTP SSRC. */
  ssrc?: number;
  /** SRT stream id exactly as sent. */
  streamId?: string;
  /** SRT user (u=) of an access-control stream id. */
  user?: string;
}

/** What the manager may ask of the adapter that owns a stream. */
export interface AdapterHooks {
  /** Disconnect the publisher (API DELETE, shutdown, limit enforcement). */
  disconnect(reason: string): void;
}

/** Transport-level statistics shown under `transport` in the stream JSON. */
export type TransportStats = Record<string, number | string | boolean | null>;

/** How adapters feed a stream. Never throws. */
export interface StreamSink {
  readonly id: string;
  /** True while paused through the API: adapters may skip frame work. */
  readonly paused: boolean;
  /** Count transport bytes/packets received at `nowMs` (monotonic ms). */
  received(bytes: number, packets: number, nowMs: number): void;
  /** Count an error (malformed input) by reason. */
  error(reason: ErrorReason, n?: number): void;
  /** Count a drop (data discarded on purpose: loss, limits) by reason. */
  drop(reason: DropReason, n?: number): void;
  /** Count a reason as an error or a drop, as its catalogue entry (lib/reasons.ts) says. */
  count(reason: DataReason, n?: number): void;
  /** Announce or update a track. */
  setTrack(info: TrackInfo): void;
  /** Deliver one complete frame (video or audio access unit). */
  pushFrame(au: AccessUnit): void;
  /** Parameter sets received out of band (SDP sprop-*), NAL units without start codes. */
  addParameterSets(trackId: number, codec: AccessUnit["codec"], sets: Uint8Array[]): void;
  /** Replace the transport statistics snapshot. */
  setTransport(stats: TransportStats): void;
  /** The publisher is gone; the stream stays listed (closed) for the retention time. */
  close(reason: string): void;
}

/** The manager's door for adapters. */
export interface StreamOpener {
  /** Opens (or revives within the grace window) a stream; refusals carry a reason. */
  open(req: OpenRequest, hooks: AdapterHooks): Result<StreamSink, RefusalReason>;
  /** Counts a refusal decided by the adapter itself (e.g. bad passphrase). */
  refuse(protocol: Protocol, reason: RefusalReason): void;
}

/** The host part of a remote "ip:port" or "[ip6]:port" (per-source limits). */
export function hostOf(remote: string): string {
  const i = remote.lastIndexOf(":");
  return i < 0 ? remote : remote.slice(0, i);
}
