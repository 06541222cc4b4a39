/**
 * H.264 RTP depacketizer (RFC 6184): single NAL unit packets (5.6), STAP-A (5.7.1) and
 * FU-A (5.8) in packetization modes 0 and 1; STAP-B, MTAP16/24 (5.7.2) and FU-B with
 * decoding order numbers in interleaved mode (packetization-mode=2, 5.5), de-interleaved
 * through a bounded DON buffer. Output: one Annex B access unit per RTP timestamp
 * (4-byte start codes), with `sprop-parameter-sets` (8.1) inserted ahead of key units
 * that lack them. Malformed input is counted, never thrown.
 */
import type { DepacketizerOptions, RtpDepacketizer, RtpPacket } from "../../core/types.ts";
import { h264IsVcl, H264Nal, h264NalType } from "./nal.ts";
import { MAX_UNIT_BYTES, type NalRules, UnitAssembler } from "../h26x/rtp_unit.ts";
import { DEFAULT_DON_DEPTH } from "../h26x/don.ts";
import { DonMode } from "../h26x/don_mode.ts";
import { fuIntoDon, fuIntoUnit } from "../h26x/fu.ts";
import { decodeSprop, fmtpInt } from "../h26x/sprop.ts";
import type { DataReason } from "../../core/reasons/catalogue.ts";

const RULES: NalRules = { isKey: (t) => t === H264Nal.IDR, audType: H264Nal.AUD };

/**
 * Reassembles H.264 access units from RTP packets (RFC 6184). Options: `fmtp` keys
 * `packetization-mode`, `sprop-parameter-sets`, `sprop-interleaving-depth`,
 * `sprop-deint-buf-req`. Counted reasons include "fu_without_start", "fu_missing_end",
 * "stap_truncated", "mtap_truncated", "fu_truncated", "nal_type_invalid",
 * "nal_type_not_in_mode", "payload_empty", "frame_oversize", "frame_loss", "await_keyframe".
 */
export class H264Depacketizer implements RtpDepacketizer {
  readonly #unit: UnitAssembler;
  readonly #count: DepacketizerOptions["count"];
  readonly #don: DonMode | undefined;
  readonly #hdr = new Uint8Array(1);

  constructor(opts: DepacketizerOptions) {
    this.#count = opts.count;
    const params = decodeSprop(opts.fmtp?.["sprop-parameter-sets"], h264NalType, opts.count);
    this.#unit = new UnitAssembler(opts, RULES, params);
    if (fmtpInt(opts.fmtp, "packetization-mode", 0) === 2) {
      const max = opts.maxUnitBytes ?? MAX_UNIT_BYTES;
      const depth = fmtpInt(opts.fmtp, "sprop-interleaving-depth", DEFAULT_DON_DEPTH);
      const req = fmtpInt(opts.fmtp, "sprop-deint-buf-req", max);
      this.#don = new DonMode(this.#unit, depth, req, max, opts.count);
    }
  }

  /** Feed one RTP packet in sequence order; `lostBefore` when packets were lost before it. */
  push(pkt: RtpPacket, lostBefore: boolean): void {
    const p = pkt.payload;
    if (this.#don) return this.#pushInterleaved(pkt, lostBefore);
    const u = this.#unit;
    if (lostBefore) u.loss();
    u.begin(pkt.timestamp, pkt.arrivalMs);
    if (p.length === 0) this.#count("payload_empty");
    else {
      const type = p[0] & 0x1f;
      if (type >= 1 && type <= 23) u.nal(type, p);
      else if (type === H264Nal.STAP_A) this.#stapA(p);
      else if (type === H264Nal.FU_A) this.#fuA(p);
      else if (type >= H264Nal.STAP_B && type <= H264Nal.FU_B) {
        u.damage("nal_type_not_in_mode", true);
      } else this.#count("nal_type_invalid");
    }
    if (pkt.marker) u.end();
  }

  /** End of stream: emit the pending unit (and drain the DON buffer). */
  flush(): void {
    this.#don?.flush();
    this.#unit.end();
  }

  /*
   *  STAP-A (RFC 6184 5.7.1)
   *  | STAP-A NAL HDR | NALU 1 Size (16) | NALU 1 HDR | NALU 1 Data ... | NALU 2 Size | ...
   */
  #stapA(p: Uint8Array): void {
    const u = this.#unit;
    let o = 1;
    if (p.length === 1) return this.#count("stap_empty");
    if (p.length < 3) return u.damage("stap_truncated", true);
    while (o < p.length) {
      if (o + 2 > p.length) return u.damage("stap_truncated", true);
      const n = (p[o] << 8) | p[o + 1];
      o += 2;
      if (o + n > p.length) return u.damage("stap_truncated", true);
      if (n > 0) u.nal(p[o] & 0x1f, p.subarray(o, o + n));
      o += n;
    }
  }

  /*
   *  FU-A (RFC 6184 5.8)
   *  | FU indicator (F NRI 28) | FU header (S E R Type) | FU payload ...
   */
  #fuA(p: Uint8Array): void {
    const u = this.#unit;
    if (p.length < 2) return u.damage("fu_truncated", true);
    const fh = p[1];
    const type = fh & 0x1f;
    if (type === 0 || type > 23) return u.damage("nal_type_invalid", true);
    const piece = { type, start: (fh & 0x80) !== 0, end: (fh & 0x40) !== 0, body: p.subarray(2) };
    fuIntoUnit(u, piece, (p[0] & 0xe0) | type, 0, 1);
  }

  /** Interleaved mode (RFC 6184 5.5): NAL units go through the DON buffer. */
  #pushInterleaved(pkt: RtpPacket, lostBefore: boolean): void {
    const p = pkt.payload;
    const dm = this.#don!;
    dm.packet(lostBefore);
    if (p.length === 0) return this.#count("payload_empty");
    const type = p[0] & 0x1f;
    if (type !== H264Nal.FU_A && dm.fu.active) {
      dm.fu.abort();
      this.#count("fu_missing_end");
      dm.lose();
    }
    if (type === H264Nal.STAP_B) this.#stapB(pkt);
    else if (type === H264Nal.MTAP16 || type === H264Nal.MTAP24) this.#mtap(pkt, type);
    else if (type === H264Nal.FU_B || type === H264Nal.FU_A) this.#fuB(pkt, type);
    else if (type >= 1 && type <= H264Nal.STAP_A) {
      this.#count("nal_type_not_in_mode");
      this.#don!.lose();
    } else this.#count("nal_type_invalid");
  }

  /*
   *  STAP-B (RFC 6184 5.7.1): | STAP-B HDR | DON (16) | NALU Size (16) | NALU | ...
   *  DON of each following NAL unit = DON of the previous + 1 (mod 65536).
   */
  #stapB(pkt: RtpPacket): void {
    const p = pkt.payload;
    if (p.length < 5) return this.#truncated("stap_truncated");
    let don = (p[1] << 8) | p[2];
    let o = 3;
    while (o < p.length) {
      if (o + 2 > p.length) return this.#truncated("stap_truncated");
      const n = (p[o] << 8) | p[o + 1];
      o += 2;
      if (o + n > p.length) return this.#truncated("stap_truncated");
      if (n > 0) this.#hold(don, pkt.timestamp, p.subarray(o, o + n), pkt.arrivalMs);
      don = (don + 1) & 0xffff;
      o += n;
    }
  }

  /*
   *  MTAP16/MTAP24 (RFC 6184 5.7.2): | MTAP HDR | DONB (16) | then per NAL unit:
   *  | NALU Size (16, counts DOND + TS offset + NALU) | DOND (8) | TS offset (16|24) | NALU |
   *  DON = (DONB + DOND) % 65536; NALU-time = RTP timestamp + TS offset (mod 2^32).
   */
  #mtap(pkt: RtpPacket, type: number): void {
    const p = pkt.payload;
    const tsBytes = type === H264Nal.MTAP16 ? 2 : 3;
    if (p.length < 3) return this.#truncated("mtap_truncated");
    const donb = (p[1] << 8) | p[2];
    let o = 3;
    while (o < p.length) {
      if (o + 2 > p.length) return this.#truncated("mtap_truncated");
      const n = (p[o] << 8) | p[o + 1];
      o += 2;
      if (n < 1 + tsBytes || o + n > p.length) return this.#truncated("mtap_truncated");
      const don = (donb + p[o]) & 0xffff;
      let off = 0;
      for (let i = 1; i <= tsBytes; i++) off = off * 256 + p[o + i];
      const ts = (pkt.timestamp + off) % 0x100000000;
      const nal = p.subarray(o + 1 + tsBytes, o + n);
      if (nal.length > 0) this.#hold(don, ts, nal, pkt.arrivalMs);
      o += n;
    }
  }

  /*
   *  FU-B (RFC 6184 5.8): | FU indicator | FU header (S=1) | DON (16) | FU payload |
   *  continued by FU-A packets; only the first fragment carries the DON.
   */
  #fuB(pkt: RtpPacket, type: number): void {
    const p = pkt.payload;
    const dm = this.#don!;
    if (p.length < 2) return this.#truncated("fu_truncated");
    const fh = p[1];
    const nalType = fh & 0x1f;
    const start = (fh & 0x80) !== 0;
    if (nalType === 0 || nalType > 23) return this.#truncated("nal_type_invalid");
    const piece = { type: nalType, start, end: (fh & 0x40) !== 0, body: p.subarray(2) };
    let first;
    if (type === H264Nal.FU_B) {
      if (!start) return this.#truncated("fu_without_start");
      if (p.length < 4) return this.#truncated("fu_truncated");
      this.#hdr[0] = (p[0] & 0xe0) | nalType;
      first = { don: (p[2] << 8) | p[3], ts: pkt.timestamp, header: this.#hdr };
      piece.body = p.subarray(4);
    } else if (start) return this.#truncated("nal_type_not_in_mode");
    const nal = fuIntoDon(dm, piece, first, (r) => this.#truncated(r));
    if (nal) this.#hold(dm.fuDon, dm.fuTs, nal, pkt.arrivalMs, true);
  }

  /** Queue one NAL unit (copied unless `owned`) for release in DON order. */
  #hold(don: number, ts: number, nal: Uint8Array, arrivalMs: number, owned = false): void {
    const type = nal[0] & 0x1f;
    this.#don!.hold(don, ts, type, owned ? nal : nal.slice(), arrivalMs, h264IsVcl(type));
  }

  /** A malformed interleaved packet: count it and treat its NAL units as lost. */
  #truncated(reason: DataReason): void {
    this.#count(reason);
    this.#don!.lose();
  }
}
