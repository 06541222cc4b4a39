/**
 * Slabs that frame payloads are cut from, given back for reuse when the last holder of
 * their frames lets go. A video PES is collected into a 1 MiB slab (lib/container/mpegts/
 * pes.ts) and its access unit stays a view of it while the GOP buffer keeps the frame.
 * Without reuse every slab is fresh memory: calloc'd, zeroed, page-faulted in, and
 * counted as V8 external memory, which starts a full mark-compact about every 64 MB of
 * new ArrayBuffer bytes (bench/README.md: the per-frame cost after the assembler).
 *
 * Who may still hold a slab is told by two calls, not guessed from the GC:
 * - `releaseBefore(data)`: the GOP buffer dropped its oldest frames of a track, the last
 *   one `data` (lib/buffer/gop_buffer.ts). Frames of a track are cut from its pool in
 *   decode order and the buffer drops oldest first, so every slab of that pool older than
 *   `data`'s slab holds only frames nobody keeps any more: those slabs go back to the
 *   pool, up to `keep` of them (the rest are left to the GC).
 * - `pin(data)`: a frame escapes to a holder that keeps it on its own clock (an output
 *   consumer's queue, an API reader, a live client's backlog). Its slab is never reused.
 *   Every escape path calls it; a missed release only costs the reuse, a missed pin would
 *   let a reused slab overwrite a held frame, so pins sit where frames leave the store
 *   (`GopBuffer.frame` and `latestKeyframe`, lib/buffer/gop_buffer.ts; `OutputQueue.publish`,
 *   lib/buffer/output.ts).
 * A pool holds the slabs it handed out until they are given back, its newest `track` of
 * them at most (older ones are forgotten: never reused, left to the GC). Until it is armed
 * it holds none but the current one: `arm(data)` when the GOP buffer stores a keyframe
 * viewing one of its slabs (or a first release). So a stream whose frames never reach a
 * GOP buffer (no keyframe ever, a publisher sending junk) keeps no slab alive that its
 * frames do not. `track` starts at 8 and doubles, up to 64, each time a release names the
 * oldest slab tracked, or one already forgotten, while the pool is full (a GOP buffer
 * spanning more slabs than that). A stream paused once armed keeps at most `track` slabs,
 * what its GOP buffer spanned; at most `keep` free slabs wait.
 *
 * Slabs also pass from one stream to another, through the process's spare slabs
 * (SpareSlabs, at most MAX_SPARE of a size), once their writer is gone:
 * - `close()`: the pool's input ended (its connection closed). Its free slabs go spare, and
 *   so does every slab released from then on, instead of waiting in its free list. (A
 *   publisher that reconnects gets a new input and pool, while the GOP buffer still rotates
 *   out the old session's frames.)
 * - `retire(data)`: a GOP buffer is discarded for good (its stream removed) and lets go of
 *   `data`'s frame; its slab goes spare once its pool is closed or collected.
 * A pool takes a spare before it allocates: a new stream or a reconnected one reuses what
 * finished ones gave back instead of faulting in fresh memory that also counts toward
 * V8's next full GC (bench/README.md: a new stream's first minute). A pinned slab never
 * goes spare; a slab goes spare once (`spared`), and only when no writer and no unpinned
 * holder is left: free slabs hold no kept frame, released ones hold only frames the GOP
 * buffer dropped, and a closed or collected pool writes nothing more.
 */

/**
 * What a pool knows of one slab it handed out. The pool is held weakly: frames kept after
 * their input is gone (a closed stream's GOP buffer) keep their slabs, not the pool's
 * free list.
 */
interface SlabState {
  readonly pool: WeakRef<SlabPool>;
  readonly buf: ArrayBuffer;
  pinned: boolean;
  /** No longer tracked by the pool (never reused). */
  forgotten: boolean;
  /** Given to the spare slabs (never given again through this state). */
  spared: boolean;
}

/** Slab state by the slab's ArrayBuffer (a frame's `data.buffer`); weak in the slab. */
const STATE = new WeakMap<ArrayBufferLike, SlabState>();

/** Slabs of every pool of the process: allocated fresh, and handed out again (/metrics). */
export const SLAB_TOTALS = { fresh: 0, reused: 0 };

/** Most slabs a pool tracks (MAX_TRACK MiB of 1 MiB slabs). */
const MAX_TRACK = 64;

/**
 * Spare slabs held at most per size: 16 MiB of 1 MiB video slabs, a bit more than a new
 * 8 Mb/s stream takes before its GOP buffer first gives slabs back (11 for 3 GOPs of 2 s).
 */
export const MAX_SPARE = 16;

/** Slabs whose writer and holders are gone, for any pool of their size (module comment). */
export class SpareSlabs {
  readonly #bySize = new Map<number, ArrayBuffer[]>();

  constructor(readonly max = MAX_SPARE) {}

  /** Keeps `buf` if there is room for its size, else leaves it to the GC. */
  put(buf: ArrayBuffer): void {
    let list = this.#bySize.get(buf.byteLength);
    if (!list) this.#bySize.set(buf.byteLength, list = []);
    if (list.length < this.max) list.push(buf);
  }

  /** A spare slab of `bytes`, if any. */
  take(bytes: number): ArrayBuffer | undefined {
    return this.#bySize.get(bytes)?.pop();
  }

  /** Spare slabs held, all sizes. */
  get count(): number {
    let n = 0;
    for (const l of this.#bySize.values()) n += l.length;
    return n;
  }
}

/** The process's spare slabs (every pool's unless a test gives its own). */
export const SPARE_SLABS = new SpareSlabs();

/** Gives `s`'s slab to `spare` unless it is pinned or was given already. */
function spareOf(s: SlabState, spare: SpareSlabs): void {
  s.forgotten = true;
  if (s.pinned || s.spared) return;
  s.spared = true;
  spare.put(s.buf);
}

/** Reusable slabs of one size for one producer (one track's PES buffer). */
export class SlabPool {
  /** Slabs handed out and not yet given back, oldest first; the last is the current one. */
  readonly #live: SlabState[] = [];
  readonly #free: ArrayBuffer[] = [];
  readonly #self = new WeakRef(this);
  /** Slabs tracked at most (see the module comment). */
  #track = 8;
  /** A GOP buffer keeps this pool's frames (arm, or a release): tracking slabs pays. */
  #armed = false;
  /** Slabs allocated fresh, and handed out again from the pool. */
  fresh = 0;
  reused = 0;

  /** The input ended: no more writes (close()). */
  #closed = false;

  /**
   * `keep`: free slabs held for reuse at most (more released at once go to the GC);
   * `spare`: where slabs go once nothing writes or holds them (the module comment).
   */
  constructor(
    readonly slabBytes: number,
    readonly keep = 4,
    readonly spare: SpareSlabs = SPARE_SLABS,
  ) {}

  /** A slab to fill: a released one (its own, else a spare), else a new one. Not zeroed. */
  take(): Uint8Array {
    let buf = this.#free.pop() ?? this.spare.take(this.slabBytes);
    if (buf) {
      this.reused++;
      SLAB_TOTALS.reused++;
    } else {
      buf = new ArrayBuffer(this.slabBytes);
      this.fresh++;
      SLAB_TOTALS.fresh++;
    }
    const s: SlabState = {
      pool: this.#self,
      buf,
      pinned: false,
      forgotten: false,
      spared: false,
    };
    STATE.set(buf, s);
    this.#live.push(s);
    if (this.#live.length > (this.#armed ? this.#track : 1)) {
      this.#live.shift()!.forgotten = true;
    }
    return new Uint8Array(buf);
  }

  /** Slabs tracked now, and free for reuse. */
  get tracked(): number {
    return this.#live.length;
  }
  get free(): number {
    return this.#free.length;
  }

  /** A GOP buffer keeps frames of this pool: track slabs from now on. */
  arm(): void {
    this.#armed = true;
  }

  /**
   * The input writing into this pool's slabs ended: its free slabs go spare now, the ones
   * released later go spare as they come back (the module comment).
   */
  close(): void {
    this.#closed = true;
    for (const buf of this.#free.splice(0)) this.spare.put(buf);
  }

  /** Gives back every slab older than `s` (see the module comment). */
  releaseBefore(s: SlabState): void {
    this.#armed = true;
    const i = s.forgotten ? -1 : this.#live.indexOf(s);
    if (i <= 0) {
      // the slabs before it were forgotten: the buffer spans more than the pool tracks
      if (this.#live.length >= this.#track) this.#track = Math.min(MAX_TRACK, this.#track * 2);
      return;
    }
    for (const old of this.#live.splice(0, i)) {
      if (this.#closed) spareOf(old, this.spare);
      else {
        old.forgotten = true;
        if (!old.pinned && this.#free.length < this.keep) this.#free.push(old.buf);
      }
    }
  }

  /** A slab of this pool whose frames a discarded GOP buffer held (retire()). */
  retire(s: SlabState): void {
    // its input may still write into it or release it later; a pinned one stays tracked
    if (!this.#closed || s.pinned || s.spared) return;
    const i = this.#live.indexOf(s);
    if (i >= 0) this.#live.splice(i, 1);
    spareOf(s, this.spare);
  }
}

/** The GOP buffer let go of every frame of a track up to the one viewing `data`. */
export function releaseBefore(data: Uint8Array): void {
  const s = STATE.get(data.buffer);
  if (s) s.pool.deref()?.releaseBefore(s);
}

/** The GOP buffer stored a keyframe viewing `data`: its pool starts tracking slabs. */
export function arm(data: Uint8Array): void {
  STATE.get(data.buffer)?.pool.deref()?.arm();
}

/**
 * A discarded GOP buffer (its stream removed) lets go of the frame viewing `data` for good:
 * its slab goes spare if its pool is closed or collected and nobody pinned it.
 */
export function retire(data: Uint8Array, spare: SpareSlabs = SPARE_SLABS): void {
  const s = STATE.get(data.buffer);
  if (!s || s.spared) return;
  const pool = s.pool.deref();
  if (pool) pool.retire(s);
  else spareOf(s, spare);
}

/** `data` is kept by a holder outside the frame store: its slab is never reused. */
export function pin(data: Uint8Array): void {
  const s = STATE.get(data.buffer);
  if (s) s.pinned = true;
}
