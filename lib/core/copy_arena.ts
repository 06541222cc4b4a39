/**
 * Copies packed into shared slabs: one ArrayBuffer allocation per slab instead of one per
 * copy (`slice()` costs a malloc, its bookkeeping and a later free per copy; measured 1-3
 * us for a 5 KB video frame, 1.5 us for a datagram). Copies are appended to the current
 * slab and handed out as views. A full slab is dropped (never reused) and a new one
 * started, so memory is what is still referenced: a slab lives until its last view does.
 * Users: RTP datagrams held past the receiver's callback (lib/transport/rtp/demux.ts, RFC 3550
 * A.1 sequencing then reorder) and RTP access units (lib/codecs/h26x/rtp_unit.ts).
 */

/** Default slab size, bytes. */
export const ARENA_SLAB_BYTES = 256 * 1024;
/** Smallest slab, bytes. */
export const MIN_SLAB_BYTES = 4096;

/** Bump allocator of copies; see the module doc. */
export class CopyArena {
  #slab: Uint8Array = new Uint8Array(0); // the first slab is made by the first copy
  #used = 0;
  /** Slabs started so far. */
  slabs = 0;

  /**
   * `slabBytes` per slab; copies larger than `maxCopyBytes` (default slabBytes / 16) get a
   * buffer of their own, so a big one never wastes the tail of a slab.
   */
  constructor(
    readonly slabBytes: number = ARENA_SLAB_BYTES,
    readonly maxCopyBytes: number = slabBytes >>> 4,
  ) {
    if (!(slabBytes >= MIN_SLAB_BYTES) || !(maxCopyBytes >= 0 && maxCopyBytes <= slabBytes)) {
      throw new RangeError(`bad arena sizes: slab ${slabBytes}, max copy ${maxCopyBytes}`);
    }
  }

  /** A copy of `src` that no later call overwrites (a view into a slab, or its own buffer). */
  copy(src: Uint8Array): Uint8Array {
    const n = src.length;
    if (n > this.maxCopyBytes) return src.slice();
    let o = this.#used;
    if (o + n > this.#slab.length) {
      this.#slab = new Uint8Array(this.slabBytes);
      this.slabs++;
      o = 0;
    }
    const slab = this.#slab;
    slab.set(src, o);
    this.#used = (o + n + 7) & ~7; // 8-byte aligned starts
    return slab.subarray(o, o + n);
  }
}
