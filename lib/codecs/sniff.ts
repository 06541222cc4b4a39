/**
 * Codec detection by sniffing RTP payloads when neither SDP nor a static payload type
 * says: each candidate payload format (RFC 6184, RFC 7798, AV1 RTP 4.4, RFC 9134,
 * RFC 3640, RFC 6416, RFC 7587) scores how plausible each payload is.
 */
import { type Leb128, readLeb128 } from "./av1/leb128.ts";
import { parseObuHeader } from "./av1/obu.ts";
import { parseAv1SequenceHeader } from "./av1/sequence_header.ts";
import type { CodecGuess } from "./detect.ts";
import { parseH264Sps } from "./h264/sps.ts";
import { parseH265Sps } from "./h265/sps.ts";
import { parseH265Vps } from "./h265/vps.ts";
import { newJxsHeader, readJxsHeader } from "./jpegxs/payload_header.ts";
import { parseJxsPictureHeader } from "./jpegxs/picture_header.ts";
import { parseOpusToc } from "./opus/toc.ts";

/** Payloads looked at by sniffRtpPayloads at most. */
export const MAX_SNIFF_PACKETS = 64;

/** Added to a candidate's total once any payload was conclusive for it. */
const CONCLUSIVE_BONUS = 1_000_000;

/** Codecs the sniffer tells apart, in tie-break order. */
const SNIFFED = ["h264", "h265", "av1", "jpegxs", "aac-hbr", "aac-latm", "opus"] as const;
type Sniffed = typeof SNIFFED[number];

/** Per-packet plausibility: -1 impossible, 0 weak, 1 plausible, 2 conclusive. */
type Score = -1 | 0 | 1 | 2;

/**
 * An aggregation packet: (size(16) NAL unit)+ from `o`, which must cover the payload
 * exactly, every unit plausible; conclusive when one is.
 */
function aggregate(p: Uint8Array, o: number, unit: (nal: Uint8Array) => Score): Score {
  let best: Score = 1;
  while (o + 2 < p.length) {
    const n = (p[o] << 8) | p[o + 1];
    if (n === 0 || o + 2 + n > p.length) return -1;
    const s = unit(p.subarray(o + 2, o + 2 + n));
    if (s < 0) return -1;
    if (s === 2) best = 2;
    o += 2 + n;
  }
  return o === p.length ? best : -1;
}

function h264Nal(nal: Uint8Array): Score {
  if (nal[0] & 0x80) return -1;
  const t = nal[0] & 0x1f;
  if (t === 7) return parseH264Sps(nal).ok ? 2 : -1;
  if (t === 1 || t === 5 || t === 6 || t === 8 || t === 9) return 1;
  if (t >= 2 && t <= 4) return 0; // data partitions: legal, rare
  return t >= 10 && t <= 21 ? 0 : -1;
}

/** H.264 RTP payload (RFC 6184 5.2-5.8): single NAL, STAP-A, FU-A. */
function sniffH264(p: Uint8Array): Score {
  if (p.length < 2 || p[0] & 0x80) return -1;
  const t = p[0] & 0x1f;
  if (t === 24) return aggregate(p, 1, h264Nal); // STAP-A (RFC 6184 5.7.1)
  if (t === 28) { // FU-A: S and E not both set, R = 0, inner type 1-23
    const fu = p[1];
    const inner = fu & 0x1f;
    if ((fu & 0xc0) === 0xc0 || fu & 0x20 || inner === 0 || inner > 23) return -1;
    return fu & 0x80 && inner === 5 ? 2 : 1;
  }
  if (t >= 25 && t <= 29) return 0;
  return t === 0 || t > 29 ? -1 : h264Nal(p);
}

function h265Nal(nal: Uint8Array): Score {
  if (nal.length < 2 || nal[0] & 0x80 || (nal[0] & 1) || (nal[1] & 0xf8) || !(nal[1] & 7)) {
    return -1;
  }
  const t = (nal[0] >> 1) & 0x3f;
  if (t === 32) return parseH265Vps(nal).ok ? 2 : -1;
  if (t === 33) return parseH265Sps(nal).ok ? 2 : -1;
  if (t <= 9 || (t >= 16 && t <= 21) || (t >= 34 && t <= 40)) return 1;
  return -1;
}

/** H.265 RTP payload (RFC 7798 4.4): single NAL, AP, FU (layer id 0 expected). */
function sniffH265(p: Uint8Array): Score {
  if (p.length < 3 || p[0] & 0x80 || (p[0] & 1) || (p[1] & 0xf8) || !(p[1] & 7)) return -1;
  const t = (p[0] >> 1) & 0x3f;
  if (t === 48) return aggregate(p, 2, h265Nal); // AP (RFC 7798 4.4.2)
  if (t === 49) { // FU header: S E type(6)
    const fu = p[2];
    const inner = fu & 0x3f;
    if (
      (fu & 0xc0) === 0xc0 || inner > 40 || (inner > 21 && inner < 32) || (inner > 9 && inner < 16)
    ) {
      return -1;
    }
    return fu & 0x80 && inner >= 16 && inner <= 21 ? 2 : 1;
  }
  return t === 50 ? 0 : h265Nal(p);
}

const av1Leb: Leb128 = { value: 0, length: 0 };

/** True when an OBU header at `o` is plausible inside an AV1 RTP payload. */
function av1ObuOk(p: Uint8Array, o: number): boolean {
  const t = (p[o] >> 3) & 0x0f;
  return !(p[o] & 0x81) && ((t >= 1 && t <= 8) || t === 15);
}

/**
 * AV1 RTP payload (AV1 RTP spec 4.4): aggregation header Z Y W(2) N 000, then OBU
 * elements, each but the W-th prefixed by a LEB128 length. Conclusive: a new coded video
 * sequence whose sequence header parses, or two or more checked elements that chain exactly.
 */
function sniffAv1(p: Uint8Array): Score {
  const leb = av1Leb;
  if (p.length < 2 || p[0] & 0x07) return -1;
  const z = p[0] & 0x80, w = (p[0] >> 4) & 3, n = p[0] & 0x08;
  if (z && n) return -1; // a coded video sequence cannot start with a continuation
  let o = 1;
  const starts: number[] = [];
  const ends: number[] = [];
  while (o < p.length && starts.length < 64) {
    if (w !== 0 && starts.length === w - 1) { // last element: no length field
      starts.push(o);
      ends.push(p.length);
      o = p.length;
      break;
    }
    const len = readLeb128(p, o, p.length, leb);
    if (!len || len.value === 0 || o + len.length + len.value > p.length) return -1;
    starts.push(o + len.length);
    o += len.length + len.value;
    ends.push(o);
  }
  if (o !== p.length || (w !== 0 && starts.length !== w)) return -1;
  for (let i = z ? 1 : 0; i < starts.length; i++) if (!av1ObuOk(p, starts[i])) return -1;
  if (!z && n && ((p[starts[0]] >> 3) & 0x0f) === 1) {
    const h = parseObuHeader(p, starts[0]);
    if (!h.ok) return -1;
    return parseAv1SequenceHeader(p.subarray(starts[0] + h.value.headerLength, ends[0])).ok
      ? 2
      : -1;
  }
  if (!z && starts.length >= 2) return 2;
  return z ? 0 : 1;
}

/**
 * JPEG XS RTP payload (RFC 9134 4.3): T K L I(2) F(5) SEP(11) P(11), then the segment.
 * A frame's first packet (codestream mode SEP=P=0, slice mode SEP=2047 P=0) must hold
 * a parsable header; a slice's first packet (slice mode, P=0) must start with SLH.
 */
function sniffJpegXs(p: Uint8Array): Score {
  const h = jxsHeader;
  if (!readJxsHeader(p, h) || p.length < 6 || h.interlace === 1) return -1;
  if (!h.sequential && !h.sliceMode) return -1; // T=0 only in slice mode
  if (h.packet !== 0) return 0;
  if (h.sliceMode ? h.sep === 0x7ff : h.sep === 0) {
    return parseJxsPictureHeader(p.subarray(4)).ok ? 2 : -1;
  }
  if (!h.sliceMode) return 0;
  return p[4] === 0xff && p[5] === 0x20 ? 1 : -1;
}
const jxsHeader = newJxsHeader();

/** MPEG4-GENERIC AAC-hbr (RFC 3640 3.3.6): AU-headers-length, 13+3-bit headers, sizes add up. */
function sniffAacHbr(p: Uint8Array): Score {
  if (p.length < 4) return -1;
  const bits = (p[0] << 8) | p[1];
  if (bits === 0 || bits % 16 !== 0) return -1;
  const count = bits / 16;
  const o = 2 + count * 2;
  if (o > p.length) return -1;
  let sum = 0;
  for (let i = 0; i < count; i++) sum += ((p[2 + 2 * i] << 8) | p[3 + 2 * i]) >> 3;
  if (o + sum === p.length) return 2;
  return count === 1 && o + sum > p.length ? 1 : -1; // fragment of a large AU
}

/** MP4A-LATM (RFC 6416, cpresent=0): PayloadLengthInfo then exactly that many bytes. */
function sniffAacLatm(p: Uint8Array): Score {
  let o = 0;
  let len = 0;
  while (o < p.length && p[o] === 0xff) len += p[o++];
  if (o >= p.length) return -1;
  len += p[o++];
  return o + len === p.length ? 2 : -1;
}

function sniffOne(c: Sniffed, p: Uint8Array): Score {
  switch (c) {
    case "h264":
      return sniffH264(p);
    case "h265":
      return sniffH265(p);
    case "av1":
      return sniffAv1(p);
    case "jpegxs":
      return sniffJpegXs(p);
    case "aac-hbr":
      return sniffAacHbr(p);
    case "aac-latm":
      return sniffAacLatm(p);
    case "opus":
      return parseOpusToc(p).ok ? 1 : -1;
  }
}

function toGuess(c: Sniffed): CodecGuess {
  if (c === "opus") return { codec: "opus", kind: "audio", clockRate: 48000, source: "inferred" };
  if (c === "aac-hbr" || c === "aac-latm") {
    return { codec: "aac", kind: "audio", clockRate: 0, source: "inferred" };
  }
  return { codec: c, kind: "video", clockRate: 90000, source: "inferred" };
}

/**
 * Guesses the codec of an RTP stream from its payloads (consecutive packets in sequence
 * order; AV1 fragments are checked across packets: Y of one is Z of the next). Each
 * candidate scores each payload (impossible / weak / plausible / conclusive, e.g. an
 * STAP-A whose sizes cover the payload and whose SPS parses); a candidate impossible for
 * more than 1 in 10 payloads (and more than one) is out; a candidate with a conclusive payload beats one
 * without; then the highest total wins, ties in the order H.264,
 * H.265, AV1, JPEG XS, AAC (RFC 3640 hbr), AAC (LATM), Opus. Undefined when nothing fits.
 * PCM (PCMU/PCMA/L16) cannot be told from its bytes: use the static payload type.
 * An AAC guess has clockRate 0 (the rate comes from the SDP config).
 */
export function sniffRtpPayloads(payloads: Uint8Array[]): CodecGuess | undefined {
  const list = payloads.slice(0, MAX_SNIFF_PACKETS).filter((p) => p.length > 0);
  if (list.length === 0) return undefined;
  let best: Sniffed | undefined;
  let bestScore = 0;
  for (const c of SNIFFED) {
    let total = 0;
    let impossible = 0;
    let conclusive = false;
    for (let i = 0; i < list.length; i++) {
      let s = sniffOne(c, list[i]);
      // AV1: Y (last element continues) of one packet must equal Z of the next (4.4).
      if (c === "av1" && s >= 0 && i > 0) {
        s = ((list[i - 1][0] & 0x40) !== 0) === ((list[i][0] & 0x80) !== 0)
          ? (s || 1) as Score
          : -1;
      }
      if (s < 0) impossible++;
      else total += s;
      if (s === 2) conclusive = true;
    }
    // one damaged packet in a small window must not rule the real codec out
    if (impossible > Math.max(1, Math.floor(list.length / 10))) continue;
    if (conclusive) total += CONCLUSIVE_BONUS;
    if (total > bestScore) {
      best = c;
      bestScore = total;
    }
  }
  return best === undefined ? undefined : toGuess(best);
}

/** sniffRtpPayloads for a single payload. */
export function sniffRtpPayload(payload: Uint8Array): CodecGuess | undefined {
  return sniffRtpPayloads([payload]);
}
