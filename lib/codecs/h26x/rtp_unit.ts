/**
 * Access-unit accumulation shared by the H.264 (RFC 6184) and H.265 (RFC 7798) RTP
 * depacketizers: NAL units are copied once into one growing buffer as Annex B
 * (4-byte start code 00 00 00 01 per NAL unit, as ffmpeg's rtpdec writes them), a unit
 * ends at the RTP marker bit (RFC 6184 5.1, RFC 7798 4.1) or when the timestamp changes,
 * a unit with a missing piece is dropped ("frame_loss"), and after a loss dependent units
 * are dropped ("await_keyframe") until the next key unit unless `emitAfterLoss`.
 * Out-of-band parameter sets (sprop-*) are inserted ahead of key units that lack them.
 */
import type { Counter, DepacketizerOptions, RtpUnit } from "../../core/types.ts";
import { ensureCapacity } from "../../core/grow.ts";
import { CopyArena } from "../../core/copy_arena.ts";
import type { DataReason } from "../../core/reasons/catalogue.ts";

/** Default cap on one access unit in bytes (8 MiB), overridable by `maxUnitBytes`. */
export const MAX_UNIT_BYTES = 8 * 1024 * 1024;
/** Cap on NAL units in one access unit; more drops the unit ("unit_too_many_nalus"). */
export const MAX_NALUS_PER_UNIT = 1024;
/** Initial capacity of the assembly buffer in bytes; it doubles up to the unit cap. */
const INITIAL_BUFFER_BYTES = 64 * 1024;
/**
 * Slab of emitted units (lib/core/copy_arena.ts): a dozen 5 KB frames per allocation, below
 * glibc's mmap threshold (fresh mmapped slabs cost page faults). A slab is freed when its
 * last unit is (the GOP buffer drops oldest first): at most ~2 slabs per track beyond the
 * bytes the GOP buffer counts.
 */
export const UNIT_SLAB_BYTES = 64 * 1024;
/** Units larger than this get a buffer of their own (one allocation is cheap next to them). */
export const UNIT_MAX_SLAB_COPY_BYTES = 16 * 1024;

/** Codec facts the assembler needs: which NAL types make a key unit, AUD, parameter sets. */
export interface NalRules {
  /** True when a NAL unit of this type makes the access unit a random access point. */
  isKey(type: number): boolean;
  /** nal_unit_type of the access unit delimiter (kept first when parameter sets are inserted). */
  audType: number;
}

/** One out-of-band parameter set (from sprop-*): its NAL type and bytes (no start code). */
export interface ParamSet {
  type: number;
  nal: Uint8Array;
}

/**
 * Builds access units from NAL units (whole or fragmented) and applies the loss and
 * key-unit rules. Bytes handed in are copied; callers' buffers are never kept or mutated.
 * An emitted unit's data is the receiver's to keep (a view into a slab no later unit
 * writes, or a buffer of its own), so it need not be copied again.
 */
export class UnitAssembler {
  readonly #onUnit: (unit: RtpUnit) => void;
  readonly #count: Counter;
  readonly #emitAfterLoss: boolean;
  readonly #maxBytes: number;
  readonly #rules: NalRules;
  readonly #params: ParamSet[];
  #buf: Uint8Array;
  readonly #out = new CopyArena(UNIT_SLAB_BYTES, UNIT_MAX_SLAB_COPY_BYTES);
  #len = 0;
  #open = false;
  #ts = 0;
  #arrivalMs = 0;
  #nalus = 0;
  #typesLo = 0; // bit t set: a NAL of type t (0..31) is in the unit
  #typesHi = 0; // types 32..63
  #key = false;
  #broken = false;
  #lossy = false;
  #audEnd = -1;
  #fuType = -1;
  #waitKey = false;

  constructor(opts: DepacketizerOptions, rules: NalRules, params: ParamSet[] = []) {
    this.#onUnit = opts.onUnit;
    this.#count = opts.count;
    this.#emitAfterLoss = opts.emitAfterLoss ?? false;
    const cap = opts.maxUnitBytes ?? MAX_UNIT_BYTES;
    if (!(cap > 0)) throw new RangeError(`maxUnitBytes must be > 0, got ${cap}`);
    this.#maxBytes = cap;
    this.#rules = rules;
    this.#params = params;
    this.#buf = new Uint8Array(Math.min(INITIAL_BUFFER_BYTES, cap + 4));
  }

  /** True while a fragmented NAL unit is being reassembled. */
  get inFragment(): boolean {
    return this.#fuType >= 0;
  }

  /** True when the open unit is already marked undeliverable. */
  get damaged(): boolean {
    return this.#broken;
  }

  /** NAL type of the fragmented NAL unit being reassembled, or -1. */
  get fragmentType(): number {
    return this.#fuType;
  }

  /**
   * Declare the timestamp of what follows: ends the open unit if it differs (senders that
   * omit the marker bit), then opens a unit at `ts` if none is open.
   */
  begin(ts: number, arrivalMs: number): void {
    if (this.#open && ts !== this.#ts) this.end();
    if (!this.#open) this.#reset(ts);
    this.#arrivalMs = arrivalMs;
  }

  /**
   * Packets were lost right before the next one: the open unit is incomplete (its tail or
   * a middle piece is missing) and is dropped when it ends; dependent units wait for a key.
   */
  loss(): void {
    if (this.#open) this.damage(undefined, true);
    if (!this.#emitAfterLoss) this.#waitKey = true;
  }

  /** Mark the open unit as undeliverable, counting `reason`; `lossy` adds "frame_loss" at its end. */
  damage(reason: DataReason | undefined, lossy: boolean): void {
    if (reason) this.#count(reason);
    if (!this.#open) return;
    this.#broken = true;
    if (lossy) this.#lossy = true;
    this.#fuType = -1;
  }

  /** Append one whole NAL unit (header included) of type `type`. */
  nal(type: number, nal: Uint8Array): void {
    if (this.#fuType >= 0) this.damage("fu_missing_end", true);
    if (!this.#startNal(type, nal.length)) return;
    this.#buf.set(nal, this.#len);
    this.#len += nal.length;
  }

  /** Start a fragmented NAL unit with its reconstructed header (1 byte H.264, 2 bytes H.265). */
  fragmentStart(type: number, h0: number, h1: number, headerBytes: 1 | 2): void {
    if (this.#fuType >= 0) this.damage("fu_missing_end", true);
    if (!this.#startNal(type, headerBytes)) return;
    this.#buf[this.#len++] = h0;
    if (headerBytes === 2) this.#buf[this.#len++] = h1;
    this.#fuType = type;
  }

  /** Append a fragment's payload to the NAL unit in progress; `last` closes it. */
  fragmentPart(data: Uint8Array, last: boolean): void {
    if (this.#fuType < 0 || this.#broken) return;
    if (!this.#reserve(data.length)) return;
    this.#buf.set(data, this.#len);
    this.#len += data.length;
    if (last) this.#fuType = -1;
  }

  /** End the open unit: emit it, or drop it when damaged or while waiting for a key unit. */
  end(): void {
    if (!this.#open) return;
    this.#open = false;
    if (this.#fuType >= 0) this.damage("fu_missing_end", true);
    if (this.#broken) {
      if (this.#lossy) this.#count("frame_loss");
      if (!this.#emitAfterLoss) this.#waitKey = true;
      return;
    }
    if (this.#nalus === 0) return;
    if (this.#waitKey && !this.#key) {
      this.#count("await_keyframe");
      return;
    }
    if (this.#key) this.#waitKey = false;
    this.#onUnit({
      timestamp: this.#ts,
      data: this.#output(),
      key: this.#key,
      arrivalMs: this.#arrivalMs,
    });
  }

  /** Copy the unit out, inserting out-of-band parameter sets a key unit lacks (after an AUD). */
  #output(): Uint8Array {
    const body = this.#buf.subarray(0, this.#len);
    if (!this.#key || this.#params.length === 0) return this.#out.copy(body);
    let extra = 0;
    for (const p of this.#params) if (!this.#has(p.type)) extra += 4 + p.nal.length;
    if (extra === 0) return this.#out.copy(body);
    const out = new Uint8Array(this.#len + extra);
    const head = this.#audEnd === 0 ? this.#len : Math.max(this.#audEnd, 0);
    out.set(body.subarray(0, head), 0);
    let o = head;
    for (const p of this.#params) {
      if (this.#has(p.type)) continue;
      out[o + 3] = 1;
      out.set(p.nal, o + 4);
      o += 4 + p.nal.length;
    }
    out.set(body.subarray(head), o);
    return out;
  }

  #has(type: number): boolean {
    return type < 32
      ? (this.#typesLo & (1 << type)) !== 0
      : (this.#typesHi & (1 << (type - 32))) !== 0;
  }

  #reset(ts: number): void {
    this.#open = true;
    this.#ts = ts;
    this.#len = 0;
    this.#nalus = 0;
    this.#typesLo = 0;
    this.#typesHi = 0;
    this.#key = false;
    this.#broken = false;
    this.#lossy = false;
    this.#audEnd = -1;
    this.#fuType = -1;
  }

  /** Write the start code of a new NAL unit and note its type; false when the unit is dropped. */
  #startNal(type: number, bytes: number): boolean {
    if (!this.#open || this.#broken) return false;
    if (this.#nalus >= MAX_NALUS_PER_UNIT) {
      this.damage("unit_too_many_nalus", false);
      return false;
    }
    if (!this.#reserve(4 + bytes)) return false;
    if (this.#nalus === 1 && this.#audEnd === 0) this.#audEnd = this.#len;
    if (this.#nalus === 0 && type === this.#rules.audType) this.#audEnd = 0;
    const b = this.#buf;
    const o = this.#len;
    b[o] = 0;
    b[o + 1] = 0;
    b[o + 2] = 0;
    b[o + 3] = 1;
    this.#len = o + 4;
    this.#nalus++;
    if (type >= 0 && type < 32) this.#typesLo |= 1 << type;
    else if (type >= 32 && type < 64) this.#typesHi |= 1 << (type - 32);
    if (this.#rules.isKey(type)) this.#key = true;
    return true;
  }

  /** Make room for `n` more bytes within the cap; on overflow the unit is dropped. */
  #reserve(n: number): boolean {
    const need = this.#len + n;
    if (need > this.#maxBytes) {
      this.damage("frame_oversize", false);
      return false;
    }
    this.#buf = ensureCapacity(this.#buf, this.#len, need, this.#maxBytes);
    return true;
  }
}
