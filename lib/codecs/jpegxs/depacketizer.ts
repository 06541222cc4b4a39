/**
 * JPEG XS RTP depacketizer (RFC 9134 sections 4.1-4.3, 4.5).
 *
 * Collects the packets of one field (interlaced) or frame (progressive): same RTP
 * timestamp, F counter, I and K fields, ended by the marker bit (4.2). A field that
 * ends without its marker (timestamp/F/I change, flush) is still emitted when its
 * counters prove it complete (`jxs_missing_marker`).
 *
 * Completeness is checked from the payload header, not guessed:
 * - codestream mode (K=0): packets carry the picture segment in order, counted by
 *   SEP:P as one 22-bit index 0..n-1; L marks the last one.
 * - slice mode (K=1): the header-segment unit (SEP = 2047) then slice units with
 *   SEP = slice index mod 2047, each with P = 0..m-1 and L on its last packet.
 *   With T=0 (out of order) packets are sorted by (unit, P) first; T=0 supports up
 *   to 2047 slices and 2048 packets per slice (the counters would wrap beyond).
 * A gap, a missing L, a lost packet inside the field or an F-counter jump after a
 * loss counts `frame_loss` (once per frame). Boxes before SOC (jpvs, colr) are
 * stripped; the codestream must run SOC..EOC.
 *
 * Output (`RtpUnit.data`): the codestream SOC..EOC of a progressive frame; for an
 * interlaced frame (I=2 then I=3) the first field's codestream followed by the
 * second field's, with the first field's RTP timestamp. `key` is always true.
 */
import type { DepacketizerOptions, RtpDepacketizer, RtpPacket } from "../../core/types.ts";
import {
  JXS_HEADER_BYTES,
  JXS_SEP_HEADER_SEGMENT,
  newJxsHeader,
  readJxsHeader,
} from "./payload_header.ts";
import { ensureCapacity } from "../../core/grow.ts";
import type { DataReason } from "../../core/reasons/catalogue.ts";

/** Default cap on one field or frame (picture segment), bytes. */
export const JXS_MAX_UNIT_BYTES = 32 * 1024 * 1024;
/** Cap on RTP packets in one field or frame. */
export const JXS_MAX_FRAGMENTS = 65536;

/** RTP depacketizer for JPEG XS (RFC 9134); see the module comment. */
export class JpegXsDepacketizer implements RtpDepacketizer {
  readonly #o: DepacketizerOptions;
  readonly #max: number;
  readonly #h = newJxsHeader();
  #stage = new Uint8Array(64 * 1024);
  #stageLen = 0;
  #pOff = new Int32Array(256);
  #pLen = new Int32Array(256);
  #pSep = new Int32Array(256);
  #pP = new Int32Array(256);
  #pLast = new Uint8Array(256);
  #n = 0;
  #active = false;
  /** Why the current field will be dropped (a counter reason), or "". */
  #damaged: DataReason | "" = "";
  #ts = 0;
  #f = 0;
  #i = 0;
  #slice = false;
  #sequential = true;
  #arrivalMs = 0;
  #lastF = -1;
  #dropF = -1;
  #pend: Uint8Array | null = null;
  #pendTs = 0;
  #pendF = 0;

  constructor(opts: DepacketizerOptions) {
    this.#o = opts;
    this.#max = opts.maxUnitBytes ?? JXS_MAX_UNIT_BYTES;
  }

  /** Feeds one packet in sequence order; `lostBefore` = packets were lost right before it. */
  push(pkt: RtpPacket, lostBefore: boolean): void {
    const h = this.#h;
    if (!readJxsHeader(pkt.payload, h)) {
      if (this.#active) this.#damage("jxs_short_payload");
      else this.#o.count("jxs_short_payload");
      return;
    }
    if (
      this.#active &&
      (pkt.timestamp !== this.#ts || h.frame !== this.#f || h.interlace !== this.#i ||
        h.sliceMode !== this.#slice)
    ) this.#close(false);
    if (lostBefore && this.#active) this.#damage("frame_loss");
    if (!this.#active) {
      if (h.interlace === 1) {
        this.#o.count("jxs_reserved_interlace");
        return;
      }
      this.#start(pkt, lostBefore);
    }
    this.#arrivalMs = pkt.arrivalMs;
    if (this.#damaged === "") this.#store(pkt.payload);
    if (pkt.marker) this.#close(true);
  }

  /** End of stream: emits the pending field or frame when its counters prove it complete. */
  flush(): void {
    if (this.#active) this.#close(false);
    this.#dropPending();
  }

  #start(pkt: RtpPacket, lostBefore: boolean): void {
    const h = this.#h;
    this.#active = true;
    this.#damaged = "";
    this.#ts = pkt.timestamp;
    this.#f = h.frame;
    this.#i = h.interlace;
    this.#slice = h.sliceMode;
    this.#sequential = h.sequential;
    this.#n = 0;
    this.#stageLen = 0;
    if (h.interlace !== 3) this.#dropF = -1;
    if (h.frame !== this.#lastF) {
      // Frames lost whole show as a jump of the F counter (mod 32) after a loss.
      const gap = (h.frame - this.#lastF - 1) & 31;
      if (lostBefore && this.#lastF >= 0 && gap > 0) this.#o.count("frame_loss", gap);
      this.#lastF = h.frame;
    }
  }

  #store(payload: Uint8Array): void {
    const h = this.#h;
    const len = payload.length - JXS_HEADER_BYTES;
    if (this.#n >= JXS_MAX_FRAGMENTS) return this.#damage("jxs_too_many_packets");
    const need = this.#stageLen + len;
    if (need > this.#max) return this.#damage("frame_oversize");
    this.#stage = ensureCapacity(this.#stage, this.#stageLen, need, this.#max);
    if (this.#n >= this.#pOff.length) this.#growIndex();
    const k = this.#n++;
    this.#pOff[k] = this.#stageLen;
    this.#pLen[k] = len;
    this.#pSep[k] = h.sep;
    this.#pP[k] = h.packet;
    this.#pLast[k] = h.last ? 1 : 0;
    this.#stage.set(payload.subarray(JXS_HEADER_BYTES), this.#stageLen);
    this.#stageLen = need;
  }

  #damage(reason: DataReason): void {
    if (this.#damaged === "") this.#damaged = reason;
  }

  #growIndex(): void {
    const cap = Math.min(this.#pOff.length * 2, JXS_MAX_FRAGMENTS);
    const g32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.#pOff = g32(this.#pOff);
    this.#pLen = g32(this.#pLen);
    this.#pSep = g32(this.#pSep);
    this.#pP = g32(this.#pP);
    const l = new Uint8Array(cap);
    l.set(this.#pLast);
    this.#pLast = l;
  }

  #close(marker: boolean): void {
    this.#active = false;
    if (this.#damaged !== "") return this.#loseField(this.#damaged);
    if (this.#n === 0) return this.#loseField("frame_loss");
    const order = this.#order();
    if (order === null) return this.#loseField("frame_loss");
    const cs = this.#assemble(order);
    if (cs === null) return this.#loseField("jxs_bad_codestream");
    if (!marker) this.#o.count("jxs_missing_marker");
    if (this.#i === 0) {
      this.#dropPending();
      this.#emit(this.#ts, cs);
    } else if (this.#i === 2) {
      this.#dropPending();
      this.#pend = cs;
      this.#pendTs = this.#ts;
      this.#pendF = this.#f;
    } else if (this.#pend !== null && this.#pendF === this.#f) {
      if (this.#pend.length + cs.length > this.#max) return this.#loseField("frame_oversize");
      const both = new Uint8Array(this.#pend.length + cs.length);
      both.set(this.#pend);
      both.set(cs, this.#pend.length);
      this.#pend = null;
      this.#emit(this.#pendTs, both);
    } else {
      // Second field whose first field never arrived (or was dropped and counted).
      this.#dropPending();
      if (this.#dropF !== this.#f) this.#o.count("frame_loss");
      this.#dropF = this.#f;
    }
  }

  /** Drops the current field; a frame is counted once even when both fields fail. */
  #loseField(reason: DataReason): void {
    if (this.#i === 3 && this.#pend !== null && this.#pendF === this.#f) {
      this.#pend = null;
      this.#o.count(reason);
    } else if (this.#i !== 3 || this.#dropF !== this.#f) {
      this.#dropPending();
      this.#o.count(reason);
    }
    this.#dropF = this.#f;
  }

  /** A complete first field whose second field never came. */
  #dropPending(): void {
    if (this.#pend === null) return;
    this.#pend = null;
    this.#o.count("frame_loss");
    this.#dropF = this.#pendF;
  }

  /** Packet indices in payload order, or null when a packet is missing (RFC 9134 4.3). */
  #order(): number[] | null {
    const n = this.#n;
    const idx = new Array<number>(n);
    for (let j = 0; j < n; j++) idx[j] = j;
    if (!this.#sequential) {
      const key = (j: number) =>
        (this.#pSep[j] === JXS_SEP_HEADER_SEGMENT ? 0 : this.#pSep[j] + 1) * 2048 + this.#pP[j];
      idx.sort((a, b) => key(a) - key(b));
    }
    let unit = 0, p = 0;
    for (let j = 0; j < n; j++) {
      const k = idx[j];
      if (this.#slice) {
        const sep = unit === 0 ? JXS_SEP_HEADER_SEGMENT : (unit - 1) % 2047;
        if (this.#pSep[k] !== sep || this.#pP[k] !== (p & 0x7ff)) return null;
        if (this.#pLast[k]) {
          unit++;
          p = 0;
        } else p++;
      } else {
        if (this.#pSep[k] !== ((j >> 11) & 0x7ff) || this.#pP[k] !== (j & 0x7ff)) return null;
        if (this.#pLast[k] !== (j === n - 1 ? 1 : 0)) return null;
      }
    }
    if (this.#slice && (p !== 0 || unit < 2)) return null;
    return idx;
  }

  /** Copies the picture segment once, skips its boxes, checks SOC..EOC. */
  #assemble(order: number[]): Uint8Array | null {
    const out = new Uint8Array(this.#stageLen);
    let o = 0;
    for (const k of order) {
      out.set(this.#stage.subarray(this.#pOff[k], this.#pOff[k] + this.#pLen[k]), o);
      o += this.#pLen[k];
    }
    const dv = new DataView(out.buffer);
    let off = 0;
    while (off + 2 <= o && !(out[off] === 0xff && out[off + 1] === 0x10)) {
      if (off + 8 > o) return null;
      let size = dv.getUint32(off); // ISO/IEC 15444-1 I.4 box: LBox, TBox[, XLBox]
      if (size === 1) {
        if (off + 16 > o) return null;
        size = dv.getUint32(off + 8) * 2 ** 32 + dv.getUint32(off + 12);
        if (size < 16) return null;
      } else if (size < 8) return null;
      off += size;
    }
    if (o - off < 4 || out[o - 2] !== 0xff || out[o - 1] !== 0x11) return null;
    return out.subarray(off, o);
  }

  #emit(timestamp: number, data: Uint8Array): void {
    this.#o.onUnit({ timestamp, data, key: true, arrivalMs: this.#arrivalMs });
  }
}
