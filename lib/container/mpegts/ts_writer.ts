/**
 * Writing MPEG-TS packets (ISO/IEC 13818-1 2.4.3.2-2.4.3.7): PES packets cut into 188-byte
 * transport packets with continuity counters per PID, the adaptation field for PCR and
 * random_access_indicator, adaptation-field stuffing in the last packet, PCR-only
 * packets, and PSI sections (pointer_field, 0xFF stuffing). Output goes into one growing
 * scratch buffer; `take()` hands out a copy of what was written since the last take.
 */
import { TS_PACKET_SIZE, TS_SYNC } from "./packet.ts";

const PAYLOAD = TS_PACKET_SIZE - 4;

/** Writes a 33-bit timestamp in the 5-byte PTS/DTS layout with `prefix` (2 = PTS, 3/1). */
export function writeTimestamp33(out: Uint8Array, o: number, prefix: number, ts: number): void {
  const t = ((ts % 0x200000000) + 0x200000000) % 0x200000000;
  const hi = Math.floor(t / 0x40000000); // bits 32..30
  const mid = Math.floor(t / 0x8000) & 0x7fff; // bits 29..15
  const lo = t % 0x8000; // bits 14..0
  out[o] = (prefix << 4) | (hi << 1) | 1;
  out[o + 1] = mid >> 7;
  out[o + 2] = ((mid & 0x7f) << 1) | 1;
  out[o + 3] = lo >> 7;
  out[o + 4] = ((lo & 0x7f) << 1) | 1;
}

/** A PES header (2.4.3.7): PTS, and DTS when it differs; data_alignment_indicator set. */
export function pesHeader(
  streamId: number,
  payloadBytes: number,
  pts: number,
  dts: number | undefined,
): Uint8Array {
  const withDts = dts !== undefined && dts !== pts;
  const hdrData = withDts ? 10 : 5;
  const h = new Uint8Array(9 + hdrData);
  h[2] = 1;
  h[3] = streamId;
  const len = 3 + hdrData + payloadBytes;
  // PES_packet_length 0 (unbounded) is allowed for video only; bigger audio cannot occur.
  const plen = len > 0xffff ? 0 : len;
  h[4] = plen >> 8;
  h[5] = plen & 0xff;
  h[6] = 0x84; // '10', data_alignment_indicator
  h[7] = withDts ? 0xc0 : 0x80;
  h[8] = hdrData;
  writeTimestamp33(h, 9, withDts ? 3 : 2, pts);
  if (withDts) writeTimestamp33(h, 14, 1, dts);
  return h;
}

/** Options of one PES write. */
export interface PesWrite {
  /** random_access_indicator in the first packet. */
  rai?: boolean;
  /** PCR (27 MHz ticks) in the first packet. */
  pcr27?: number;
}

/** Transport packet writer with continuity counters. */
export class TsWriter {
  #buf = new Uint8Array(64 * TS_PACKET_SIZE);
  #len = 0;
  #cc = new Uint8Array(8192);

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.#len;
  }

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < this.#len + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.#buf.subarray(0, this.#len));
    this.#buf = b;
  }

  /** Starts a packet; returns its offset. `afc`: 1 payload, 2 adaptation only, 3 both. */
  #head(pid: number, pusi: boolean, afc: number): number {
    this.#room(TS_PACKET_SIZE);
    const o = this.#len;
    const b = this.#buf;
    b[o] = TS_SYNC;
    b[o + 1] = (pusi ? 0x40 : 0) | (pid >> 8);
    b[o + 2] = pid & 0xff;
    let cc = this.#cc[pid];
    if (afc & 1) this.#cc[pid] = cc = (cc + 1) & 15;
    b[o + 3] = (afc << 4) | cc;
    this.#len += TS_PACKET_SIZE;
    return o;
  }

  /** Writes a PCR into an adaptation field whose flags byte is at `f`. */
  #pcr(f: number, pcr27: number): void {
    const b = this.#buf;
    const base = Math.floor(pcr27 / 300) % 0x200000000;
    const ext = pcr27 % 300;
    b[f] |= 0x10;
    b[f + 1] = Math.floor(base / 0x2000000);
    b[f + 2] = Math.floor(base / 0x20000) & 0xff;
    b[f + 3] = Math.floor(base / 0x200) & 0xff;
    b[f + 4] = Math.floor(base / 2) & 0xff;
    b[f + 5] = ((base & 1) << 7) | 0x7e | (ext >> 8);
    b[f + 6] = ext & 0xff;
  }

  /** A packet with only an adaptation field carrying a PCR (CC unchanged). */
  pcrOnly(pid: number, pcr27: number): void {
    const o = this.#head(pid, false, 2);
    const b = this.#buf;
    b[o + 4] = 183;
    b[o + 5] = 0;
    this.#pcr(o + 5, pcr27);
    b.fill(0xff, o + 12, o + TS_PACKET_SIZE);
  }

  /**
   * One PES packet: `header` then the payload `parts`, cut into transport packets on
   * `pid`; the first carries PUSI (and RAI/PCR when asked), the last is stuffed.
   */
  pes(pid: number, header: Uint8Array, parts: readonly Uint8Array[], o: PesWrite = {}): void {
    let total = header.length;
    for (const p of parts) total += p.length;
    let part = -1; // -1 = header
    let src = header;
    let at = 0;
    let first = true;
    while (total > 0) {
      const af = first && (o.rai || o.pcr27 !== undefined)
        ? 2 + (o.pcr27 !== undefined ? 6 : 0)
        : 0;
      const room = PAYLOAD - af;
      const take = Math.min(room, total);
      const stuff = room - take; // bytes of adaptation field to add
      const afLen = af + stuff; // total adaptation field bytes including its length byte
      const p = this.#head(pid, first, afLen > 0 ? 3 : 1);
      const b = this.#buf;
      let w = p + 4;
      if (afLen > 0) {
        b[w] = afLen - 1;
        if (afLen > 1) {
          b[w + 1] = first && o.rai ? 0x40 : 0;
          if (first && o.pcr27 !== undefined) this.#pcr(w + 1, o.pcr27);
          const used = first ? af : 2;
          b.fill(0xff, w + Math.max(2, used), w + afLen);
        }
        w += afLen;
      }
      let left = take;
      while (left > 0) {
        const n = Math.min(left, src.length - at);
        b.set(src.subarray(at, at + n), w);
        w += n;
        at += n;
        left -= n;
        while (at >= src.length && part + 1 < parts.length) {
          src = parts[++part];
          at = 0;
        }
      }
      total -= take;
      first = false;
    }
  }

  /** A PSI section (with its CRC) on `pid`, pointer_field 0, 0xFF stuffing. */
  section(pid: number, s: Uint8Array): void {
    let at = 0;
    let first = true;
    while (at < s.length || first) {
      const p = this.#head(pid, first, 1);
      const b = this.#buf;
      let w = p + 4;
      if (first) b[w++] = 0; // pointer_field
      const n = Math.min(s.length - at, p + TS_PACKET_SIZE - w);
      b.set(s.subarray(at, at + n), w);
      w += n;
      at += n;
      b.fill(0xff, w, p + TS_PACKET_SIZE);
      first = false;
    }
  }

  /** A copy of everything written since the last take; resets the buffer. */
  take(): Uint8Array {
    const out = this.#buf.slice(0, this.#len);
    this.#len = 0;
    return out;
  }
}
