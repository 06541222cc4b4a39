/**
 * Decoding of libsrt's CBytePerfMon (SRT_TRACEBSTATS, srt.h; "SRT Statistics",
 * Haivision srt docs/API/statistics.md) as filled by `srt_bistats(s, buf, 0, 1)`.
 * Offsets are for x86_64/aarch64 (LP64) and were checked with offsetof() against
 * /usr/include/srt/srt.h of libsrt 1.5.1 (sizeof = 496).
 */

/** sizeof(CBytePerfMon) in libsrt 1.5 (LP64). */
export const PERFMON_BYTES = 496;

/** Field offsets in CBytePerfMon (bytes). */
export const PERFMON = {
  msTimeStamp: 0, // int64
  pktRecvTotal: 16, // int64
  pktRcvLossTotal: 28, // int32
  pktRcvDropTotal: 68, // int32
  pktRcvUndecryptTotal: 72, // int32
  byteRecvTotal: 88, // uint64
  byteRcvLossTotal: 96, // uint64
  pktRcvRetrans: 164, // int32 (cumulative while stats are not cleared)
  mbpsRecvRate: 192, // double
  msRTT: 328, // double
  msRcvBuf: 388, // int32
  msRcvTsbPdDelay: 392, // int32
} as const;

/** SRT_KM_STATE (srt.h) names, by value. */
export const KM_STATES = ["unsecured", "securing", "secured", "nosecret", "badsecret"] as const;

/** One statistics snapshot of a receiving SRT connection. Units in the names. */
export interface SrtStats {
  /** performance.now() when taken. */
  atMs: number;
  /** Milliseconds since libsrt created the connection. */
  connectedMs: number;
  rttMs: number;
  /** Receive rate (headers included) over the interval since the previous snapshot
   * (libsrt's own rate is an average since the last clear), in Mb/s. */
  recvRateMbps: number;
  packetsReceived: number;
  packetsLost: number;
  packetsDropped: number;
  packetsRetransmitted: number;
  packetsUndecrypted: number;
  /** byteRecvTotal: payload plus SRT, UDP and IP headers (44 bytes per IPv4 packet). */
  bytesReceived: number;
  bytesLost: number;
  /** Undelivered timespan in the receive buffer, ms. */
  recvBufferMs: number;
  /** Negotiated TSBPD receive latency, ms. */
  tsbpdDelayMs: number;
  /** SRTO_RCVKMSTATE as a name ("unsecured", "secured", "badsecret", ...). */
  keyState: string;
}

/**
 * Decodes a CBytePerfMon buffer. `prev` (the previous snapshot) gives the interval
 * receive rate; without it libsrt's own `mbpsRecvRate` is used.
 */
export function decodeStats(
  buf: Uint8Array,
  atMs: number,
  kmState: number,
  prev?: SrtStats,
): SrtStats {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const bytes = Number(v.getBigUint64(PERFMON.byteRecvTotal, true));
  let rate = v.getFloat64(PERFMON.mbpsRecvRate, true);
  if (prev && atMs > prev.atMs) {
    rate = ((bytes - prev.bytesReceived) * 8) / ((atMs - prev.atMs) * 1000);
  }
  return {
    atMs,
    connectedMs: Number(v.getBigInt64(PERFMON.msTimeStamp, true)),
    rttMs: v.getFloat64(PERFMON.msRTT, true),
    recvRateMbps: rate,
    packetsReceived: Number(v.getBigInt64(PERFMON.pktRecvTotal, true)),
    packetsLost: v.getInt32(PERFMON.pktRcvLossTotal, true),
    packetsDropped: v.getInt32(PERFMON.pktRcvDropTotal, true),
    packetsRetransmitted: v.getInt32(PERFMON.pktRcvRetrans, true),
    packetsUndecrypted: v.getInt32(PERFMON.pktRcvUndecryptTotal, true),
    bytesReceived: bytes,
    bytesLost: Number(v.getBigUint64(PERFMON.byteRcvLossTotal, true)),
    recvBufferMs: v.getInt32(PERFMON.msRcvBuf, true),
    tsbpdDelayMs: v.getInt32(PERFMON.msRcvTsbPdDelay, true),
    keyState: KM_STATES[kmState] ?? `unknown_${kmState}`,
  };
}
