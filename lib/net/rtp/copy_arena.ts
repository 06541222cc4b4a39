/**
 * Copies of received datagrams packed into shared slabs (DESIGN.md rule 5: the UDP
 * receiver reuses its buffers, so an RTP packet held in a jitter buffer (RFC 3550 A.1
 * sequencing, then reorder) needs bytes of its own). One `slice()` per datagram costs an
 * ArrayBuffer allocation and free each (malloc, GC sweeping); here datagrams are appended
 * to a slab and views are handed out. A full slab is dropped (never reused) and a new one
 * started, so memory is what is still referenced: a slab lives until its last view does,
 * i.e. about the jitter window plus one slab per source that still holds a packet.
 */

/** Slab size, bytes: 1,000+ typical datagrams per allocation. */
export const ARENA_SLAB_BYTES = 256 * 1024;
/** Datagrams larger than this get their own buffer (a big one would waste a slab tail). */
export const ARENA_MAX_COPY_BYTES = 16 * 1024;

/** Bump allocator of datagram copies; see the module doc. */
export class CopyArena {
  #slab: Uint8Array;
  #used = 0;
  /** Slabs started so far (the first included). */
  slabs = 1;

  constructor(readonly slabBytes: number = ARENA_SLAB_BYTES) {
    if (!(slabBytes >= ARENA_MAX_COPY_BYTES)) {
      throw new RangeError(`slabBytes must be >= ${ARENA_MAX_COPY_BYTES}, got ${slabBytes}`);
    }
    this.#slab = new Uint8Array(slabBytes);
  }

  /** A copy of `src` that no later call overwrites (a view into a slab, or its own buffer). */
  copy(src: Uint8Array): Uint8Array {
    const n = src.length;
    if (n > ARENA_MAX_COPY_BYTES) return src.slice();
    let o = this.#used;
    if (o + n > this.slabBytes) {
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
