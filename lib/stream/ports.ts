/**
 * The ports of the stream layer: the narrow interfaces the layers around a stream talk
 * through (docs/ARCHITECTURE.md). Adapters (lib/pipeline/*_adapter.ts) ask a
 * `StreamOpener` for a stream and feed it through `StreamSink`; the frame store
 * (lib/pipeline/frame_store.ts) receives its frames as a `FrameSink` and the video API
 * reads it as a `BufferView`; the manager sees each adapter as a `Listener` and each link
 * that leaves the box (NATS) as a `Link`.
 */
import type { AccessUnit, TrackInfo } from "../core/types.ts";
import type { Result } from "../core/result.ts";
import type { Emit } from "../core/metrics/registry.ts";
import type {
  DataReason,
  DropReason,
  ErrorReason,
  RefusalReason,
  TakeoverReason,
} from "../core/reasons/catalogue.ts";
import type { Logger } from "../core/log.ts";
import type { Config } from "../config/config.ts";
import type { FrameEntry } from "../buffer/frame_index.ts";
import type { GopStats } from "../buffer/gop_detector.ts";

/** Stream states (docs/ARCHITECTURE.md): connecting -> active <-> paused -> recovering -> closed. */
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
  /** Sessions of this stream so far: it changes when a new publisher takes the stream over. */
  readonly sessions: number;
  /** Count transport bytes/packets received at `nowMs` (monotonic ms); implies `inputAt(nowMs)`. */
  received(bytes: number, packets: number, nowMs: number): void;
  /**
   * The pipeline is about to work on input that became available at `nowMs` (monotonic
   * ms) other than through `received`: packets a jitter buffer released after its window, a
   * frame timeout, end of input. Frames handed on until the next call (or `received`)
   * measure `sluice_frame_latency_seconds` from this instant.
   */
  inputAt(nowMs: number): void;
  /** Count an error (malformed input) by reason. */
  error(reason: ErrorReason, n?: number): void;
  /** Count a drop (data discarded on purpose: loss, limits) by reason. */
  drop(reason: DropReason, n?: number): void;
  /** Count a reason as an error or a drop, as its entry in lib/core/reasons/catalogue.ts says. */
  count(reason: DataReason, n?: number): void;
  /** Announce or update a track. */
  setTrack(info: TrackInfo): void;
  /** Deliver one complete frame (video or audio access unit). */
  pushFrame(au: AccessUnit): void;
  /** Parameter sets received out of band (SDP sprop-*), NAL units without start codes. */
  addParameterSets(trackId: number, codec: AccessUnit["codec"], sets: Uint8Array[]): void;
  /** RTP SSRC in use; a sender restarting with a new SSRC updates it. */
  ssrc?: number;
  /** RTP: every SSRC feeding this stream, `ssrc` first (others joined as tracks). */
  ssrcs?: number[];
  /** RTP: the latest RTCP sender report of a track (the A/V sync reference); optional. */
  senderReport?(trackId: number, sr: { ntpUnixMs: number; rtpTimestamp: number } | undefined): void;
  /** Replace the transport statistics snapshot. */
  setTransport(stats: TransportStats): void;
  /** The publisher is gone; the stream stays listed (closed) for the retention time. */
  close(reason: string): void;
}

/** Who a refusal concerns, for the event and the log. */
export interface RefusalSubject {
  stream?: string;
  remote?: string;
}

/**
 * The stream layer's door for adapters (lib/stream/manager.ts implements it). Adapters
 * depend on this, never on the manager itself.
 */
export interface StreamOpener {
  /** The configuration in effect: a reload swaps the object, so read it on use. */
  readonly config: Config;
  readonly log: Logger;
  /** Opens (or revives within the grace window) a stream; refusals carry a reason. */
  open(req: OpenRequest, hooks: AdapterHooks): Result<StreamSink, RefusalReason>;
  /**
   * The admission rules alone (duplicate stream, max_connections), for a transport that
   * decides before its handshake ends (the SRT listen callback). A refusal is counted as
   * `open` counts it; `open` applies the same rules again.
   */
  admit(protocol: Protocol, who: RefusalSubject & { stream: string }): Result<void, RefusalReason>;
  /**
   * The publisher behind `sink` restarted and keeps its stream (an RTP sender with a new
   * SSRC or source port): a new session of the same stream (lib/stream/stream.ts
   * beginSession), counted and emitted as a takeover.
   */
  continueSession(
    sink: StreamSink,
    restart: { reason: TakeoverReason; remote: string; ssrc?: number; silentMs: number },
  ): void;
  /** Counts a refusal decided by the adapter itself (e.g. not on the allowlist). */
  refuse(protocol: Protocol, reason: RefusalReason, who?: RefusalSubject): void;
  /** True while a stream of this name exists and is not closed. */
  isLive(name: string): boolean;
  /** Counts input rejected on a listener's port before it belongs to a stream. */
  portError(listener: Listener["name"], reason: DataReason, n?: number): void;
}

/** A protocol listener as the manager sees it. */
export interface Listener {
  readonly name: "srt" | "rtp";
  /** Health JSON for /api/v1/health (enabled, port, reason when disabled ...). */
  health(): Record<string, unknown>;
  stop(): Promise<void>;
}

/** A link that leaves the box (the NATS fleet link, lib/fleet/), as health and /metrics see it. */
export interface Link {
  readonly name: string;
  /** False while the configured link is down: /api/v1/health then says "degraded". */
  readonly up: boolean;
  /** Its part of /api/v1/health, under `name`. */
  health(): Record<string, unknown>;
  /** Its series in /metrics (families declared in lib/core/metrics/families.ts). */
  metrics(emit: Emit): void;
}

/** Receives frames from a stream (the GOP buffer and output queues plug in here). */
export interface FrameSink {
  push(au: AccessUnit): void;
  /** Bytes held. */
  readonly bytes: number;
  /** Drops the oldest whole GOP (global memory pressure); returns bytes freed. */
  shed?(): number;
  /**
   * A new publisher session begins: drop the unfinished GOP of each video track (and the
   * audio beside it) left by the old one; returns the frames dropped.
   */
  newSession?(): number;
  /**
   * The stream is removed: drop every frame for good (their PES slabs may then serve other
   * streams, lib/core/slabs.ts); returns the frames dropped.
   */
  discard?(): number;
  /** Periodic housekeeping (frame timeouts), monotonic ms. */
  tick?(nowMs: number): void;
  /** GOP structure statistics of a video track. */
  gopStats?(track: number): GopStats | undefined;
}

/** One entry of the GOP buffer's frame index (API contract). */
export type FrameIndexEntry = FrameEntry;

/** A frame store the video API can read (the GOP buffer implements it). */
export interface BufferView extends FrameSink {
  /** Frame index, optionally one track and a pts range (inclusive, track ticks). */
  index(
    q: { track?: number; from?: number; to?: number },
  ): { frames: FrameIndexEntry[]; gops: number };
  /** One buffered frame by index. */
  frame(index: number): AccessUnit | undefined;
  /** The latest keyframe, decodable on its own (parameter sets prepended). */
  preview(track?: number): AccessUnit | undefined;
}

/** True when a frame sink also offers the read side of the video API. */
export function isBufferView(s: FrameSink | undefined): s is BufferView {
  return !!s && typeof (s as BufferView).index === "function";
}
