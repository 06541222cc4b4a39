/**
 * Decoding order number (DON) de-interleaving, shared by H.264 interleaved mode
 * (RFC 6184 5.5, 13: STAP-B, MTAP16/24, FU-B) and H.265 with DONL/DOND
 * (RFC 7798 4.4, 6: sprop-max-don-diff > 0). NAL units are held in DON order (16-bit,
 * wrapping at 65536, compared with the RFC 3550 A.1 distance) and released once more
 * than `depth` counted NAL units wait, or the byte cap is reached.
 */
import type { Counter } from "../../core/types.ts";
import { seqDiff16 } from "../../core/bits.ts";
import { ensureCapacity } from "../../core/grow.ts";

/** Cap on NAL units held for de-interleaving, whatever the signalled depth. */
export const MAX_DON_NALUS = 1024;
/** Depth used when the SDP does not signal one (RFC 6184 requires sprop-interleaving-depth). */
export const DEFAULT_DON_DEPTH = 8;

/** One NAL unit waiting for its turn in decoding order. `data` is an owned copy. */
export interface DonNal {
  /** Decoding order number, 0..65535. */
  don: number;
  /** RTP timestamp of the NAL unit (MTAP: packet timestamp + TS offset). */
  ts: number;
  /** nal_unit_type. */
  type: number;
  /** The NAL unit with its header, no start code. */
  data: Uint8Array;
  arrivalMs: number;
  /** Counts toward `depth` (H.264: VCL NAL units only; H.265: every NAL unit). */
  counted: boolean;
  /** A packet was lost while this NAL unit waited: its access unit is incomplete. */
  damaged: boolean;
}

/** Reorders NAL units by DON with a bounded buffer (RFC 6184 13.2 de-interleaving). */
export class DonBuffer {
  readonly #list: DonNal[] = [];
  readonly #depth: number;
  readonly #maxBytes: number;
  readonly #out: (n: DonNal) => void;
  readonly #count: Counter;
  #counted = 0;
  #bytes = 0;
  #last = -1;

  /** `depth`: NAL units that may precede one in transmission and follow it in decoding order. */
  constructor(depth: number, maxBytes: number, out: (n: DonNal) => void, count: Counter) {
    this.#depth = Math.max(0, Math.min(Math.floor(depth) || 0, MAX_DON_NALUS));
    this.#maxBytes = maxBytes;
    this.#out = out;
    this.#count = count;
  }

  /** NAL units currently held. */
  get size(): number {
    return this.#list.length;
  }

  /** Add a NAL unit; releases the lowest DONs while the buffer is over depth or bytes. */
  push(n: DonNal): void {
    const behind = this.#last >= 0 ? seqDiff16(n.don, this.#last) : 0;
    if (behind < -MAX_DON_NALUS) {
      // Far outside any legal reordering window: the sender restarted its DON counter.
      this.#count("don_discontinuity");
      this.drain();
      this.#last = -1;
    } else if (behind < 0) {
      this.#count("don_late");
      return;
    }
    const list = this.#list;
    let i = list.length;
    while (i > 0 && seqDiff16(list[i - 1].don, n.don) > 0) i--;
    list.splice(i, 0, n);
    this.#bytes += n.data.length;
    if (n.counted) this.#counted++;
    while (list.length > 0) {
      const full = this.#bytes > this.#maxBytes || list.length > MAX_DON_NALUS;
      if (!full && this.#counted <= this.#depth) break;
      if (full) this.#count("don_buffer_full");
      this.#pop();
    }
  }

  /** Mark every held NAL unit damaged (a packet was lost, it may have belonged to any of them). */
  damageAll(): void {
    for (const n of this.#list) n.damaged = true;
  }

  /** Release everything in DON order (end of stream). */
  drain(): void {
    while (this.#list.length > 0) this.#pop();
  }

  #pop(): void {
    const n = this.#list.shift()!;
    this.#bytes -= n.data.length;
    if (n.counted) this.#counted--;
    this.#last = n.don;
    this.#out(n);
  }
}

/**
 * Reassembles one fragmented NAL unit (FU-B/FU-A, RFC 6184 5.8; FU, RFC 7798 4.4.3) into
 * an owned buffer, for modes where NAL units wait in a DonBuffer before assembly.
 */
export class NalCollector {
  #buf = new Uint8Array(4096);
  #len = 0;
  #active = false;
  readonly #maxBytes: number;
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** True while a fragmented NAL unit is open. */
  get active(): boolean {
    return this.#active;
  }

  /** Open a NAL unit with its reconstructed header bytes. */
  start(header: Uint8Array): void {
    this.#len = 0;
    this.#active = true;
    this.append(header);
  }

  /** Append payload; false (and closed) when the NAL unit would exceed the cap. */
  append(data: Uint8Array): boolean {
    if (!this.#active) return false;
    const need = this.#len + data.length;
    if (need > this.#maxBytes) {
      this.#active = false;
      return false;
    }
    this.#buf = ensureCapacity(this.#buf, this.#len, need, this.#maxBytes);
    this.#buf.set(data, this.#len);
    this.#len = need;
    return true;
  }

  /** Close and return a copy of the NAL unit. */
  take(): Uint8Array {
    this.#active = false;
    return this.#buf.slice(0, this.#len);
  }

  /** Abandon the open NAL unit. */
  abort(): void {
    this.#active = false;
  }
}
