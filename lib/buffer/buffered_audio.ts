/**
 * The audio of the GOP buffer (lib/buffer/gop_buffer.ts): one list per audio track, in
 * output-timeline order (lib/buffer/frame_index.ts `msOf`), every frame also in the
 * frame index. The GOP buffer decides what is kept (the span of the buffered video GOPs,
 * or a time window when the stream has no video); this file keeps the lists.
 */
import type { AccessUnit } from "../core/types.ts";
import { type FrameIndex, msOf, type Slot } from "./frame_index.ts";

/** Audio frames per track, oldest first. */
export class BufferedAudio {
  readonly #lists = new Map<number, Slot[]>();
  readonly #index: FrameIndex;

  constructor(index: FrameIndex) {
    this.#index = index;
  }

  /** Indexes an audio frame and files it in its track by time (after equal times). */
  insert(au: AccessUnit, gop: number): Slot {
    let list = this.#lists.get(au.trackId);
    if (!list) this.#lists.set(au.trackId, list = []);
    const slot = this.#index.add(au, gop);
    let i = list.length;
    while (i > 0 && msOf(list[i - 1].au) > msOf(au)) i--;
    if (i === list.length) list.push(slot); // in order, the usual case
    else list.splice(i, 0, slot);
    return slot;
  }

  /** Drops the frames older than `start` (every frame when undefined); returns how many. */
  trimBefore(start: number | undefined): number {
    let removed = 0;
    for (const list of this.#lists.values()) {
      let n = 0;
      while (n < list.length && (start === undefined || msOf(list[n].au) < start)) {
        this.#index.remove(list[n]);
        n++;
      }
      if (n) list.splice(0, n);
      removed += n;
    }
    return removed;
  }

  /** Drops every frame at or after `cut`, ms; returns how many. */
  trimFrom(cut: number): number {
    let n = 0;
    for (const list of this.#lists.values()) {
      let k = list.length;
      while (k > 0 && msOf(list[k - 1].au) >= cut) k--;
      for (let i = k; i < list.length; i++) this.#index.remove(list[i]);
      n += list.length - k;
      list.length = k;
    }
    return n;
  }

  /** Keeps the last `windowMs` of `track` (measured from its newest frame; never empties it). */
  keepWindow(track: number, windowMs: number): void {
    const list = this.#lists.get(track);
    if (!list?.length) return;
    const newest = msOf(list[list.length - 1].au);
    let n = 0;
    while (n < list.length - 1 && msOf(list[n].au) < newest - windowMs) n++;
    this.#remove(list, n);
  }

  /** Drops the oldest frame over all tracks; false when there is none. */
  dropOldest(): boolean {
    let oldest: Slot[] | undefined;
    for (const l of this.#lists.values()) {
      if (l.length && (!oldest || msOf(l[0].au) < msOf(oldest[0].au))) oldest = l;
    }
    if (!oldest) return false;
    this.#remove(oldest, 1);
    return true;
  }

  #remove(list: Slot[], n: number): void {
    for (let k = 0; k < n; k++) this.#index.remove(list[k]);
    if (n) list.splice(0, n);
  }
}
