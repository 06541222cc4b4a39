/**
 * The SRT listener's one reused receive buffer: every connection's messages are read into
 * it, one batch at a time (connection.ts drain), and handed on as a view of it. srt_recvmsg
 * writes message k at the byte after message k-1; the pointer to each such offset is made
 * once and kept, so a read passes a pointer instead of a new `subarray` view per message (a
 * view and its garbage cost ~100 ns a message here, a kept pointer ~4: bench/README.md).
 */

/** Largest SRT live-mode payload (SRT_LIVE_MAX_PLSIZE, srt.h), bytes. */
export const SRT_MESSAGE_MAX_BYTES = 1456;
/** Messages read from one socket into the drain buffer before they go to its sink. */
export const DRAIN_MAX_MESSAGES = 64;
/** Size of the shared drain buffer: one batch of one socket, bytes. */
export const DRAIN_BUFFER_BYTES = SRT_MESSAGE_MAX_BYTES * DRAIN_MAX_MESSAGES;
/**
 * Offsets whose pointer is kept. MPEG-TS messages (1316 bytes) start at 64 offsets; a
 * sender mixing sizes may reach more, which are then made per read.
 */
const KEPT_POINTERS = 1024;

/** The receive buffer and pointers into it (module doc). */
export class DrainBuffer {
  /** The bytes; a batch's chunk is `bytes.subarray(0, n)`, valid until the next batch. */
  readonly bytes = new Uint8Array(DRAIN_BUFFER_BYTES);
  readonly #base = Deno.UnsafePointer.of(this.bytes)!;
  readonly #at = new Map<number, Deno.PointerValue>();

  /**
   * A pointer to `bytes[off]`, for a read of at most SRT_MESSAGE_MAX_BYTES (the caller
   * keeps `off + SRT_MESSAGE_MAX_BYTES <= DRAIN_BUFFER_BYTES`). Valid while this buffer
   * lives: the buffer is never resized or transferred, so its memory does not move.
   */
  at(off: number): Deno.PointerValue {
    let p = this.#at.get(off);
    if (p === undefined) {
      p = Deno.UnsafePointer.offset(this.#base, off);
      if (this.#at.size < KEPT_POINTERS) this.#at.set(off, p);
    }
    return p;
  }
}
