/**
 * AV1 RTP depacketizer ("RTP Payload Format For AV1" v1.0, AOM, sections 4-7).
 *
 * Reassembles OBU elements (aggregation header 4.4, fragments across packets via Z/Y)
 * into one temporal unit per RTP timestamp, ended by the marker bit (RTP header usage,
 * 4.1) or a timestamp change. The unit is written as a low-overhead bitstream (AV1
 * bitstream spec 5.2, 7.5): a temporal delimiter `12 00` first (senders remove it,
 * packetization rules 5) then every OBU with `obu_has_size_field = 1` and its shortest
 * LEB128 size. Tile list and padding OBUs are dropped (5). `key` is decided from the
 * bitstream (sequence header + a KEY_FRAME first frame header, AV1 5.9.2), not from
 * the N bit, which some senders never set.
 *
 * Loss policy: a unit with a missing packet is dropped (`frame_loss`); afterwards
 * dependent units are dropped (`await_keyframe`) until a key unit, unless
 * `emitAfterLoss`. A loss seen between units also counts one `frame_loss` (the
 * lost packets belonged to some unit) and waits for a key unit.
 */
import type { DepacketizerOptions, RtpDepacketizer, RtpPacket } from "../../core/types.ts";
import { aggN, aggW, aggY, aggZ } from "./aggregation.ts";
import { type Leb128, leb128Size, readLeb128, writeLeb128 } from "./leb128.ts";
import { ObuType } from "./obu.ts";
import { ensureCapacity } from "../../core/grow.ts";
import type { DataReason } from "../../core/reasons/catalogue.ts";

/** Default cap on one temporal unit, bytes. */
export const AV1_MAX_UNIT_BYTES = 8 * 1024 * 1024;
/** Cap on RTP packets in one temporal unit. */
export const AV1_MAX_FRAGMENTS = 8192;
/** Cap on OBUs in one temporal unit. */
export const AV1_MAX_OBUS = 2048;

/** Reason a unit is dropped: loss, or a malformed packet without loss. */
type Damage = "" | "frame_loss" | "av1_invalid_unit";

/** RTP depacketizer for AV1 (AOM RTP payload format v1.0); see the module comment. */
export class Av1Depacketizer implements RtpDepacketizer {
  readonly #o: DepacketizerOptions;
  readonly #max: number;
  #stage = new Uint8Array(64 * 1024);
  #stageLen = 0;
  /** Start and length in #stage of each OBU element (as sent, fragments joined). */
  readonly #obuOff = new Int32Array(AV1_MAX_OBUS);
  readonly #obuLen = new Int32Array(AV1_MAX_OBUS);
  readonly #obuHdr = new Int32Array(AV1_MAX_OBUS);
  #obuCount = 0;
  #active = false;
  #ts = 0;
  #arrivalMs = 0;
  #packets = 0;
  #fragOpen = false;
  #damage: Damage = "";
  #lossAtStart = false;
  #waitKey = false;
  readonly #leb: Leb128 = { value: 0, length: 0 };

  constructor(opts: DepacketizerOptions) {
    this.#o = opts;
    this.#max = opts.maxUnitBytes ?? AV1_MAX_UNIT_BYTES;
  }

  /** Feeds one packet in sequence order; `lostBefore` = packets were lost right before it. */
  push(pkt: RtpPacket, lostBefore: boolean): void {
    if (this.#active && pkt.timestamp !== this.#ts) {
      if (lostBefore) {
        this.#damageUnit("frame_loss");
        lostBefore = false; // attributed to the unit that just ended without its marker
        this.#lossAtStart = false;
      }
      this.#finish();
    }
    if (lostBefore) {
      if (this.#active) this.#damageUnit("frame_loss");
      else this.#lossAtStart = true;
    }
    if (!this.#active) this.#start(pkt);
    this.#arrivalMs = pkt.arrivalMs;
    if (++this.#packets > AV1_MAX_FRAGMENTS) this.#error("av1_too_many_packets");
    if (this.#damage === "") this.#parse(pkt.payload, pkt.marker);
    else this.#fragOpen = pkt.payload.length > 0 && aggY(pkt.payload[0]);
    if (pkt.marker) this.#finish();
  }

  /** End of stream: emits the pending unit when it is structurally complete. */
  flush(): void {
    if (this.#active) this.#finish();
  }

  #start(pkt: RtpPacket): void {
    this.#active = true;
    this.#ts = pkt.timestamp;
    this.#stageLen = 0;
    this.#obuCount = 0;
    this.#packets = 0;
    this.#fragOpen = false;
    this.#damage = "";
  }

  #damageUnit(d: Damage): void {
    if (this.#damage === "") this.#damage = d;
  }

  /** Counts a protocol violation and drops the unit; after a loss it is a loss symptom. */
  #error(reason: DataReason): void {
    if (this.#damage !== "") return;
    if (this.#lossAtStart) {
      this.#damage = "frame_loss";
      return;
    }
    this.#o.count(reason);
    this.#damage = "av1_invalid_unit";
  }

  #parse(p: Uint8Array, marker: boolean): void {
    if (p.length < 2) return this.#error("av1_short_payload");
    const agg = p[0];
    const z = aggZ(agg), y = aggY(agg), w = aggW(agg);
    if (z && aggN(agg)) return this.#error("av1_n_with_z");
    if (z && !this.#fragOpen) return this.#error("av1_z_without_fragment");
    if (!z && this.#fragOpen) return this.#error("av1_fragment_incomplete");
    const end = p.length;
    let off = 1;
    let i = 0;
    while (off < end) {
      i++;
      let len: number;
      if (w === 0 || i < w) {
        if (!readLeb128(p, off, end, this.#leb)) return this.#error("av1_bad_element_length");
        off += this.#leb.length;
        len = this.#leb.value;
        if (len > end - off) return this.#error("av1_bad_element_length");
      } else {
        len = end - off;
      }
      if (!this.#append(p.subarray(off, off + len), i === 1 && z)) return;
      off += len;
      if (w !== 0 && i === w) break;
    }
    if (w !== 0 && i !== w) return this.#error("av1_w_mismatch");
    if (i === 0) return this.#error("av1_no_elements");
    if (y && marker) return this.#error("av1_marker_with_fragment");
    this.#fragOpen = y;
  }

  /** Copies one element into the stage: a new OBU, or the continuation of the last one. */
  #append(el: Uint8Array, cont: boolean): boolean {
    if (!cont) {
      if (el.length === 0) {
        this.#error("av1_empty_element");
        return false;
      }
      if (this.#obuCount >= AV1_MAX_OBUS) {
        this.#error("av1_too_many_obus");
        return false;
      }
      this.#obuOff[this.#obuCount] = this.#stageLen;
      this.#obuLen[this.#obuCount++] = 0;
    }
    const need = this.#stageLen + el.length;
    if (need > this.#max) {
      this.#o.count("frame_oversize");
      this.#damage = "av1_invalid_unit";
      return false;
    }
    this.#stage = ensureCapacity(this.#stage, this.#stageLen, need, this.#max);
    this.#stage.set(el, this.#stageLen);
    this.#stageLen = need;
    this.#obuLen[this.#obuCount - 1] += el.length;
    return true;
  }

  #finish(): void {
    this.#active = false;
    const lossAtStart = this.#lossAtStart;
    this.#lossAtStart = false;
    if (this.#damage === "" && this.#fragOpen) this.#error("av1_fragment_incomplete");
    if (this.#damage !== "") {
      this.#o.count(this.#damage);
      if (!this.#o.emitAfterLoss) this.#waitKey = true;
      return;
    }
    if (lossAtStart) {
      this.#o.count("frame_loss");
      if (!this.#o.emitAfterLoss) this.#waitKey = true;
    }
    const unit = this.#build();
    if (unit === null) {
      if (!this.#o.emitAfterLoss) this.#waitKey = true;
      return;
    }
    if (!unit.key && this.#waitKey) {
      this.#o.count("await_keyframe");
      return;
    }
    if (unit.key) this.#waitKey = false;
    this.#o.onUnit({
      timestamp: this.#ts,
      data: unit.data,
      key: unit.key,
      arrivalMs: this.#arrivalMs,
    });
  }

  /** Writes the temporal unit as a low-overhead OBU stream (AV1 spec 5.2, 7.5). */
  #build(): { data: Uint8Array; key: boolean } | null {
    const s = this.#stage, n = this.#obuCount, leb = this.#leb;
    // Pass 1: validate headers, find payloads, size the output, decide key.
    let total = 2;
    let hasSeq = false, reduced = false, sawFrame = false, keyFrame = false;
    for (let k = 0; k < n; k++) {
      const off = this.#obuOff[k], end = off + this.#obuLen[k];
      const h = s[off];
      const hdrLen = (h & 0x04) ? 2 : 1;
      if ((h & 0x80) !== 0 || this.#obuLen[k] < hdrLen) return this.#bad("av1_bad_obu_header");
      let pOff = off + hdrLen, pLen = end - pOff;
      if ((h & 0x02) !== 0) {
        if (!readLeb128(s, pOff, end, leb)) return this.#bad("av1_bad_obu_size");
        pOff += leb.length;
        if (leb.value > end - pOff) return this.#bad("av1_bad_obu_size");
        pLen = leb.value;
      }
      const type = (h >> 3) & 15;
      // Element start becomes the header offset; payload offset/length follow.
      this.#obuHdr[k] = off;
      this.#obuOff[k] = pOff;
      this.#obuLen[k] = type === ObuType.TEMPORAL_DELIMITER || type === ObuType.TILE_LIST ||
          type === ObuType.PADDING
        ? -1
        : pLen;
      if (this.#obuLen[k] < 0) continue;
      total += hdrLen + leb128Size(pLen) + pLen;
      if (type === ObuType.SEQUENCE_HEADER && pLen > 0) {
        hasSeq = true;
        reduced = (s[pOff] & 0x08) !== 0; // seq_profile(3) still_picture(1) reduced(1)
      } else if (
        (type === ObuType.FRAME || type === ObuType.FRAME_HEADER) && !sawFrame && pLen > 0
      ) {
        sawFrame = true;
        // reduced_still_picture_header: always a shown KEY_FRAME (AV1 5.9.2).
        keyFrame = reduced || ((s[pOff] & 0x80) === 0 && ((s[pOff] >> 5) & 3) === 0);
      }
    }
    if (total === 2) {
      this.#o.count("av1_empty_unit");
      return null;
    }
    if (total > this.#max) return this.#bad("frame_oversize");
    // Pass 2: copy once into the unit.
    const out = new Uint8Array(total);
    out[0] = 0x12; // temporal delimiter OBU header with obu_has_size_field
    out[1] = 0;
    let o = 2;
    for (let k = 0; k < n; k++) {
      const pLen = this.#obuLen[k];
      if (pLen < 0) continue;
      const pOff = this.#obuOff[k];
      const hOff = this.#obuHdr[k];
      const h = s[hOff];
      out[o++] = h | 0x02;
      if (h & 0x04) out[o++] = s[hOff + 1];
      o += writeLeb128(out, o, pLen);
      out.set(s.subarray(pOff, pOff + pLen), o);
      o += pLen;
    }
    return { data: out, key: hasSeq && keyFrame };
  }

  #bad(reason: DataReason): null {
    this.#o.count(reason);
    this.#o.count("av1_invalid_unit");
    return null;
  }
}
