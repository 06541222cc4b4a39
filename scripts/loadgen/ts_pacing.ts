/**
 * Send schedule of an MPEG-TS file by its PCR (ISO/IEC 13818-1 2.4.3.5: the 27 MHz
 * program clock reference in the adaptation field): the file is cut into SRT live-mode
 * messages of 7 TS packets (1316 bytes) and each message is due at the PCR time of its
 * first packet, interpolated linearly between the PCRs around it (one PCR PID: the
 * first that carries one).
 */

/** TS packet size, bytes. */
export const TS_PACKET = 188;
/** TS packets per SRT message (1316 bytes, the SRT live default payload). */
export const PACKETS_PER_MESSAGE = 7;

/** A TS file cut into paced messages. */
export interface TsSchedule {
  /** The messages (views into the file). */
  messages: Uint8Array[];
  /** Due time of each message from the first, ms. */
  dueMs: Float64Array;
  /** One pass of the file: the PCR span plus one message interval, ms. */
  loopMs: number;
}

/** PCR of the packet at `o` in 27 MHz ticks, or -1 when it carries none. */
export function pcrAt(b: Uint8Array, o: number): number {
  if (b[o] !== 0x47 || (b[o + 3] & 0x20) === 0 || b[o + 4] < 7 || (b[o + 5] & 0x10) === 0) {
    return -1;
  }
  const base = b[o + 6] * 2 ** 25 + b[o + 7] * 2 ** 17 + b[o + 8] * 2 ** 9 + b[o + 9] * 2 +
    (b[o + 10] >> 7);
  const ext = ((b[o + 10] & 1) << 8) | b[o + 11];
  return base * 300 + ext;
}

/** Cuts `ts` into messages and times them by the PCR; throws when the file has no PCR. */
export function scheduleTs(ts: Uint8Array): TsSchedule {
  const packets = Math.floor(ts.length / TS_PACKET);
  const pcrIdx: number[] = [];
  const pcrMs: number[] = [];
  let pid = -1;
  for (let p = 0; p < packets; p++) {
    const o = p * TS_PACKET;
    const pcr = pcrAt(ts, o);
    if (pcr < 0) continue;
    const thisPid = ((ts[o + 1] & 0x1f) << 8) | ts[o + 2];
    if (pid < 0) pid = thisPid;
    if (thisPid !== pid) continue;
    let ms = pcr / 27_000;
    // PCR wraps at 2^33 * 300 ticks (~26.5 h): keep it monotonic.
    if (pcrMs.length > 0 && ms < pcrMs[pcrMs.length - 1]) ms += (2 ** 33 * 300) / 27_000;
    pcrIdx.push(p);
    pcrMs.push(ms);
  }
  if (pcrIdx.length < 2) throw new Error("the TS has fewer than two PCRs: cannot pace it");
  const last = pcrIdx.length - 1;
  const msPerPacket = (pcrMs[last] - pcrMs[0]) / (pcrIdx[last] - pcrIdx[0]);
  const timeOf = (p: number): number => {
    if (p <= pcrIdx[0]) return 0;
    if (p >= pcrIdx[last]) return pcrMs[last] - pcrMs[0] + (p - pcrIdx[last]) * msPerPacket;
    let lo = 0, hi = last;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (pcrIdx[mid] <= p) lo = mid;
      else hi = mid;
    }
    const f = (p - pcrIdx[lo]) / (pcrIdx[hi] - pcrIdx[lo]);
    return pcrMs[lo] - pcrMs[0] + f * (pcrMs[hi] - pcrMs[lo]);
  };
  const count = Math.ceil(packets / PACKETS_PER_MESSAGE);
  const messages: Uint8Array[] = [];
  const dueMs = new Float64Array(count);
  for (let m = 0; m < count; m++) {
    const p = m * PACKETS_PER_MESSAGE;
    messages.push(
      ts.subarray(p * TS_PACKET, Math.min(packets, p + PACKETS_PER_MESSAGE) * TS_PACKET),
    );
    dueMs[m] = timeOf(p);
  }
  return { messages, dueMs, loopMs: timeOf(packets) };
}
