import { fail, ok, type Result } from "../../core/result.ts";
/**
 * RTCP compound packets (RFC 3550 6.4-6.6): sender reports, receiver reports, SDES
 * CNAME, BYE; APP (6.7) and feedback/XR types are skipped. Validation per RFC 3550
 * A.2: version 2 everywhere, the first packet is SR or RR without padding, only the
 * last packet may be padded, and the lengths add up to the datagram.
 *
 * ```
 * SR:  |V=2|P|  RC   |   PT=SR=200   |             length            |
 *      |                         SSRC of sender                        |
 *      |              NTP timestamp, most significant word             |
 *      |             NTP timestamp, least significant word             |
 *      |                         RTP timestamp                         |
 *      |                     sender's packet count                     |
 *      |                      sender's octet count                     |
 *      |                 report blocks (24 bytes each) ...             |
 * ```
 */
import type { DataReason } from "../../core/reasons/catalogue.ts";

/** RTCP packet types (RFC 3550 12.1). */
export const RTCP_SR = 200;
/** Receiver report. */
export const RTCP_RR = 201;
/** Source description. */
export const RTCP_SDES = 202;
/** Goodbye. */
export const RTCP_BYE = 203;
/** Application-defined (ignored). */
export const RTCP_APP = 204;
/** Cap on packets parsed from one compound datagram. */
export const MAX_RTCP_PACKETS = 32;

/** One reception report block (RFC 3550 6.4.1). */
export interface ReportBlock {
  ssrc: number;
  /** Fraction lost, 8-bit fixed point (0..255 = 0..255/256). */
  fractionLost: number;
  /** Cumulative packets lost, signed 24-bit. */
  cumulativeLost: number;
  extHighestSeq: number;
  /** Interarrival jitter, timestamp units. */
  jitter: number;
  /** Middle 32 bits of the NTP time of the last SR received (0 = none). */
  lsr: number;
  /** Delay since that SR, 1/65536 s. */
  dlsr: number;
}

/** Sender report (RFC 3550 6.4.1). */
export interface SenderReport {
  type: "sr";
  ssrc: number;
  ntpSec: number;
  ntpFrac: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports: ReportBlock[];
}
/** Receiver report (RFC 3550 6.4.2). */
export interface ReceiverReport {
  type: "rr";
  ssrc: number;
  reports: ReportBlock[];
}
/** SDES (RFC 3550 6.5): the CNAME of each chunk. */
export interface SourceDescription {
  type: "sdes";
  chunks: { ssrc: number; cname?: string }[];
}
/** BYE (RFC 3550 6.6). */
export interface Goodbye {
  type: "bye";
  ssrcs: number[];
  reason?: string;
}
/** A parsed RTCP packet of interest. */
export type RtcpPacket = SenderReport | ReceiverReport | SourceDescription | Goodbye;

const u32 = (d: Uint8Array, o: number) =>
  ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;

function reportBlocks(d: Uint8Array, o: number, n: number, end: number): ReportBlock[] | undefined {
  if (o + n * 24 > end) return undefined;
  const out: ReportBlock[] = [];
  for (let i = 0; i < n; i++, o += 24) {
    const lost = (d[o + 5] << 16) | (d[o + 6] << 8) | d[o + 7];
    out.push({
      ssrc: u32(d, o),
      fractionLost: d[o + 4],
      cumulativeLost: lost & 0x800000 ? lost - 0x1000000 : lost,
      extHighestSeq: u32(d, o + 8),
      jitter: u32(d, o + 12),
      lsr: u32(d, o + 16),
      dlsr: u32(d, o + 20),
    });
  }
  return out;
}

const latin1 = new TextDecoder("latin1");

/**
 * Parses an RTCP compound datagram (RFC 3550 6.1, A.2). Never throws. Reasons:
 * "rtcp_too_short", "rtcp_version", "rtcp_first_type" (first is not SR/RR),
 * "rtcp_padding", "rtcp_length" (lengths do not add up), "rtcp_malformed" (SR/RR/SDES/BYE body).
 */
export function parseRtcp(data: Uint8Array): Result<RtcpPacket[], DataReason> {
  if (data.length < 8) return fail("rtcp_too_short");
  const first = data[1];
  if ((data[0] & 0xe0) !== 0x80) {
    return data[0] >> 6 !== 2 ? fail("rtcp_version") : fail("rtcp_padding");
  }
  if (first !== RTCP_SR && first !== RTCP_RR) return fail("rtcp_first_type");
  const out: RtcpPacket[] = [];
  let o = 0;
  let n = 0;
  while (o < data.length) {
    if (++n > MAX_RTCP_PACKETS) return fail("rtcp_length");
    if (o + 4 > data.length) return fail("rtcp_length");
    const b0 = data[o];
    if (b0 >> 6 !== 2) return fail("rtcp_version");
    const count = b0 & 0x1f;
    const pt = data[o + 1];
    const end = o + 4 + ((data[o + 2] << 8) | data[o + 3]) * 4;
    if (end > data.length) return fail("rtcp_length");
    let bodyEnd = end;
    if (b0 & 0x20) {
      if (end !== data.length) return fail("rtcp_padding"); // only the last may pad
      const pad = data[end - 1];
      if (pad === 0 || pad > end - o - 4) return fail("rtcp_padding");
      bodyEnd = end - pad;
    }
    const p = parseOne(data, pt, count, o + 4, bodyEnd);
    if (p === null) return fail("rtcp_malformed");
    if (p !== undefined) out.push(p);
    o = end;
  }
  return ok(out);
}

/** One packet body; undefined = ignored type, null = malformed. */
function parseOne(
  d: Uint8Array,
  pt: number,
  count: number,
  o: number,
  end: number,
): RtcpPacket | undefined | null {
  switch (pt) {
    case RTCP_SR: {
      if (o + 24 > end) return null;
      const reports = reportBlocks(d, o + 24, count, end);
      if (!reports) return null;
      return {
        type: "sr",
        ssrc: u32(d, o),
        ntpSec: u32(d, o + 4),
        ntpFrac: u32(d, o + 8),
        rtpTimestamp: u32(d, o + 12),
        packetCount: u32(d, o + 16),
        octetCount: u32(d, o + 20),
        reports,
      };
    }
    case RTCP_RR: {
      if (o + 4 > end) return null;
      const reports = reportBlocks(d, o + 4, count, end);
      if (!reports) return null;
      return { type: "rr", ssrc: u32(d, o), reports };
    }
    case RTCP_SDES: {
      const chunks: SourceDescription["chunks"] = [];
      for (let c = 0; c < count; c++) {
        if (o + 4 > end) return null;
        const chunk: { ssrc: number; cname?: string } = { ssrc: u32(d, o) };
        o += 4;
        // items: type, length, text; a zero type ends the chunk, padded to 32 bits
        while (o < end && d[o] !== 0) {
          if (o + 2 > end || o + 2 + d[o + 1] > end) return null;
          if (d[o] === 1) chunk.cname = latin1.decode(d.subarray(o + 2, o + 2 + d[o + 1]));
          o += 2 + d[o + 1];
        }
        o = (o + 4) & ~3; // the terminating null(s) up to the next word
        if (o > end) return null;
        chunks.push(chunk);
      }
      return { type: "sdes", chunks };
    }
    case RTCP_BYE: {
      if (o + count * 4 > end) return null;
      const ssrcs: number[] = [];
      for (let i = 0; i < count; i++) ssrcs.push(u32(d, o + i * 4));
      const r = o + count * 4;
      const bye: Goodbye = { type: "bye", ssrcs };
      if (r < end) {
        if (r + 1 + d[r] > end) return null;
        bye.reason = latin1.decode(d.subarray(r + 1, r + 1 + d[r]));
      }
      return bye;
    }
    default:
      return undefined; // APP, RTPFB/PSFB, XR ...: skipped
  }
}
