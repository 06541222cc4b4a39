/**
 * Finds 188-byte transport packets in an arbitrarily chunked byte stream
 * (ISO/IEC 13818-1 2.4.3.3: sync_byte 0x47 at a 188-byte stride). Keeps a small carry
 * buffer between pushes; sync is acquired when `SYNC_CONFIRM` sync bytes line up at
 * the packet stride, and re-acquired the same way after it is lost. Each loss (or
 * leading garbage) is counted once as "sync_loss"; nothing here throws.
 */
import type { Counter } from "../../core/types.ts";
import { TS_PACKET_SIZE, TS_SYNC } from "./packet.ts";

/** Consecutive sync bytes (at 188-byte stride) needed to (re)acquire sync. */
export const SYNC_CONFIRM = 3;
/** Cap on the carry buffer, bytes: one packet short of the sync confirmation window. */
export const MAX_CARRY_BYTES = TS_PACKET_SIZE * SYNC_CONFIRM;

/**
 * Splits pushed bytes into packets. `onPacket(buf, off)` gets the packet as
 * `buf[off, off + 188)`, valid only during the call: the pushed bytes themselves (no view
 * is made per packet: at 8 Mb/s that is 5,300 objects a second per stream), or the carry
 * and scratch buffers for a packet split across pushes.
 */
export class TsFramer {
  #carry = new Uint8Array(MAX_CARRY_BYTES);
  #carryLen = 0;
  #scratch = new Uint8Array(TS_PACKET_SIZE);
  #locked = false;
  #lossCounted = false;

  constructor(
    private readonly onPacket: (buf: Uint8Array, off: number) => void,
    private readonly count: Counter,
  ) {}

  /** Bytes held between pushes (never above MAX_CARRY_BYTES). */
  get carriedBytes(): number {
    return this.#carryLen;
  }

  /** Feeds bytes (not mutated, not retained). */
  push(bytes: Uint8Array): void {
    this.#run(bytes, false);
  }

  /** End of input: emits packets still held back for sync confirmation, drops the rest. */
  flush(): void {
    this.#run(new Uint8Array(0), true);
    this.#carryLen = 0;
  }

  #run(bytes: Uint8Array, end: boolean): void {
    let pos = 0;
    if (this.#carryLen === 0 && this.#locked) {
      // Fast path (nothing carried, in sync): whole packets followed by a sync byte or by
      // the end of the push, read straight from `bytes`; anything else goes the long way.
      const n = bytes.length;
      const last = n - TS_PACKET_SIZE;
      while (
        pos <= last && bytes[pos] === TS_SYNC &&
        (pos === last || bytes[pos + TS_PACKET_SIZE] === TS_SYNC)
      ) {
        this.onPacket(bytes, pos);
        pos += TS_PACKET_SIZE;
      }
      if (pos === n) return; // all of it (the common push of whole packets): no carry
    }
    this.#long(bytes, end, pos);
  }

  /**
   * The long way from stream position `pos` (carry + `bytes`): sync checks, re-sync, the
   * carry. A method of its own so the fast path allocates nothing (its closure would be
   * made on every push otherwise).
   */
  #long(bytes: Uint8Array, end: boolean, pos: number): void {
    const carry = this.#carry;
    const cl = this.#carryLen;
    const n = cl + bytes.length;
    const at = (i: number) => (i < cl ? carry[i] : bytes[i - cl]);
    while (pos < n) {
      if (this.#locked) {
        if (pos + TS_PACKET_SIZE > n) break;
        // A torn packet (bytes lost inside it, so a confirmed sync chain starts within
        // it) is dropped; a whole packet followed by inserted garbage is kept.
        const next = pos + TS_PACKET_SIZE;
        if (at(pos) === TS_SYNC && (next >= n || at(next) === TS_SYNC || !this.#torn(at, pos, n))) {
          this.#emit(bytes, cl, pos);
          pos += TS_PACKET_SIZE;
          continue;
        }
        this.#locked = false;
      }
      // Search: a 0x47 whose next SYNC_CONFIRM-1 strides also hold 0x47.
      let p = pos;
      let held = false;
      for (; p < n; p++) {
        if (at(p) !== TS_SYNC) continue;
        let k = 1;
        for (; k < SYNC_CONFIRM; k++) {
          const q = p + k * TS_PACKET_SIZE;
          if (q >= n) break;
          if (at(q) !== TS_SYNC) break;
        }
        if (k === SYNC_CONFIRM) break;
        if (p + k * TS_PACKET_SIZE >= n) {
          // Ran out of data while confirming: wait for more, or accept at end of input.
          if (end && p + TS_PACKET_SIZE <= n) break;
          held = true;
          break;
        }
      }
      if (p > pos && !this.#lossCounted) {
        this.count("sync_loss");
        this.#lossCounted = true;
      }
      pos = p;
      if (held || p >= n) break;
      this.#locked = true;
      this.#lossCounted = false;
    }
    // Keep the tail (< one packet when locked, < MAX_CARRY_BYTES while confirming).
    let tail = n - pos;
    if (tail > MAX_CARRY_BYTES) {
      pos = n - MAX_CARRY_BYTES;
      tail = MAX_CARRY_BYTES;
    }
    if (pos < cl) {
      carry.copyWithin(0, pos, cl);
      carry.set(bytes, cl - pos);
    } else {
      carry.set(bytes.subarray(pos - cl), 0);
    }
    this.#carryLen = tail;
  }

  /** True when a sync chain of SYNC_CONFIRM packets starts inside the packet at `pos`. */
  #torn(at: (i: number) => number, pos: number, n: number): boolean {
    const last = Math.min(pos + TS_PACKET_SIZE, n - (SYNC_CONFIRM - 1) * TS_PACKET_SIZE);
    for (let q = pos + 1; q < last; q++) {
      let k = 0;
      while (k < SYNC_CONFIRM && at(q + k * TS_PACKET_SIZE) === TS_SYNC) k++;
      if (k === SYNC_CONFIRM) return true;
    }
    return false;
  }

  #emit(bytes: Uint8Array, cl: number, pos: number): void {
    if (pos >= cl) {
      this.onPacket(bytes, pos - cl);
    } else if (pos + TS_PACKET_SIZE <= cl) {
      this.onPacket(this.#carry, pos);
    } else {
      const s = this.#scratch;
      const fromCarry = cl - pos;
      s.set(this.#carry.subarray(pos, cl), 0);
      s.set(bytes.subarray(0, TS_PACKET_SIZE - fromCarry), fromCarry);
      this.onPacket(s, 0);
    }
  }
}
