/**
 * A stream's frame store: the GOP buffer (last `gop_buffer_size` GOPs per video track,
 * with their audio, under the per-stream byte limit) plus the output queue consumers
 * read from. Implements the read side of the video API (frame index, frames, preview).
 */
import { OutputQueue } from "../buffer/output.ts";
import { GopBuffer } from "../buffer/gop_buffer.ts";
import type { GopStats } from "../buffer/gop_detector.ts";
import type { VideoAccessUnit } from "../codecs/h26x/au_info.ts";
import type { ParamTracker } from "../codecs/params.ts";
import type { AccessUnit, Counter } from "../core/types.ts";
import type { BufferView, FrameIndexEntry } from "../stream/ports.ts";
import { TsTap } from "./ts_tap.ts";

/** Options of FrameStore. */
export interface FrameStoreOptions {
  maxGops: number;
  maxBytes: number;
  /** Drops by reason (the stream's drop counter). */
  count: Counter;
  /** Parameter trackers of the stream, for decodable previews. */
  params: Map<number, ParamTracker>;
}

/** GOP buffer + output queue of one stream. */
export class FrameStore implements BufferView {
  readonly buffer: GopBuffer;
  readonly output = new OutputQueue();
  /** The input's own TS packets for passthrough outputs (MPEG-TS inputs only). */
  readonly tsTap = new TsTap();

  constructor(private o: FrameStoreOptions) {
    // maxBytes read per frame: a getter in `o` (lib/app/listeners.ts) makes a reload apply at once
    this.buffer = new GopBuffer({
      maxGops: o.maxGops,
      get maxBytes() {
        return o.maxBytes;
      },
      count: o.count,
    });
  }

  push(au: AccessUnit): void {
    this.buffer.push(au as VideoAccessUnit);
    this.output.publish(au);
  }

  get bytes(): number {
    return this.buffer.bytes;
  }

  shed(): number {
    return this.buffer.shedOldest();
  }

  newSession(): number {
    return this.buffer.trimIncomplete();
  }

  discard(): number {
    return this.buffer.discard();
  }

  gopStats(track: number): GopStats | undefined {
    return this.buffer.detector(track)?.stats;
  }

  index(q: { track?: number; from?: number; to?: number }): {
    frames: FrameIndexEntry[];
    gops: number;
  } {
    return { frames: this.buffer.frames(q), gops: this.buffer.gopCount };
  }

  frame(index: number): AccessUnit | undefined {
    return this.buffer.frame(index);
  }

  /**
   * Buffered frames (all tracks, arrival order) from the newest keyframe of the first
   * video track on: where a live consumer starts. Empty without a buffered keyframe.
   */
  fromLatestKey(): AccessUnit[] {
    const key = this.buffer.latestKeyframeIndex();
    if (key === undefined) return [];
    const entries = this.buffer.frames();
    const at = entries.findLastIndex((e) => e.index === key);
    if (at < 0) return [];
    const out: AccessUnit[] = [];
    for (let i = at; i < entries.length; i++) {
      const au = this.buffer.frame(entries[i].index);
      if (au) out.push(au);
    }
    return out;
  }

  preview(track?: number): AccessUnit | undefined {
    const au = this.buffer.latestKeyframe(track);
    if (!au) return undefined;
    return this.o.params.get(au.trackId)?.decodable(au) ?? au;
  }
}
