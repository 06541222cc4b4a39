/**
 * Jitter buffer (RFC 3550 6.4.1 context; RFC 3550 A.1 extended sequence numbers in).
 * Reorders packets within a latency window and releases them in extended-sequence
 * order. A gap is declared lost once the first packet after it has waited
 * `latencyMs`; the next released packet then carries `lostBefore = true`.
 * No timers inside: the caller calls `poll(nowMs)` at `nextDeadline()`.
 * Holds references to packets (payload subarrays), never copies.
 */
import type { Counter, RtpPacket } from "../../core/types.ts";

/** Default reorder window, ms (`rtp.jitter_latency`). */
export const DEFAULT_JITTER_LATENCY_MS = 50;
/** Byte cap of one jitter buffer (payload + 12-byte header per packet). */
export const MAX_JITTER_BYTES = 4 * 1024 * 1024;
/** Packet cap of one jitter buffer; also the widest sequence span held (power of two). */
export const MAX_JITTER_PACKETS = 4096;

/** Receives released packets in sequence order. */
export type JitterSink = (pkt: RtpPacket, lostBefore: boolean) => void;

/** Options of {@link JitterBuffer}. */
export interface JitterOptions {
  onPacket: JitterSink;
  /** Reorder window, ms (default 50). */
  latencyMs?: number;
  /** Byte cap (default MAX_JITTER_BYTES). */
  maxBytes?: number;
  /** Packet cap, rounded up to a power of two (default MAX_JITTER_PACKETS). */
  maxPackets?: number;
  /** Counts "jitter_duplicate", "jitter_late", "jitter_overflow", "jitter_gap" (packets lost). */
  count?: Counter;
}

/** Reorders RTP packets by `extSeq` within a latency window. */
export class JitterBuffer {
  readonly latencyMs: number;
  #slots: (RtpPacket | undefined)[];
  #due: Float64Array;
  #mask: number;
  #maxBytes: number;
  #sink: JitterSink;
  #count: Counter;
  #next = -1; // next extSeq to release; -1 before the first packet
  #held = 0;
  #bytes = 0;
  #lostPending = false;
  /** Packets declared lost (sum of gap sizes). */
  lost = 0;
  /** Packets that arrived after their slot was released or declared lost. */
  late = 0;
  /** Duplicates dropped. */
  duplicated = 0;

  constructor(opts: JitterOptions) {
    this.latencyMs = opts.latencyMs ?? DEFAULT_JITTER_LATENCY_MS;
    let n = 1;
    while (n < (opts.maxPackets ?? MAX_JITTER_PACKETS)) n *= 2;
    this.#slots = new Array(n);
    this.#due = new Float64Array(n);
    this.#mask = n - 1;
    this.#maxBytes = opts.maxBytes ?? MAX_JITTER_BYTES;
    this.#sink = opts.onPacket;
    this.#count = opts.count ?? (() => {});
  }

  /** Packets held. */
  get packets(): number {
    return this.#held;
  }
  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Adds a packet (its `extSeq` must be set) and releases whatever is in order. */
  push(pkt: RtpPacket, nowMs: number): void {
    const ext = pkt.extSeq;
    if (this.#next < 0) this.#next = ext;
    if (ext < this.#next) {
      this.late++;
      this.#count("jitter_late");
      return;
    }
    // make room in the sequence span and under the caps by forcing the head out
    while (this.#held > 0 && ext - this.#next > this.#mask) this.#skipGap(true);
    if (this.#held === 0 && ext - this.#next > this.#mask) {
      this.#declareLost(ext - this.#next);
      this.#next = ext;
    }
    const i = ext & this.#mask;
    if (this.#slots[i] !== undefined) {
      this.duplicated++;
      this.#count("jitter_duplicate");
      return;
    }
    const size = pkt.payload.length + 12;
    while (this.#held > 0 && this.#bytes + size > this.#maxBytes) this.#skipGap(true);
    this.#slots[i] = pkt;
    this.#due[i] = nowMs + this.latencyMs;
    this.#held++;
    this.#bytes += size;
    this.#release();
    this.poll(nowMs);
  }

  /** Releases packets whose gap's waiting time has passed. */
  poll(nowMs: number): void {
    while (this.#held > 0) {
      const first = this.#firstHeld();
      if (this.#due[first & this.#mask] > nowMs) return;
      this.#skipGap(false);
    }
  }

  /** Time (ms) at which `poll` has work, or undefined when nothing waits on a gap. */
  nextDeadline(): number | undefined {
    if (this.#held === 0) return undefined;
    return this.#due[this.#firstHeld() & this.#mask];
  }

  /** Releases everything held, in order, declaring gaps lost (end of stream). */
  flush(): void {
    while (this.#held > 0) this.#skipGap(false);
  }

  /** Forgets all state (held packets are dropped); the next push starts a new sequence space. */
  reset(): void {
    this.#slots.fill(undefined);
    this.#next = -1;
    this.#held = 0;
    this.#bytes = 0;
    this.#lostPending = false;
  }

  #firstHeld(): number {
    let e = this.#next;
    while (this.#slots[e & this.#mask] === undefined) e++;
    return e;
  }

  #declareLost(n: number): void {
    if (n <= 0) return;
    this.lost += n;
    this.#lostPending = true;
    this.#count("jitter_gap", n);
  }

  /** Jumps over the gap before the first held packet, then releases in order. */
  #skipGap(overflow: boolean): void {
    const first = this.#firstHeld();
    if (overflow) this.#count("jitter_overflow");
    if (first === this.#next && overflow) {
      // no gap: force out one packet
      this.#emit(first);
      this.#next = first + 1;
    } else {
      this.#declareLost(first - this.#next);
      this.#next = first;
    }
    this.#release();
  }

  #release(): void {
    for (;;) {
      const i = this.#next & this.#mask;
      if (this.#slots[i] === undefined || this.#held === 0) return;
      this.#emit(this.#next);
      this.#next++;
    }
  }

  #emit(ext: number): void {
    const i = ext & this.#mask;
    const pkt = this.#slots[i]!;
    this.#slots[i] = undefined;
    this.#held--;
    this.#bytes -= pkt.payload.length + 12;
    const lost = this.#lostPending;
    this.#lostPending = false;
    this.#sink(pkt, lost);
  }
}
