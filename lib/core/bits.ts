/**
 * Cursor-based big-endian bit reader with Exp-Golomb (ITU-T H.264 9.1), allocating
 * nothing per read. Reads past the end return 0 and set `overrun`, so parsers of
 * untrusted bytes check `overrun` once at the end instead of guarding every read.
 */
export class BitReader {
  /** Bit position from the start of `data`. */
  pos = 0;
  /** True once a read went past the end of the data. */
  overrun = false;

  constructor(public data: Uint8Array, byteOffset = 0) {
    this.pos = byteOffset * 8;
  }

  /** Bits left to read. */
  get left(): number {
    return this.data.length * 8 - this.pos;
  }

  /** One bit. */
  bit(): number {
    const p = this.pos;
    if (p >= this.data.length * 8) {
      this.overrun = true;
      return 0;
    }
    this.pos = p + 1;
    return (this.data[p >> 3] >> (7 - (p & 7))) & 1;
  }

  /** `n` bits (0..53) as an unsigned number; uses multiplication, safe past 32 bits. */
  bits(n: number): number {
    let v = 0;
    while (n > 0) {
      const p = this.pos;
      if (p >= this.data.length * 8) {
        this.overrun = true;
        this.pos += n;
        return v * 2 ** n;
      }
      const avail = 8 - (p & 7);
      const take = avail < n ? avail : n;
      const byte = this.data[p >> 3];
      const chunk = (byte >> (avail - take)) & ((1 << take) - 1);
      v = v * (1 << take) + chunk;
      this.pos = p + take;
      n -= take;
    }
    return v;
  }

  /** Boolean flag (one bit). */
  flag(): boolean {
    return this.bit() === 1;
  }

  /** Skip `n` bits. */
  skip(n: number): void {
    this.pos += n;
    if (this.pos > this.data.length * 8) this.overrun = true;
  }

  /** Unsigned Exp-Golomb ue(v); more than 31 leading zeros is treated as overrun. */
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) {
      if (this.overrun || ++zeros > 31) {
        this.overrun = true;
        return 0;
      }
    }
    return zeros === 0 ? 0 : 2 ** zeros - 1 + this.bits(zeros);
  }

  /** Signed Exp-Golomb se(v). */
  se(): number {
    const k = this.ue();
    return k & 1 ? (k + 1) / 2 : -(k / 2);
  }

  /** Skip to the next byte boundary. */
  align(): void {
    this.pos = (this.pos + 7) & ~7;
  }

  /** Unsigned LEB128 (AV1 4.10.5), at a byte boundary; up to 8 bytes. */
  leb128(): number {
    let v = 0;
    for (let i = 0; i < 8; i++) {
      const b = this.bits(8);
      v += (b & 0x7f) * 2 ** (i * 7);
      if (!(b & 0x80)) break;
    }
    return v;
  }
}

/**
 * Remove emulation prevention bytes (00 00 03 -> 00 00) from a NAL unit payload
 * (H.264 7.4.1, H.265 7.4.2). Returns the input itself when there are none.
 * `limit` bounds how many bytes are looked at (headers need only the start).
 */
export function unescapeRbsp(nal: Uint8Array, limit = nal.length): Uint8Array {
  const n = Math.min(limit, nal.length);
  let i = 2;
  for (; i < n; i++) {
    if (nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) break;
  }
  if (i >= n) return n === nal.length ? nal : nal.subarray(0, n);
  const out = new Uint8Array(n);
  let o = 0;
  let zeros = 0;
  for (let j = 0; j < n; j++) {
    const b = nal[j];
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    out[o++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, o);
}

/** Signed distance a - b between two 16-bit sequence numbers, in -32768..32767 (RFC 3550 A.1). */
export function seqDiff16(a: number, b: number): number {
  return ((a - b + 0x18000) & 0xffff) - 0x8000;
}

/** Signed distance a - b between two 32-bit timestamps, in -2^31..2^31-1. */
export function tsDiff32(a: number, b: number): number {
  const d = (a - b) % 0x100000000;
  const u = d < 0 ? d + 0x100000000 : d;
  return u >= 0x80000000 ? u - 0x100000000 : u;
}

/**
 * Unwraps an n-bit wrapping counter (33-bit PTS, 32-bit RTP timestamp) to a monotonic
 * number by choosing the nearest candidate to the last value. Integer math only.
 */
export class Unwrapper {
  #last: number | undefined;
  readonly #mod: number;
  constructor(bitsWide: number) {
    this.#mod = 2 ** bitsWide;
  }
  /** Unwrap `v` (0..2^bits-1). */
  unwrap(v: number): number {
    const last = this.#last;
    if (last === undefined) {
      this.#last = v;
      return v;
    }
    const mod = this.#mod;
    const base = last - (((last % mod) + mod) % mod);
    let best = base + v;
    if (best - last > mod / 2) best -= mod;
    else if (last - best > mod / 2) best += mod;
    this.#last = best;
    return best;
  }
  /** Forget the last value (after a discontinuity). */
  reset(): void {
    this.#last = undefined;
  }
}

/** Index of the next Annex B start code (00 00 01) at or after `from`, or -1. */
export function findStartCode(data: Uint8Array, from: number): number {
  const n = data.length - 2;
  let i = from;
  while (i < n) {
    const j = data.indexOf(1, i + 2);
    if (j < 0) return -1;
    if (data[j - 1] === 0 && data[j - 2] === 0) return j - 2;
    i = j - 1;
  }
  return -1;
}

/** Bytes of a NAL unit handed to a `forEachNal` callback when only its header is wanted. */
export const NAL_HEAD_BYTES = 64;

/**
 * Calls `fn` with every NAL unit (no start code) of an Annex B buffer, allocation-free;
 * `fn` returning true stops the walk. When `headOnly(firstByte)` is true for a unit,
 * `fn` gets at most its first NAL_HEAD_BYTES (possibly running into the next start
 * code) without the search for its end: headers usually need only the units before
 * the first slice and the slice header, which saves scanning the picture data.
 */
export function forEachNal(
  data: Uint8Array,
  fn: (nal: Uint8Array) => boolean | void,
  headOnly?: (firstByte: number) => boolean,
): void {
  let sc = findStartCode(data, 0);
  while (sc >= 0) {
    const start = sc + 3;
    if (start < data.length && headOnly?.(data[start])) {
      const head = data.subarray(start, Math.min(data.length, start + NAL_HEAD_BYTES));
      if (fn(head) === true) return;
    }
    const next = findStartCode(data, start);
    let end = next < 0 ? data.length : next;
    // trailing zero bytes belong to the next 4-byte start code (H.264 B.2)
    while (end > start && data[end - 1] === 0 && next >= 0) end--;
    if (end > start && !(start < data.length && headOnly?.(data[start]))) {
      if (fn(data.subarray(start, end)) === true) return;
    }
    sc = next;
  }
}

/** Split an Annex B buffer into NAL units (subarrays without start codes), see forEachNal. */
export function splitAnnexB(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  forEachNal(data, (nal) => {
    out.push(nal);
  });
  return out;
}

/** Concatenates byte arrays into one new buffer. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
