/**
 * H.265 RTP depacketizer (RFC 7798): single NAL unit packets (4.4.1), aggregation packets
 * (AP, 4.4.2), fragmentation units (FU, 4.4.3) and PACI packets (4.4.4, the payload header
 * extension is skipped and the PACI payload handled as the packet type it carries). With
 * `sprop-max-don-diff` > 0 the DONL/DOND fields are read and NAL units are reordered by DON
 * (section 6) through a bounded buffer. Output: one Annex B access unit per RTP timestamp
 * (4-byte start codes), `sprop-vps/sps/pps` (7.1) inserted ahead of key (IRAP) units that
 * lack them. Malformed input is counted, never thrown.
 */
import type { DepacketizerOptions, RtpDepacketizer, RtpPacket } from "../../core/types.ts";
import { h265IsIrap, H265Nal, h265NalType } from "./nal.ts";
import { MAX_UNIT_BYTES, type NalRules, UnitAssembler } from "../h26x/rtp_unit.ts";
import { DonMode } from "../h26x/don_mode.ts";
import { fuIntoDon, fuIntoUnit } from "../h26x/fu.ts";
import { decodeSprop, fmtpInt } from "../h26x/sprop.ts";
import type { DataReason } from "../../core/reasons/catalogue.ts";

const RULES: NalRules = { isKey: h265IsIrap, audType: H265Nal.AUD };

/**
 * Reassembles H.265 access units from RTP packets (RFC 7798). Options: `fmtp` keys
 * `sprop-vps`, `sprop-sps`, `sprop-pps`, `sprop-max-don-diff`, `sprop-depack-buf-nalus`,
 * `sprop-depack-buf-bytes`. Counted reasons include "fu_without_start", "fu_missing_end",
 * "ap_truncated", "fu_truncated", "paci_truncated", "payload_truncated",
 * "nal_type_invalid", "frame_oversize", "frame_loss", "await_keyframe".
 */
export class H265Depacketizer implements RtpDepacketizer {
  readonly #unit: UnitAssembler;
  readonly #count: DepacketizerOptions["count"];
  readonly #don: DonMode | undefined;
  readonly #hdr = new Uint8Array(2);

  constructor(opts: DepacketizerOptions) {
    this.#count = opts.count;
    const f = opts.fmtp;
    const params = ["sprop-vps", "sprop-sps", "sprop-pps"].flatMap((k) =>
      decodeSprop(f?.[k], h265NalType, opts.count)
    );
    this.#unit = new UnitAssembler(opts, RULES, params);
    const maxDonDiff = fmtpInt(f, "sprop-max-don-diff", 0);
    if (maxDonDiff > 0) {
      const max = opts.maxUnitBytes ?? MAX_UNIT_BYTES;
      const depth = fmtpInt(f, "sprop-depack-buf-nalus", maxDonDiff);
      const bytes = fmtpInt(f, "sprop-depack-buf-bytes", max);
      this.#don = new DonMode(this.#unit, depth, bytes, max, opts.count);
    }
  }

  /** Feed one RTP packet in sequence order; `lostBefore` when packets were lost before it. */
  push(pkt: RtpPacket, lostBefore: boolean): void {
    const p = pkt.payload;
    const u = this.#unit;
    if (this.#don) this.#don.packet(lostBefore);
    else {
      if (lostBefore) u.loss();
      u.begin(pkt.timestamp, pkt.arrivalMs);
    }
    if (p.length < 2) this.#bad("payload_truncated");
    else this.#payload(pkt, p[0], p[1], p.subarray(2), false);
    if (!this.#don && pkt.marker) u.end();
  }

  /** End of stream: emit the pending unit (and drain the DON buffer). */
  flush(): void {
    this.#don?.flush();
    this.#unit.end();
  }

  /*
   *  Payload header (RFC 7798 4.2): | F | Type (6) | LayerId (6) | TID (3) |
   *  Type 0-47 single NAL unit, 48 AP, 49 FU, 50 PACI.
   */
  #payload(pkt: RtpPacket, h0: number, h1: number, body: Uint8Array, inPaci: boolean): void {
    const type = (h0 >> 1) & 0x3f;
    const fu = this.#don?.fu;
    if (fu?.active && type !== H265Nal.FU) {
      fu.abort();
      this.#bad("fu_missing_end");
    }
    if (type < H265Nal.AP) this.#single(pkt, type, h0, h1, body);
    else if (type === H265Nal.AP) this.#ap(pkt, body);
    else if (type === H265Nal.FU) this.#fuPacket(pkt, h0, h1, body);
    else if (type === H265Nal.PACI && !inPaci) this.#paci(pkt, h0, h1, body);
    else this.#count("nal_type_invalid");
  }

  /*
   *  Single NAL unit packet (4.4.1): | PayloadHdr | DONL (16, optional) | NAL unit payload |
   */
  #single(pkt: RtpPacket, type: number, h0: number, h1: number, body: Uint8Array): void {
    if (!this.#don) {
      this.#unit.fragmentStart(type, h0, h1, 2);
      this.#unit.fragmentPart(body, true);
      return;
    }
    if (body.length < 2) return this.#bad("payload_truncated");
    const nal = new Uint8Array(body.length);
    nal[0] = h0;
    nal[1] = h1;
    nal.set(body.subarray(2), 2);
    this.#hold((body[0] << 8) | body[1], pkt, nal);
  }

  /*
   *  AP (4.4.2): | PayloadHdr (48) | DONL (opt) | NALU 1 Size | NALU 1 |
   *              | DOND (opt, 8) | NALU 2 Size | NALU 2 | ...   DON(n) = DON(n-1) + DOND + 1
   */
  #ap(pkt: RtpPacket, b: Uint8Array): void {
    const don = this.#don !== undefined;
    let o = 0;
    let d = 0;
    let first = true;
    if (b.length < 2) return this.#bad("ap_truncated");
    while (o < b.length) {
      if (don) {
        if (first) {
          if (o + 2 > b.length) return this.#bad("ap_truncated");
          d = (b[o] << 8) | b[o + 1];
          o += 2;
        } else {
          if (o + 1 > b.length) return this.#bad("ap_truncated");
          d = (d + b[o] + 1) & 0xffff;
          o += 1;
        }
      }
      first = false;
      if (o + 2 > b.length) return this.#bad("ap_truncated");
      const n = (b[o] << 8) | b[o + 1];
      o += 2;
      if (o + n > b.length || (n > 0 && n < 2)) return this.#bad("ap_truncated");
      const nal = b.subarray(o, o + n);
      o += n;
      if (n === 0) continue;
      if (don) this.#hold(d, pkt, nal.slice());
      else this.#unit.nal(h265NalType(nal), nal);
    }
  }

  /*
   *  FU (4.4.3): | PayloadHdr (49) | FU header (S E FuType) | DONL (opt, S=1 only) | payload |
   *  Reconstructed NAL header: F, LayerId, TID from PayloadHdr, Type = FuType.
   */
  #fuPacket(pkt: RtpPacket, h0: number, h1: number, b: Uint8Array): void {
    if (b.length < 1) return this.#bad("fu_truncated");
    const fh = b[0];
    const type = fh & 0x3f;
    if (type >= H265Nal.AP) return this.#bad("nal_type_invalid");
    const start = (fh & 0x80) !== 0;
    const n0 = (h0 & 0x81) | (type << 1);
    const piece = { type, start, end: (fh & 0x40) !== 0, body: b.subarray(1) };
    const dm = this.#don;
    if (!dm) return fuIntoUnit(this.#unit, piece, n0, h1, 2);
    let first;
    if (start) {
      if (b.length < 3) return this.#bad("fu_truncated");
      this.#hdr[0] = n0;
      this.#hdr[1] = h1;
      first = { don: (b[1] << 8) | b[2], ts: pkt.timestamp, header: this.#hdr };
      piece.body = b.subarray(3);
    }
    const nal = fuIntoDon(dm, piece, first, (r) => this.#bad(r));
    if (nal) this.#hold(dm.fuDon, pkt, nal, dm.fuTs);
  }

  /*
   *  PACI (4.4.4): | PayloadHdr (50) | A | cType (6) | PHSsize (5) | F0 F1 F2 | Y |
   *                | PHES (PHSsize bytes) | PACI payload (single NAL, AP or FU body) |
   *  The carried packet's payload header is PayloadHdr with F = A and Type = cType.
   */
  #paci(pkt: RtpPacket, h0: number, h1: number, b: Uint8Array): void {
    if (b.length < 2) return this.#bad("paci_truncated");
    const v = (b[0] << 8) | b[1];
    const phs = (v >> 4) & 0x1f;
    if (2 + phs > b.length) return this.#bad("paci_truncated");
    const inner0 = (v & 0x8000 ? 0x80 : 0) | (((v >> 9) & 0x3f) << 1) | (h0 & 1);
    this.#payload(pkt, inner0, h1, b.subarray(2 + phs), true);
  }

  /** Queue an owned NAL unit for release in DON order. */
  #hold(don: number, pkt: RtpPacket, nal: Uint8Array, ts = pkt.timestamp): void {
    this.#don!.hold(don, ts, h265NalType(nal), nal, pkt.arrivalMs, true);
  }

  /** A malformed packet: count it; its NAL units are lost, so the unit is incomplete. */
  #bad(reason: DataReason): void {
    if (this.#don) {
      this.#count(reason);
      this.#don.lose();
    } else this.#unit.damage(reason, true);
  }
}
