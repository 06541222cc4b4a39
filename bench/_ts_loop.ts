/**
 * One MPEG-TS file played `loops` times as one continuous stream, for measuring a stream
 * past its first minute (bench/ingest_bench.ts "steady" row): copy k has every PTS, DTS
 * (PES headers, ISO/IEC 13818-1 2.4.3.7) and PCR (adaptation field, 2.4.3.4) moved on by
 * k x `durationTicks` (90 kHz), and every PID's continuity_counter (2.4.3.3) runs on across
 * the copies, so a demuxer sees neither a timestamp jump nor a lost packet at the seams.
 * Assumes 188-byte packets from offset 0 (a file a muxer wrote, as bench/_bench.ts makes).
 */
import { readTimestamp33 } from "../lib/container/mpegts/pes.ts";
import { TS_PACKET_SIZE } from "../lib/container/mpegts/packet.ts";
import { writeTimestamp33 } from "../lib/container/mpegts/ts_writer.ts";

const WRAP = 0x200000000; // 2^33

/** `data` `loops` times, timestamps moved on by `durationTicks` a copy (module comment). */
export function loopTs(data: Uint8Array, loops: number, durationTicks: number): Uint8Array {
  const n = data.length - (data.length % TS_PACKET_SIZE);
  const out = new Uint8Array(n * loops);
  const cc = new Int8Array(8192).fill(-1);
  for (let k = 0; k < loops; k++) {
    const base = k * n;
    out.set(data.subarray(0, n), base);
    const shift = k * durationTicks;
    for (let p = base; p < base + n; p += TS_PACKET_SIZE) {
      if (out[p] !== 0x47) continue;
      const pid = ((out[p + 1] & 0x1f) << 8) | out[p + 2];
      const afc = (out[p + 3] >> 4) & 3;
      if (afc & 1) {
        // continuity_counter: +1 per packet with payload, per PID, across the copies
        const c = cc[pid] = (cc[pid] + 1) & 15;
        out[p + 3] = (out[p + 3] & 0xf0) | c;
      }
      let s = p + 4;
      if (afc & 2) {
        const len = out[p + 4];
        if (len > 0 && out[p + 5] & 0x10 && shift > 0) shiftPcr(out, p + 6, shift);
        s = p + 5 + len;
      }
      const pusi = (out[p + 1] & 0x40) !== 0;
      if (pusi && afc & 1 && shift > 0) shiftPes(out, s, p + TS_PACKET_SIZE, shift);
    }
  }
  return out;
}

/** Moves the 33-bit PCR base at `o` (6 bytes: base, 6 reserved bits, extension) on. */
function shiftPcr(d: Uint8Array, o: number, shift: number): void {
  const b = d[o] * 0x2000000 + d[o + 1] * 0x20000 + d[o + 2] * 0x200 + d[o + 3] * 2 +
    (d[o + 4] >> 7);
  const v = (b + shift) % WRAP;
  d[o] = Math.floor(v / 0x2000000);
  d[o + 1] = Math.floor(v / 0x20000) & 0xff;
  d[o + 2] = Math.floor(v / 0x200) & 0xff;
  d[o + 3] = Math.floor(v / 2) & 0xff;
  d[o + 4] = ((v & 1) << 7) | (d[o + 4] & 0x7f);
}

/**
 * Moves the PTS and DTS of the PES header at `d[s, end)` on (nothing when it is not one,
 * or its timestamps do not fit before `end`, the packet's end).
 */
function shiftPes(d: Uint8Array, s: number, end: number, shift: number): void {
  if (s + 14 > end || d[s] !== 0 || d[s + 1] !== 0 || d[s + 2] !== 1) return;
  if ((d[s + 6] & 0xc0) !== 0x80) return;
  const flags = d[s + 7] >> 6;
  if (s + (flags === 3 ? 19 : 14) > end) return;
  if (flags & 2) writeTimestamp33(d, s + 9, flags === 3 ? 3 : 2, readTimestamp33(d, s + 9) + shift);
  if (flags === 3) writeTimestamp33(d, s + 14, 1, readTimestamp33(d, s + 14) + shift);
}
