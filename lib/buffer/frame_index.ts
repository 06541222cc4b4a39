/**
 * The GOP buffer's frame index (lib/buffer/gop_buffer.ts): every buffered frame under a
 * global monotonic index, and the bytes they hold together. It answers the API's
 * `/api/v1/video/buffer/{id}` frame index and raw frames by index or PTS range.
 */
import type { AccessUnit } from "../core/types.ts";

/** One row of the frame index (the API's `frames` entries). */
export interface FrameEntry {
  index: number;
  track: number;
  pts: number;
  dts: number;
  key: boolean;
  size: number;
  /** GOP sequence number (for audio: the video GOP in progress when it was added). */
  gop: number;
  /** Presentation/decode time on the stream's output timeline, ms (lib/sync); null if unset. */
  ptsMs: number | null;
  dtsMs: number | null;
}

/** Filter of {@link FrameIndex.frames}; `from`/`to` are an inclusive PTS range, ticks. */
export interface FrameQuery {
  track?: number;
  from?: number;
  to?: number;
}

/**
 * A buffered frame: its index, GOP and size, and its access unit. The index row is made
 * when asked for (the API's frame index): a frame keeps one small object in the buffer,
 * not two (the frames a buffer keeps are what its scavenges copy).
 */
export class Slot {
  constructor(
    readonly index: number,
    readonly gop: number,
    readonly size: number,
    readonly au: AccessUnit,
  ) {}

  /** The frame's row of the frame index. */
  get entry(): FrameEntry {
    const au = this.au;
    return {
      index: this.index,
      track: au.trackId,
      pts: au.pts,
      dts: au.dts,
      key: au.key,
      size: this.size,
      gop: this.gop,
      ptsMs: au.ptsMs ?? null,
      dtsMs: au.dtsMs ?? null,
    };
  }
}

/** Buffered frames by index, with their byte total. */
export class FrameIndex {
  readonly #byIndex = new Map<number, Slot>();
  #nextIndex = 0;
  #bytes = 0;

  /** Bytes of all indexed frames. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Indexes a frame under the next index; `gop` is the GOP it is filed with. */
  add(au: AccessUnit, gop: number): Slot {
    const slot = new Slot(this.#nextIndex++, gop, au.data.length, au);
    this.#byIndex.set(slot.index, slot);
    this.#bytes += slot.size;
    return slot;
  }

  /** Removes a frame from the index and its bytes from the total. */
  remove(slot: Slot): void {
    this.#byIndex.delete(slot.index);
    this.#bytes -= slot.size;
  }

  /** The frame's index while it is still indexed (a budget may have removed it at once). */
  kept(slot: Slot): number | undefined {
    return this.#byIndex.has(slot.index) ? slot.index : undefined;
  }

  /** Frame index entries, in index order. */
  frames(q: FrameQuery = {}): FrameEntry[] {
    const out: FrameEntry[] = [];
    for (const s of this.#byIndex.values()) {
      const au = s.au;
      if (q.track !== undefined && au.trackId !== q.track) continue;
      if (q.from !== undefined && au.pts < q.from) continue;
      if (q.to !== undefined && au.pts > q.to) continue;
      out.push(s.entry);
    }
    return out.sort((a, b) => a.index - b.index);
  }

  /** The access unit of a frame index, while indexed. */
  frame(index: number): AccessUnit | undefined {
    return this.#byIndex.get(index)?.au;
  }
}

/**
 * A frame's time for comparisons across tracks, ms: its output-timeline time (lib/sync),
 * else its pts in ms (tracks of one MPEG-TS program share the 90 kHz clock).
 */
export function msOf(au: AccessUnit): number {
  return au.ptsMs ?? (au.pts * 1000) / au.clockRate;
}
