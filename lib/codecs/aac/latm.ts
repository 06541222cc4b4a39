/**
 * MP4A-LATM depacketizer (RFC 6416 6.1-6.3): each RTP payload holds one or more
 * AudioMuxElements (ISO/IEC 14496-3 1.7.3), or a fragment of one (marker on the last).
 *
 * ```
 * AudioMuxElement(muxConfigPresent):
 *   [useSameStreamMux(1) [StreamMuxConfig]]       only when fmtp cpresent=1
 *   per subframe: PayloadLengthInfo (bytes: sum of a 0xFF run + last byte) PayloadMux
 *   [otherData] byte_align
 * StreamMuxConfig: audioMuxVersion(1) [audioMuxVersionA(1)] ... allStreamsSameTimeFraming(1)
 *   numSubFrames(6) numProgram(4) numLayer(3) AudioSpecificConfig frameLengthType(3)
 *   latmBufferFullness(8) otherDataPresent(1) [..] crcCheckPresent(1) [crc(8)]
 * ```
 * With cpresent=0 the StreamMuxConfig comes from the `config` fmtp (hex). One program
 * and one layer with frameLengthType 0 (every AAC sender) are supported; others are
 * counted "latm_unsupported_config". Raw AUs are emitted (subarrays when byte-aligned).
 * readStreamMuxConfig is also the one the LOAS framing of MPEG-TS (loas.ts) uses.
 */
import { BitReader } from "../../core/bits.ts";
import {
  type AudioSpecificConfig,
  GA_OBJECT_TYPES,
  hexToBytes,
  readAudioSpecificConfig,
} from "./asc.ts";
import type { DepacketizerOptions, RtpDepacketizer, RtpPacket } from "../../core/types.ts";
import { fail, ok, type Result } from "../../core/result.ts";
import type { DataReason } from "../../core/reasons/catalogue.ts";

/** Cap on one reassembled AudioMuxElement (fragments joined). */
export const MAX_LATM_ELEMENT_BYTES = 65536;
/** Cap on AudioMuxElements in one packet. */
export const MAX_LATM_ELEMENTS_PER_PACKET = 64;

/** Hex string (fmtp `config`) to bytes; invalid digits (or over MAX_ASC_BYTES) give empty. */
export function hexBytes(hex: string): Uint8Array {
  return hexToBytes(hex) ?? new Uint8Array(0);
}

/**
 * Reads an AudioSpecificConfig (asc.ts) where its length may not be known, as inside a
 * StreamMuxConfig: no backward-compatible SBR search (1.6.5.2 needs the length), and only
 * configs whose end the reader finds: GASpecificConfig object types, channelConfiguration
 * 1-7, epConfig 0-1. Reasons: those of readAudioSpecificConfig,
 * "aac_unsupported_object_type", "aac_unsupported_channels", "aac_unsupported_ep_config".
 */
function readInlineAsc(r: BitReader): Result<AudioSpecificConfig, DataReason> {
  const asc = readAudioSpecificConfig(r, 0);
  if (!asc.ok) return asc;
  const c = asc.value;
  if (!GA_OBJECT_TYPES.includes(c.objectType)) return fail("aac_unsupported_object_type");
  if (c.channelConfiguration === 0 || c.channelConfiguration > 7) {
    return fail("aac_unsupported_channels");
  }
  if (c.epConfig > 1) return fail("aac_unsupported_ep_config");
  return asc;
}

/**
 * AudioSpecificConfig from bytes with the restrictions of a StreamMuxConfig's (no
 * backward-compatible SBR search; GASpecificConfig types only), as the MPEG4-GENERIC
 * depacketizer (rfc3640.ts) reads its fmtp `config`. asc.ts parseAudioSpecificConfig is
 * the general parser.
 */
export function parseAudioSpecificConfig(d: Uint8Array): Result<AudioSpecificConfig, DataReason> {
  return readInlineAsc(new BitReader(d));
}

/** A StreamMuxConfig reduced to what payload parsing needs. */
export interface LatmMuxConfig extends AudioSpecificConfig {
  /** numSubFrames + 1: AAC frames carried by one AudioMuxElement. */
  subFrames: number;
  /** otherDataLenBits when otherDataPresent, else 0. */
  otherDataBits: number;
}

/** LatmGetValue() (ISO/IEC 14496-3 Table 1.44). */
function latmValue(r: BitReader): number {
  const n = r.bits(2);
  return r.bits(8 * (n + 1));
}

/**
 * Reads a StreamMuxConfig (ISO/IEC 14496-3 Table 1.42) at the reader's position:
 * audioMuxVersion 0 or 1, one program and one layer, frameLengthType 0. Reasons:
 * "latm_unsupported_config", "latm_config_short", those of the AudioSpecificConfig.
 */
export function readStreamMuxConfig(r: BitReader): Result<LatmMuxConfig, DataReason> {
  const version = r.bit();
  if (version && r.bit()) return fail("latm_unsupported_config"); // audioMuxVersionA
  if (version) latmValue(r); // taraBufferFullness
  if (r.bit() !== 1) return fail("latm_unsupported_config"); // allStreamsSameTimeFraming
  const subFrames = r.bits(6) + 1;
  if (r.bits(4) !== 0 || r.bits(3) !== 0) return fail("latm_unsupported_config");
  let asc: Result<AudioSpecificConfig, DataReason>;
  if (version) {
    const len = latmValue(r);
    const start = r.pos;
    asc = readInlineAsc(r);
    r.pos = start + len;
  } else asc = readInlineAsc(r);
  if (!asc.ok) return asc;
  if (r.bits(3) !== 0) return fail("latm_unsupported_config"); // frameLengthType
  r.skip(8); // latmBufferFullness
  let otherDataBits = 0;
  if (r.bit()) {
    if (version) otherDataBits = latmValue(r);
    else {
      let esc = 1;
      for (let i = 0; esc && i < 4; i++) {
        esc = r.bit();
        otherDataBits = otherDataBits * 256 + r.bits(8);
      }
    }
  }
  if (r.bit()) r.skip(8); // crcCheckSum
  if (r.overrun) return fail("latm_config_short");
  return ok({ ...asc.value, subFrames, otherDataBits });
}

/** RFC 6416 depacketizer: one RtpUnit (raw AAC AU) per subframe. */
export class LatmDepacketizer implements RtpDepacketizer {
  #o: DepacketizerOptions;
  #inBand: boolean;
  #cfg: LatmMuxConfig | undefined;
  /** Fragments of one AudioMuxElement (marker 0), joined; capped. */
  #pending = new Uint8Array(0);
  #pendingLen = 0;
  #pendingTs = -1;
  #max: number;

  constructor(opts: DepacketizerOptions) {
    this.#o = opts;
    const f: Record<string, string> = {};
    for (const k in opts.fmtp ?? {}) f[k.toLowerCase()] = opts.fmtp![k];
    this.#inBand = f["cpresent"] === undefined ? true : f["cpresent"] !== "0";
    this.#max = Math.min(opts.maxUnitBytes ?? MAX_LATM_ELEMENT_BYTES, MAX_LATM_ELEMENT_BYTES);
    if (f["config"]) {
      const c = readStreamMuxConfig(new BitReader(hexBytes(f["config"])));
      if (c.ok) this.#cfg = c.value;
      else opts.count(c.reason);
    }
  }

  /** The current StreamMuxConfig (from fmtp or the last in-band one). */
  get config(): LatmMuxConfig | undefined {
    return this.#cfg;
  }

  push(pkt: RtpPacket, lostBefore: boolean): void {
    if (lostBefore && this.#pendingTs >= 0) this.#dropPending("frame_loss");
    if (this.#pendingTs >= 0 && this.#pendingTs !== pkt.timestamp) {
      this.#dropPending("latm_fragment_incomplete");
    }
    let d = pkt.payload;
    if (!pkt.marker || this.#pendingTs >= 0) {
      const need = this.#pendingLen + d.length;
      if (need > this.#max) return this.#dropPending("latm_element_too_large");
      if (this.#pending.length < need) {
        const grown = new Uint8Array(Math.min(this.#max, Math.max(need, 2048)));
        grown.set(this.#pending.subarray(0, this.#pendingLen));
        this.#pending = grown;
      }
      this.#pending.set(d, this.#pendingLen);
      this.#pendingLen = need;
      this.#pendingTs = pkt.timestamp;
      if (!pkt.marker) return;
      d = this.#pending.slice(0, this.#pendingLen); // emitted AUs may outlive the next packet
      this.#pendingLen = 0;
      this.#pendingTs = -1;
    }
    this.#parse(pkt, d);
  }

  #parse(pkt: RtpPacket, d: Uint8Array): void {
    const r = new BitReader(d);
    let unit = 0;
    for (let e = 0; e < MAX_LATM_ELEMENTS_PER_PACKET && r.pos < d.length * 8; e++) {
      if (this.#inBand && r.bit() === 0) {
        const c = readStreamMuxConfig(r);
        if (!c.ok) return this.#o.count(c.reason);
        this.#cfg = c.value;
      }
      const cfg = this.#cfg;
      if (!cfg) return this.#o.count("latm_no_config");
      for (let s = 0; s < cfg.subFrames; s++) {
        let len = 0, b = 255;
        for (let k = 0; b === 255 && k < 256; k++) len += b = r.bits(8);
        const start = r.pos;
        r.skip(len * 8);
        if (r.overrun) return this.#o.count("latm_truncated");
        if (len === 0) {
          this.#o.count("latm_empty_au");
          continue;
        }
        const data = (start & 7) === 0
          ? d.subarray(start >> 3, (start >> 3) + len)
          : copyBits(d, start, len);
        const ts = (pkt.timestamp + unit++ * cfg.frameSamples) >>> 0;
        this.#o.onUnit({ timestamp: ts, data, key: true, arrivalMs: pkt.arrivalMs });
      }
      r.skip(cfg.otherDataBits);
      r.pos = (r.pos + 7) & ~7;
      if (r.overrun) return this.#o.count("latm_truncated");
    }
  }

  #dropPending(reason: DataReason): void {
    this.#pendingLen = 0;
    this.#pendingTs = -1;
    this.#o.count(reason);
  }

  flush(): void {
    if (this.#pendingTs >= 0) this.#dropPending("latm_fragment_incomplete");
  }
}

/** `len` bytes starting at bit `start` (a non-aligned PayloadMux after an in-band config). */
function copyBits(d: Uint8Array, start: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  const r = new BitReader(d);
  r.pos = start;
  for (let i = 0; i < len; i++) out[i] = r.bits(8);
  return out;
}
