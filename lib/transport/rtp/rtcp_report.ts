/**
 * RTCP sender-report bookkeeping and receiver-report building (RFC 3550 6.4):
 * each source's latest SR (NTP time <-> RTP timestamp, packet and octet counts)
 * and the RR packet sent when `rtp.send_rr` is on.
 */
import type { SenderReport } from "./rtcp.ts";

/** Seconds between the NTP epoch (1900) and the Unix epoch (1970). */
export const NTP_UNIX_OFFSET_S = 2208988800;
/** Cap on sources whose SR a {@link SenderReportTable} keeps. */
export const MAX_SR_SOURCES = 1024;

/** NTP timestamp (RFC 3550 4) to Unix time in ms. */
export function ntpToUnixMs(ntpSec: number, ntpFrac: number): number {
  return (ntpSec - NTP_UNIX_OFFSET_S) * 1000 + (ntpFrac / 4294967296) * 1000;
}

/** The middle 32 bits of an NTP timestamp, as carried in LSR (RFC 3550 6.4.1). */
export function ntpMiddle32(ntpSec: number, ntpFrac: number): number {
  return (((ntpSec & 0xffff) << 16) | (ntpFrac >>> 16)) >>> 0;
}

/** The latest SR of one source, with the local time it arrived (RFC 3550 6.4.1). */
export interface LastSenderReport {
  ssrc: number;
  ntpSec: number;
  ntpFrac: number;
  /** The SR's NTP time as Unix ms. */
  ntpUnixMs: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  /** Local monotonic ms when the SR arrived (for DLSR). */
  arrivalMs: number;
}

/**
 * Wall-clock (Unix ms, sender's NTP clock) of RTP timestamp `ts` by one SR's mapping
 * (RFC 3550 6.4.1): ntp + (ts - sr.rtp) / clockRate, with 32-bit wrap-around.
 */
export function rtpToUnixMs(sr: LastSenderReport, ts: number, clockRate: number): number {
  const d = (ts - sr.rtpTimestamp) % 4294967296;
  const u = d < 0 ? d + 4294967296 : d;
  const diff = u >= 2147483648 ? u - 4294967296 : u;
  return sr.ntpUnixMs + (diff * 1000) / clockRate;
}

/** Each source's latest sender report, by SSRC, capped at MAX_SR_SOURCES (oldest evicted). */
export class SenderReportTable {
  #map = new Map<number, LastSenderReport>();

  /** Records `sr` received at local `arrivalMs`; returns the stored entry. */
  update(sr: SenderReport, arrivalMs: number): LastSenderReport {
    const e: LastSenderReport = {
      ssrc: sr.ssrc,
      ntpSec: sr.ntpSec,
      ntpFrac: sr.ntpFrac,
      ntpUnixMs: ntpToUnixMs(sr.ntpSec, sr.ntpFrac),
      rtpTimestamp: sr.rtpTimestamp,
      packetCount: sr.packetCount,
      octetCount: sr.octetCount,
      arrivalMs,
    };
    this.#map.delete(sr.ssrc);
    if (this.#map.size >= MAX_SR_SOURCES) {
      this.#map.delete(this.#map.keys().next().value!);
    }
    this.#map.set(sr.ssrc, e);
    return e;
  }

  /** The latest SR of `ssrc`, if any. */
  get(ssrc: number): LastSenderReport | undefined {
    return this.#map.get(ssrc);
  }

  /** Forgets a source (BYE, timeout). */
  delete(ssrc: number): void {
    this.#map.delete(ssrc);
  }

  /** Sources held. */
  get size(): number {
    return this.#map.size;
  }
}

/** What one report block needs (RFC 3550 6.4.1); LSR/DLSR come from `lastSr`. */
export interface ReportBlockInput {
  ssrc: number;
  fractionLost: number;
  cumulativeLost: number;
  extHighestSeq: number;
  jitter: number;
  lastSr?: LastSenderReport;
}

/**
 * Builds an RTCP RR packet (RFC 3550 6.4.2) from `reporterSsrc` with up to 31 report
 * blocks; LSR is the middle of the last SR's NTP time and DLSR the delay since it
 * arrived, in 1/65536 s, at local time `nowMs`. Throws RangeError on more than 31 blocks.
 */
export function buildReceiverReport(
  reporterSsrc: number,
  blocks: ReportBlockInput[],
  nowMs: number,
): Uint8Array {
  if (blocks.length > 31) {
    throw new RangeError(`RR carries at most 31 blocks, got ${blocks.length}`);
  }
  const out = new Uint8Array(8 + blocks.length * 24);
  const dv = new DataView(out.buffer);
  out[0] = 0x80 | blocks.length;
  out[1] = 201;
  dv.setUint16(2, out.length / 4 - 1);
  dv.setUint32(4, reporterSsrc >>> 0);
  let o = 8;
  for (const b of blocks) {
    dv.setUint32(o, b.ssrc >>> 0);
    const lost = Math.min(0x7fffff, Math.max(-0x800000, b.cumulativeLost)) & 0xffffff;
    dv.setUint32(o + 4, ((b.fractionLost & 0xff) << 24 | lost) >>> 0);
    dv.setUint32(o + 8, b.extHighestSeq >>> 0);
    dv.setUint32(o + 12, Math.max(0, Math.min(0xffffffff, Math.floor(b.jitter))));
    if (b.lastSr) {
      dv.setUint32(o + 16, ntpMiddle32(b.lastSr.ntpSec, b.lastSr.ntpFrac));
      const dlsr = Math.round(((nowMs - b.lastSr.arrivalMs) * 65536) / 1000);
      dv.setUint32(o + 20, Math.max(0, Math.min(0xffffffff, dlsr)));
    }
    o += 24;
  }
  return out;
}
