/**
 * One stream: its state machine, counters (packets, bytes, errors and drops by
 * reason), tracks with frame statistics, transport stats, and its frame store (the
 * GOP buffer). Adapters feed it through the StreamSink interface; the API reads
 * `toJSON()`.
 */
import type { AccessUnit, TrackInfo } from "../core/types.ts";
import { ReasonCounter } from "./counters.ts";
import {
  type DataReason,
  type DropReason,
  type ErrorReason,
  isDrop,
} from "../core/reasons/catalogue.ts";
import { TrackState } from "./track_state.ts";
import { RateMeter } from "../core/meter.ts";
import type { Registry } from "../core/metrics/registry.ts";
import { FrameLatency } from "./frame_latency.ts";
import { ParamTracker, withVideoParams } from "../codecs/params.ts";
import { StreamSync } from "../sync/stream_sync.ts";
import type { StreamSyncOptions } from "../sync/types.ts";
import type { SrMapping } from "../sync/reference.ts";
import type {
  AdapterHooks,
  FrameSink,
  OpenRequest,
  Protocol,
  StreamSink,
  StreamState,
  TransportStats,
} from "./ports.ts";

/**
 * A stream with no data for this long is `recovering` (RTP; SRT streams use
 * `srt.takeover_after`, see lib/stream/takeover.ts).
 */
export const IDLE_RECOVERING_MS = 2000;

/** Options for a stream. */
export interface StreamOptions {
  now?: () => number;
  /** Called on every state change. */
  onState?: (s: Stream, from: StreamState, to: StreamState) => void;
  /** Creates the frame store for this stream (GOP buffer). */
  frameSink?: (s: Stream) => FrameSink;
  /**
   * Asked before a frame of `bytes` goes into the frame store (the global memory limit,
   * lib/stream/global_memory.ts); false drops it ("memory_global_frame"). `stored` reports
   * the byte change of the store afterwards (the frame minus what its buffer evicted).
   */
  memory?: {
    admit(s: Stream, bytes: number): boolean;
    stored(s: Stream, delta: number): void;
  };
  /** Where frame latency is observed (default: the process-wide registry). */
  registry?: Registry;
  /** A video keyframe went into the frame store (a GOP boundary; a new preview). */
  onKeyframe?: (s: Stream, au: AccessUnit) => void;
  /** A/V sync settings (threshold, events); default: 100 ms, no events. */
  sync?: Omit<StreamSyncOptions, "stream">;
}

/** One ingest stream. */
export class Stream implements StreamSink {
  readonly id: string;
  readonly protocol: Protocol;
  remote: string;
  ssrc?: number;
  /** RTP: every SSRC of this stream (the first is `ssrc`; others joined as tracks). */
  ssrcs: number[] = [];
  streamId?: string;
  user?: string;
  startedAt: Date = new Date();
  closedAt?: Date;
  closeReason?: string;
  state: StreamState = "connecting";
  packets = 0;
  bytes = 0;
  /** Sessions this id has had (1 + reconnects, takeovers and RTP sender restarts). */
  sessions = 1;
  /** Monotonic ms the current session began. */
  sessionStartMs: number;
  readonly bitrate: RateMeter = new RateMeter();
  readonly errors: ReasonCounter<ErrorReason> = new ReasonCounter();
  readonly drops: ReasonCounter<DropReason> = new ReasonCounter();
  readonly tracks: Map<number, TrackState> = new Map();
  /** Parameter sets per video track (stream info and decodable previews). */
  readonly params: Map<number, ParamTracker> = new Map();
  transport: TransportStats = {};
  hooks?: AdapterHooks;
  lastDataMs = 0;
  /** This session produced a track or a frame (valid media, not just bytes). */
  delivered = false;
  /**
   * One output timeline (ptsMs/dtsMs) across every session, offsets, drift and correction
   * (lib/sync); source pts/dts stay as the publisher sent them.
   */
  readonly sync: StreamSync;
  /** After resume, frames wait for the next keyframe per track. */
  #awaitKey = new Set<number>();
  /** A new session's audio waits for its first video keyframe (when there is video). */
  #awaitSessionKey = false;
  #frameSink?: FrameSink;
  readonly #now: () => number;
  /** When the input being worked on became available (see StreamSink.inputAt). */
  #inputMs = 0;
  /** `sluice_frame_latency_seconds` of its tracks. */
  readonly #latency: FrameLatency;

  constructor(req: OpenRequest, hooks: AdapterHooks | undefined, private opts: StreamOptions = {}) {
    this.id = req.name;
    this.protocol = req.protocol;
    this.remote = req.remote;
    this.ssrc = req.ssrc;
    if (req.ssrc !== undefined) this.ssrcs = [req.ssrc];
    this.streamId = req.streamId;
    this.user = req.user;
    this.hooks = hooks;
    this.#now = opts.now ?? (() => performance.now());
    this.sessionStartMs = this.#now();
    this.#latency = new FrameLatency(this.protocol, opts.registry);
    this.#frameSink = opts.frameSink?.(this);
    this.sync = new StreamSync({ thresholdMs: () => 100, ...opts.sync, stream: this.id });
  }

  get paused(): boolean {
    return this.state === "paused";
  }

  get frameSink(): FrameSink | undefined {
    return this.#frameSink;
  }

  /** Bytes this stream holds in buffers (for memory limits). */
  get bufferedBytes(): number {
    return this.#frameSink?.bytes ?? 0;
  }

  #setState(to: StreamState): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.opts.onState?.(this, from, to);
  }

  received(bytes: number, packets: number, nowMs: number): void {
    if (this.state === "closed") return;
    this.packets += packets;
    this.bytes += bytes;
    this.bitrate.add(bytes * 8, nowMs);
    this.lastDataMs = nowMs;
    this.#inputMs = nowMs;
    if (this.state === "connecting" || this.state === "recovering") this.#setState("active");
  }

  inputAt(nowMs: number): void {
    this.#inputMs = nowMs;
  }

  error(reason: ErrorReason, n = 1): void {
    this.errors.add(reason, n);
  }

  drop(reason: DropReason, n = 1): void {
    this.drops.add(reason, n);
  }

  count(reason: DataReason, n = 1): void {
    if (isDrop(reason)) this.drops.add(reason, n);
    else this.errors.add(reason, n);
  }

  setTrack(info: TrackInfo): void {
    this.delivered = true;
    const t = this.tracks.get(info.id);
    if (t) t.info = { ...t.info, ...info };
    else this.tracks.set(info.id, new TrackState(info));
  }

  pushFrame(au: AccessUnit): void {
    if (this.state === "closed") return;
    this.delivered = true;
    let t = this.tracks.get(au.trackId);
    if (!t) {
      t = new TrackState({
        id: au.trackId,
        kind: au.kind,
        codec: au.codec,
        clockRate: au.clockRate,
        supported: true,
      });
      this.tracks.set(au.trackId, t);
    }
    // counted at the time its input became available (received/inputAt): the frame's own
    // performance.now() is taken once, for the latency histogram in #deliver
    t.frame(au, this.#inputMs || this.#now());
    if (au.kind === "video") {
      const p = this.#tracker(au.trackId, au.codec).observe(au);
      if (p) t.info = withVideoParams(t.info, p);
    }
    // The one point where frames get their output time (ptsMs/dtsMs) and A/V correction.
    this.sync.frame(au, this.#deliver);
  }

  /** Frames on the output timeline into the frame store (unless paused or waiting for a key). */
  #deliver = (au: AccessUnit): void => {
    if (this.state === "paused") {
      this.drops.add("paused");
      return;
    }
    if (this.#awaitSessionKey) {
      if (au.kind === "video" && au.key) this.#awaitSessionKey = false;
      else if (au.kind !== "video") {
        this.drops.add("await_keyframe");
        return;
      }
    }
    if (this.#awaitKey.size && au.kind === "video" && this.#awaitKey.has(au.trackId)) {
      if (!au.key) {
        this.drops.add("await_keyframe");
        return;
      }
      this.#awaitKey.delete(au.trackId);
    }
    const sink = this.#frameSink;
    const mem = this.opts.memory;
    if (sink && mem && !mem.admit(this, au.data.length)) {
      this.drops.add("memory_global_frame");
      // the GOP it belonged to is broken: this track restarts at its next keyframe
      if (au.kind === "video") this.#awaitKey.add(au.trackId);
      return;
    }
    const before = sink?.bytes ?? 0;
    sink?.push(au);
    if (sink && mem) mem.stored(this, sink.bytes - before);
    const start = Math.max(this.#inputMs, au.arrivalMs);
    this.#latency.observe(au, Math.max(0, this.#now() - start) / 1000);
    if (au.key && au.kind === "video") this.opts.onKeyframe?.(this, au);
  };

  /** The latest RTCP sender report of a track (RTP); undefined forgets it. */
  senderReport(trackId: number, sr: SrMapping | undefined): void {
    this.sync.senderReport(trackId, sr);
  }

  #tracker(trackId: number, codec: AccessUnit["codec"]): ParamTracker {
    let pt = this.params.get(trackId);
    if (!pt || pt.codec !== codec) this.params.set(trackId, pt = new ParamTracker(codec));
    return pt;
  }

  addParameterSets(trackId: number, codec: AccessUnit["codec"], sets: Uint8Array[]): void {
    const p = this.#tracker(trackId, codec).addOutOfBand(sets);
    const t = this.tracks.get(trackId);
    if (p && t) t.info = withVideoParams(t.info, p);
  }

  setTransport(stats: TransportStats): void {
    this.transport = stats;
  }

  /** Stops buffering while the connection stays up. False when not pausable. */
  pause(): boolean {
    if (this.state === "paused" || this.state === "closed") return false;
    this.#setState("paused");
    return true;
  }

  /** Restarts buffering at the next keyframe of each video track. */
  resume(): boolean {
    if (this.state !== "paused") return false;
    for (const [id, t] of this.tracks) if (t.info.kind === "video") this.#awaitKey.add(id);
    this.#setState("active");
    return true;
  }

  close(reason: string): void {
    if (this.state === "closed") return;
    this.closedAt = new Date();
    this.closeReason = reason;
    this.#setState("closed");
  }

  /** Reopens a closed stream for a reconnecting publisher, keeping counters. */
  revive(req: OpenRequest, hooks: AdapterHooks): void {
    if (req.ssrc !== undefined) this.ssrcs = [req.ssrc];
    this.closedAt = undefined;
    this.closeReason = undefined;
    this.beginSession(req, hooks);
    this.#setState("connecting");
  }

  /**
   * A new publisher takes this live stream over (lib/stream/takeover.ts): the caller closes the
   * old session's connection afterwards. A paused stream stays paused.
   */
  takeOver(req: OpenRequest, hooks: AdapterHooks): void {
    this.beginSession(req, hooks);
    if (this.state !== "paused") this.#setState("connecting");
  }

  /**
   * A new publisher session continues this stream (revive, takeover, an RTP sender
   * restarting): `sessions` counts up, the old session's unfinished GOP leaves the
   * buffer, output restarts at the new session's first keyframe and the sync timeline
   * rebases at its first frame (lib/sync/timeline.ts reconnect, one `resyncs`).
   * Returns the frames trimmed.
   */
  beginSession(
    from: { remote?: string; ssrc?: number; streamId?: string; user?: string },
    hooks?: AdapterHooks,
  ): number {
    if (from.remote !== undefined) this.remote = from.remote;
    this.ssrc = from.ssrc ?? this.ssrc;
    this.streamId = from.streamId ?? this.streamId;
    this.user = from.user ?? this.user;
    if (hooks) this.hooks = hooks;
    this.sessions++;
    this.sessionStartMs = this.#now();
    this.delivered = false;
    this.sync.reconnect();
    let video = false;
    for (const [id, t] of this.tracks) {
      if (t.info.kind !== "video") continue;
      this.#awaitKey.add(id);
      video = true;
    }
    this.#awaitSessionKey = video;
    const trimmed = this.#frameSink?.newSession?.() ?? 0;
    if (trimmed > 0) this.drops.add("session_incomplete_gop", trimmed);
    return trimmed;
  }

  /**
   * Gives back the oldest whole GOP under global memory pressure; bytes freed. The frame
   * sink counts what it evicted ("gop_evicted_global"), once.
   */
  shed(): number {
    return this.#frameSink?.shed?.() ?? 0;
  }

  /**
   * The stream leaves the registry (Manager.remove): its frame store drops every frame for
   * good. Returns the frames dropped.
   */
  discard(): number {
    return this.#frameSink?.discard?.() ?? 0;
  }

  /** Periodic housekeeping: idle detection (`recovering` after `recoveringAfterMs` of silence). */
  tick(nowMs: number, recoveringAfterMs: number = IDLE_RECOVERING_MS): void {
    this.#frameSink?.tick?.(nowMs);
    if (
      this.state === "active" && this.lastDataMs && nowMs - this.lastDataMs >= recoveringAfterMs
    ) {
      this.#setState("recovering");
    }
  }

  /** The Stream JSON (README.md, API reference). */
  toJSON(): Record<string, unknown> {
    const now = this.#now();
    const ended = this.closedAt ?? new Date();
    const out: Record<string, unknown> = {
      id: this.id,
      name: this.id,
      protocol: this.protocol,
      state: this.state,
      remote: this.remote,
      startedAt: this.startedAt.toISOString(),
      uptimeS: Math.round((ended.getTime() - this.startedAt.getTime()) / 100) / 10,
      bitrateBps: this.state === "closed" ? 0 : Math.round(this.bitrate.rate(now, 1)),
      bitrate10sBps: this.state === "closed" ? 0 : Math.round(this.bitrate.rate(now, 10)),
      packets: this.packets,
      bytes: this.bytes,
      bufferedBytes: this.bufferedBytes,
      sessions: this.sessions,
      tracks: [...this.tracks.values()].map((t) =>
        t.toJSON(now, this.#frameSink?.gopStats?.(t.info.id))
      ),
      errors: this.errors.toJSON(),
      drops: this.drops.toJSON(),
      transport: this.transport,
    };
    if (this.ssrc !== undefined) out.ssrc = this.ssrc;
    if (this.ssrcs.length) out.ssrcs = this.ssrcs;
    if (this.streamId !== undefined) out.streamId = this.streamId;
    if (this.user !== undefined) out.user = this.user;
    if (this.closedAt) {
      out.closedAt = this.closedAt.toISOString();
      out.closeReason = this.closeReason;
    }
    return out;
  }
}
