/**
 * GOP boundaries as `stream.gop` events on the bus (lib/stream/events.ts): each video keyframe
 * that reaches a stream's GOP buffer is a new preview and closes the previous GOP. An
 * intra-only track (every frame a keyframe, e.g. JPEG XS) would flood the bus, so one
 * track announces at most one boundary per GOP_EVENT_MIN_INTERVAL_MS; boundaries in
 * between are counted in the next event's `skipped`.
 */
import type { EventBus } from "./events.ts";
import type { AccessUnit } from "../core/types.ts";
import type { Stream } from "./stream.ts";

/** Shortest interval between two `stream.gop` events of one track, ms. */
export const GOP_EVENT_MIN_INTERVAL_MS = 250;

interface TrackMark {
  at: number;
  skipped: number;
}

/** Announces keyframes of streams as `stream.gop` events. */
export class GopAnnouncer {
  /** Per stream object (forgotten with it), per track: last announcement. */
  readonly #marks = new WeakMap<Stream, Map<number, TrackMark>>();

  constructor(
    private readonly bus: EventBus,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Called by the stream after a video keyframe went into its frame store. */
  keyframe(s: Stream, au: AccessUnit): void {
    let tracks = this.#marks.get(s);
    if (!tracks) this.#marks.set(s, tracks = new Map());
    const now = this.now();
    const mark = tracks.get(au.trackId);
    if (mark && now - mark.at < GOP_EVENT_MIN_INTERVAL_MS) {
      mark.skipped++;
      return;
    }
    const skipped = mark?.skipped ?? 0;
    tracks.set(au.trackId, { at: now, skipped: 0 });
    const g = s.frameSink?.gopStats?.(au.trackId);
    const done = g !== undefined && g.gops > 1;
    const rate = s.tracks.get(au.trackId)?.info.clockRate ?? au.clockRate;
    this.bus.emit("stream.gop", {
      stream: s.id,
      track: au.trackId,
      codec: au.codec,
      pts: au.pts,
      keyBytes: au.data.length,
      lastFrames: done ? g.lastLengthFrames : null,
      lastDurationMs: done && rate > 0 ? Math.round((g.lastDuration * 1000) / rate) : null,
      skipped,
    });
  }
}
