/**
 * JPEG XS RTP packetizer, the sender side of RFC 9134 (sections 4.1-4.3), for tests
 * and the load generator. Codestream packetization mode (K=0): the picture segment
 * (optional boxes + codestream) is cut into packets counted by SEP/P as one 22-bit
 * counter. Slice packetization mode (K=1): the header segment (boxes + codestream up
 * to the first slice header) is one unit with SEP = 2047, then each slice (SLH up to
 * the next SLH; the last one holds EOC) is a unit with SEP = slice index mod 2047.
 * Out-of-order transmission (T=0, slice mode only) shuffles a field's packets with
 * the given random source; the marker goes on the last packet sent of a frame
 * (progressive) or field (interlaced), sequence numbers follow sending order.
 */
import type { RtpPacket } from "../../core/types.ts";
import { JXS_HEADER_BYTES, JXS_SEP_HEADER_SEGMENT, writeJxsHeader } from "./payload_header.ts";
import { fail, ok, type Result } from "../../core/result.ts";

/** Options of {@link JpegXsPacketizer}. */
export interface JxsPacketizerOptions {
  /** K=1 slice packetization mode (default: codestream mode). */
  sliceMode?: boolean;
  /** T=0 out-of-order transmission; requires sliceMode. */
  outOfOrder?: boolean;
  /** Random source in [0, 1) for out-of-order shuffling (default Math.random). */
  rng?: () => number;
  /** Picture segment bytes per packet, excluding the 4-byte payload header (default 1400). */
  maxPayloadBytes?: number;
  /** Boxes put before each codestream in the picture segment (e.g. jpvs + colr). */
  boxes?: Uint8Array;
  payloadType?: number;
  ssrc?: number;
  /** First RTP sequence number (default 0). */
  seq?: number;
}

const SOC = 0xff10, SLH = 0xff20;

/**
 * Splits a codestream (ISO/IEC 21122-1 Annex A) into its header segment (SOC up to
 * the first slice header) and its slices; the last slice keeps EOC. A slice header
 * is SLH, Lslh = 4 and Yslh = the expected slice index, so entropy-coded bytes
 * that happen to look like SLH are not taken for one.
 */
export function splitSlices(cs: Uint8Array): Result<Uint8Array[]> {
  if (cs.length < 4 || ((cs[0] << 8) | cs[1]) !== SOC) return fail("jxs_no_soc");
  let o = 2;
  while (o + 4 <= cs.length && ((cs[o] << 8) | cs[o + 1]) !== SLH) {
    if (cs[o] !== 0xff) return fail("jxs_bad_marker");
    o += 2 + ((cs[o + 2] << 8) | cs[o + 3]);
  }
  if (o + 6 > cs.length) return fail("jxs_no_slice");
  const starts = [o];
  for (let i = o + 6; i + 6 <= cs.length; i++) {
    if (
      cs[i] === 0xff && cs[i + 1] === 0x20 && cs[i + 2] === 0 && cs[i + 3] === 4 &&
      ((cs[i + 4] << 8) | cs[i + 5]) === starts.length
    ) starts.push(i);
  }
  const parts = [cs.subarray(0, o)];
  for (let k = 0; k < starts.length; k++) {
    parts.push(cs.subarray(starts[k], k + 1 < starts.length ? starts[k + 1] : cs.length));
  }
  return ok(parts);
}

/** RFC 9134 sender: turns JPEG XS codestreams into RTP packets (see module comment). */
export class JpegXsPacketizer {
  readonly #o: JxsPacketizerOptions;
  readonly #max: number;
  #seq: number;
  #frame = 0;

  constructor(opts: JxsPacketizerOptions = {}) {
    if (opts.outOfOrder && !opts.sliceMode) {
      throw new RangeError(
        "JpegXsPacketizer: outOfOrder (T=0) needs sliceMode (K=1), RFC 9134 4.3",
      );
    }
    this.#o = opts;
    this.#max = opts.maxPayloadBytes ?? 1400;
    if (!(this.#max >= 1)) throw new RangeError("JpegXsPacketizer: maxPayloadBytes must be >= 1");
    this.#seq = opts.seq ?? 0;
  }

  /** Packets of one progressive frame (I=0). */
  frame(codestream: Uint8Array, timestamp: number): Result<RtpPacket[]> {
    const r = this.#field(codestream, timestamp, 0);
    this.#frame++;
    return r;
  }

  /** Packets of one interlaced frame: first field (I=2) then second field (I=3). */
  interlacedFrame(
    field1: Uint8Array,
    field2: Uint8Array,
    timestamp: number,
    timestamp2 = timestamp,
  ): Result<RtpPacket[]> {
    const a = this.#field(field1, timestamp, 2);
    const b = this.#field(field2, timestamp2, 3);
    this.#frame++;
    if (!a.ok) return a;
    if (!b.ok) return b;
    return ok([...a.value, ...b.value]);
  }

  #field(cs: Uint8Array, ts: number, interlace: number): Result<RtpPacket[]> {
    const boxes = this.#o.boxes ?? new Uint8Array(0);
    const slice = this.#o.sliceMode ?? false;
    let units: Uint8Array[];
    if (slice) {
      const r = splitSlices(cs);
      if (!r.ok) return r;
      units = r.value;
      units[0] = concat(boxes, units[0]);
    } else {
      units = [concat(boxes, cs)];
    }
    const pkts: RtpPacket[] = [];
    for (let u = 0; u < units.length; u++) {
      const unit = units[u];
      const n = Math.max(1, Math.ceil(unit.length / this.#max));
      for (let k = 0; k < n; k++) {
        const chunk = unit.subarray(k * this.#max, Math.min(unit.length, (k + 1) * this.#max));
        const payload = new Uint8Array(JXS_HEADER_BYTES + chunk.length);
        writeJxsHeader(payload, 0, {
          sequential: !this.#o.outOfOrder,
          sliceMode: slice,
          last: k === n - 1,
          interlace,
          frame: this.#frame,
          sep: slice ? (u === 0 ? JXS_SEP_HEADER_SEGMENT : (u - 1) % 2047) : k >> 11,
          packet: k & 0x7ff,
        });
        payload.set(chunk, JXS_HEADER_BYTES);
        pkts.push(this.#packet(payload, ts));
      }
    }
    if (this.#o.outOfOrder) {
      const rng = this.#o.rng ?? Math.random;
      for (let i = pkts.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [pkts[i], pkts[j]] = [pkts[j], pkts[i]];
      }
    }
    for (const p of pkts) {
      p.seq = this.#seq;
      p.extSeq = this.#seq;
      this.#seq = (this.#seq + 1) & 0xffff;
    }
    pkts[pkts.length - 1].marker = true;
    return ok(pkts);
  }

  #packet(payload: Uint8Array, ts: number): RtpPacket {
    return {
      version: 2,
      padding: false,
      extension: false,
      marker: false,
      payloadType: this.#o.payloadType ?? 96,
      seq: 0,
      extSeq: 0,
      timestamp: ts >>> 0,
      ssrc: this.#o.ssrc ?? 0x4a585356,
      csrcs: [],
      payload,
      arrivalMs: 0,
    };
  }
}

/** Serializes a packet as an RTP datagram (RFC 3550 5.1; no CSRCs, no extension). */
export function serializeRtp(p: RtpPacket): Uint8Array {
  const out = new Uint8Array(12 + p.payload.length);
  const dv = new DataView(out.buffer);
  out[0] = 0x80;
  out[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  dv.setUint16(2, p.seq & 0xffff);
  dv.setUint32(4, p.timestamp >>> 0);
  dv.setUint32(8, p.ssrc >>> 0);
  out.set(p.payload, 12);
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
