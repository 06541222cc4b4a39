/**
 * MPEG4-GENERIC depacketizer (RFC 3640 3.2-3.3; AAC-hbr and AAC-lbr modes, 3.3.5-3.3.6).
 *
 * ```
 * +---------+-----------+-----------+---------------+
 * | RTP     | AU Header | Auxiliary | Access Unit   |
 * | Header  | Section   | Section   | Data Section  |
 * +---------+-----------+-----------+---------------+
 * AU Header Section: AU-headers-length(16, in bits) then per AU:
 *   AU-size(sizeLength) AU-Index(indexLength) | AU-Index-delta(indexDeltaLength)
 *   [CTS-flag(1) CTS-delta] [DTS-flag(1) DTS-delta] [RAP-flag(1)] [Stream-state]
 * ```
 * Several AUs per packet are emitted in order; the n-th AU gets timestamp
 * `ts + (index_n - index_0) * constantDuration` (1024 by default, from the `config`
 * AudioSpecificConfig when given). Interleaved AUs are emitted in arrival order, not
 * de-interleaved. A fragmented AU (3.2.3: one AU-header whose AU-size exceeds the data,
 * marker on the last fragment) is reassembled into one buffer. Whole AUs are
 * subarrays of `pkt.payload` (zero-copy; the frame assembler copies once).
 */
import { BitReader } from "../../core/bits.ts";
import type { DepacketizerOptions, RtpDepacketizer, RtpPacket } from "../../core/types.ts";
import { hexBytes, parseAudioSpecificConfig } from "./latm.ts";
import type { DataReason } from "../../core/reasons/catalogue.ts";

/** Cap on one AU (AU-size is at most 16 bits in every mode sluice meets). */
export const MAX_AAC_AU_BYTES = 65535;
/** Cap on AU-headers in one packet. */
export const MAX_AUS_PER_PACKET = 256;

/** Reads the RFC 3640 4.1 fmtp parameters that shape the AU header (case-insensitive keys). */
export interface Rfc3640Params {
  sizeLength: number;
  indexLength: number;
  indexDeltaLength: number;
  ctsDeltaLength: number;
  dtsDeltaLength: number;
  randomAccessIndication: number;
  streamStateIndication: number;
  auxiliaryDataSizeLength: number;
  constantSize: number;
  constantDuration: number;
}

/** fmtp -> AU header layout; undefined when a length is out of range (0-32). */
export function rfc3640Params(fmtp: Record<string, string> = {}): Rfc3640Params | undefined {
  const f: Record<string, string> = {};
  for (const k in fmtp) f[k.toLowerCase()] = fmtp[k];
  const mode = (f["mode"] ?? "").toLowerCase();
  const hbr = mode === "aac-hbr", lbr = mode === "aac-lbr";
  const num = (k: string, d: number) => (f[k] === undefined ? d : Number(f[k]));
  let dur = 1024;
  const asc = f["config"] ? parseAudioSpecificConfig(hexBytes(f["config"])) : undefined;
  if (asc?.ok) dur = asc.value.frameSamples;
  const p: Rfc3640Params = {
    sizeLength: num("sizelength", hbr ? 13 : lbr ? 6 : 0),
    indexLength: num("indexlength", hbr ? 3 : lbr ? 2 : 0),
    indexDeltaLength: num("indexdeltalength", hbr ? 3 : lbr ? 2 : 0),
    ctsDeltaLength: num("ctsdeltalength", 0),
    dtsDeltaLength: num("dtsdeltalength", 0),
    randomAccessIndication: num("randomaccessindication", 0) ? 1 : 0,
    streamStateIndication: num("streamstateindication", 0),
    auxiliaryDataSizeLength: num("auxiliarydatasizelength", 0),
    constantSize: num("constantsize", 0),
    constantDuration: num("constantduration", dur),
  };
  for (const v of Object.values(p)) if (!Number.isInteger(v) || v < 0) return undefined;
  if (p.sizeLength > 32 || p.indexLength > 32 || p.indexDeltaLength > 32) return undefined;
  if (p.ctsDeltaLength > 32 || p.dtsDeltaLength > 32 || p.streamStateIndication > 32) {
    return undefined;
  }
  if (p.auxiliaryDataSizeLength > 32) return undefined;
  return p;
}

/** RFC 3640 depacketizer: one RtpUnit per AU. */
export class Rfc3640Depacketizer implements RtpDepacketizer {
  #o: DepacketizerOptions;
  #p: Rfc3640Params | undefined;
  #max: number;
  #sizes = new Int32Array(MAX_AUS_PER_PACKET);
  #offsets = new Float64Array(MAX_AUS_PER_PACKET);
  #headerless: boolean;
  /** AU-Index of the first AU of the packet being parsed. */
  #firstIndex = 0;
  // A fragmented AU being reassembled.
  #frag: Uint8Array | undefined;
  #fragLen = 0;
  #fragTs = 0;

  constructor(opts: DepacketizerOptions) {
    this.#o = opts;
    this.#p = rfc3640Params(opts.fmtp);
    this.#max = Math.min(opts.maxUnitBytes ?? MAX_AAC_AU_BYTES, MAX_AAC_AU_BYTES);
    const p = this.#p;
    this.#headerless = !p || p.sizeLength + p.indexLength + p.indexDeltaLength +
            p.ctsDeltaLength + p.dtsDeltaLength + p.randomAccessIndication +
            p.streamStateIndication === 0;
  }

  push(pkt: RtpPacket, lostBefore: boolean): void {
    const p = this.#p;
    if (!p) return this.#o.count("rfc3640_fmtp_invalid");
    if (lostBefore && this.#frag) this.#dropFrag("frame_loss");
    const d = pkt.payload;
    if (this.#headerless) return this.#pushHeaderless(pkt, p);
    if (d.length < 2) return this.#o.count("rfc3640_short");
    const headersBits = (d[0] << 8) | d[1];
    let off = 2 + ((headersBits + 7) >> 3);
    if (off > d.length) return this.#o.count("rfc3640_short");
    const r = new BitReader(d.subarray(2, off));
    let n = 0;
    let index = 0;
    while (r.pos < headersBits) {
      if (n === MAX_AUS_PER_PACKET) return this.#o.count("rfc3640_too_many_aus");
      const size = p.sizeLength ? r.bits(p.sizeLength) : p.constantSize;
      index = n === 0 ? r.bits(p.indexLength) : index + r.bits(p.indexDeltaLength) + 1;
      let cts = 0;
      if (p.ctsDeltaLength && r.bit()) cts = signed(r.bits(p.ctsDeltaLength), p.ctsDeltaLength);
      if (p.dtsDeltaLength && r.bit()) r.skip(p.dtsDeltaLength);
      r.skip(p.randomAccessIndication + p.streamStateIndication);
      this.#sizes[n] = size;
      this.#offsets[n] = (n === 0 ? 0 : index - this.#firstIndex) * p.constantDuration + cts;
      if (n === 0) this.#firstIndex = index;
      n++;
    }
    if (r.overrun || r.pos > headersBits || n === 0) return this.#o.count("rfc3640_bad_header");
    if (p.auxiliaryDataSizeLength) {
      const ar = new BitReader(d, off);
      const auxBits = ar.bits(p.auxiliaryDataSizeLength);
      off += Math.ceil((p.auxiliaryDataSizeLength + auxBits) / 8);
      if (ar.overrun || off > d.length) return this.#o.count("rfc3640_short");
    }
    const rest = d.length - off;
    if (n === 1 && (this.#frag !== undefined || this.#sizes[0] > rest)) {
      return this.#fragment(pkt, d.subarray(off), this.#sizes[0]);
    }
    if (this.#frag) this.#dropFrag("rfc3640_fragment_incomplete");
    for (let i = 0; i < n; i++) {
      const size = this.#sizes[i];
      if (size === 0) {
        this.#o.count("rfc3640_empty_au");
        continue;
      }
      if (off + size > d.length) return this.#o.count("rfc3640_au_truncated");
      if (size > this.#max) this.#o.count("rfc3640_au_too_large");
      else this.#emit(pkt, (pkt.timestamp + this.#offsets[i]) >>> 0, d.subarray(off, off + size));
      off += size;
    }
  }

  /** No AU header section (all lengths 0): constantSize AUs, else the payload is one AU. */
  #pushHeaderless(pkt: RtpPacket, p: Rfc3640Params): void {
    const d = pkt.payload;
    if (d.length === 0) return this.#o.count("rfc3640_empty_au");
    const step = p.constantSize || d.length;
    if (d.length % step !== 0 || step > this.#max) return this.#o.count("rfc3640_bad_header");
    for (let i = 0, off = 0; off < d.length; i++, off += step) {
      const ts = (pkt.timestamp + i * p.constantDuration) >>> 0;
      this.#emit(pkt, ts, d.subarray(off, off + step));
    }
  }

  /** RFC 3640 3.2.3: fragments share the timestamp and the AU-size; marker on the last. */
  #fragment(pkt: RtpPacket, data: Uint8Array, size: number): void {
    const f = this.#frag;
    if (f && (f.length !== size || this.#fragTs !== pkt.timestamp)) {
      this.#dropFrag("rfc3640_fragment_incomplete");
    }
    if (!this.#frag) {
      if (size > this.#max) return this.#o.count("rfc3640_au_too_large");
      this.#frag = new Uint8Array(size);
      this.#fragLen = 0;
      this.#fragTs = pkt.timestamp;
    }
    const buf = this.#frag!;
    if (this.#fragLen + data.length > buf.length) {
      return this.#dropFrag("rfc3640_fragment_overflow");
    }
    buf.set(data, this.#fragLen);
    this.#fragLen += data.length;
    if (this.#fragLen === buf.length) {
      this.#frag = undefined;
      this.#emit(pkt, pkt.timestamp, buf);
    } else if (pkt.marker) {
      this.#dropFrag("rfc3640_fragment_short");
    }
  }

  #dropFrag(reason: DataReason): void {
    this.#frag = undefined;
    this.#fragLen = 0;
    this.#o.count(reason);
  }

  #emit(pkt: RtpPacket, timestamp: number, data: Uint8Array): void {
    this.#o.onUnit({ timestamp, data, key: true, arrivalMs: pkt.arrivalMs });
  }

  flush(): void {
    if (this.#frag) this.#dropFrag("rfc3640_fragment_incomplete");
  }
}

function signed(v: number, bits: number): number {
  return v >= 2 ** (bits - 1) ? v - 2 ** bits : v;
}
