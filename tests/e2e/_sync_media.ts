/**
 * Inputs for the A/V sync tests, made with ffmpeg at test time and changed with small
 * byte-rewriting helpers (so the injected error is known exactly): an MPEG-TS with H.264
 * and AAC, its audio PES timestamps moved or scaled, and a sender that paces a TS by its
 * own PCR into srt-live-transmit. RTP helpers rewrite ffmpeg captures (SSRC, timestamps,
 * sender-report NTP) for the RTP sync tests.
 */
import assert from "node:assert/strict";
import { finish, sleep, spawn } from "./srt_harness.ts";
import type { CapturedDatagram } from "@tests/support/replay.ts";

const TS = 188;
const WRAP33 = 2 ** 33;

/**
 * ffmpeg input and video encoder arguments: `seconds` of lavfi testsrc (160x90, 25 fps) as
 * input 0 and a 440 Hz 48 kHz sine as input 1; H.264 ultrafast, GOP 25.
 */
export function avSource(seconds: number): string[] {
  return [
    "-f",
    "lavfi",
    "-i",
    `testsrc=size=160x90:rate=25:duration=${seconds}`,
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-g",
    "25",
  ];
}

/**
 * An MPEG-TS from ffmpeg: `seconds` of 160x90 25 fps H.264 (GOP 25, no B-frames) and
 * 48 kHz AAC, timestamps starting at `offsetS` seconds (`-output_ts_offset`).
 */
export async function makeTs(seconds: number, offsetS = 0): Promise<Uint8Array> {
  const out = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    const p = spawn("ffmpeg", [
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      ...avSource(seconds),
      "-bf",
      "0",
      "-c:a",
      "aac",
      "-b:a",
      "64k",
      "-output_ts_offset",
      String(offsetS),
      "-f",
      "mpegts",
      out,
    ]);
    const r = await finish(p, 60_000);
    assert.equal(r.code, 0, r.stderr);
    return await Deno.readFile(out);
  } finally {
    await Deno.remove(out).catch(() => {});
  }
}

function readTs33(b: Uint8Array, o: number): number {
  return ((b[o] >> 1) & 0x07) * 2 ** 30 + (b[o + 1] << 22) + ((b[o + 2] >> 1) << 15) +
    (b[o + 3] << 7) + (b[o + 4] >> 1);
}

function writeTs33(b: Uint8Array, o: number, v: number): void {
  const t = ((v % WRAP33) + WRAP33) % WRAP33;
  const hi = Math.floor(t / 2 ** 30);
  const lo = t % 2 ** 30;
  b[o] = (b[o] & 0xf0) | (hi << 1) | 1;
  b[o + 1] = (lo >>> 22) & 0xff;
  b[o + 2] = (((lo >>> 15) & 0x7f) << 1) | 1;
  b[o + 3] = (lo >>> 7) & 0xff;
  b[o + 4] = ((lo & 0x7f) << 1) | 1;
}

/**
 * A copy of `ts` with the PTS (and DTS) of every audio PES (stream_id 0xC0-0xDF) mapped by
 * `fn` (90 kHz ticks in and out, taken modulo 2^33); packets stay where they are.
 * Returns the copy and how many PES headers were changed.
 */
export function rewriteAudioPes(
  ts: Uint8Array,
  fn: (ticks: number) => number,
): { bytes: Uint8Array; changed: number } {
  const b = ts.slice();
  let changed = 0;
  for (let o = 0; o + TS <= b.length; o += TS) {
    if (b[o] !== 0x47 || !(b[o + 1] & 0x40) || !(b[o + 3] & 0x10)) continue;
    const p = o + (b[o + 3] & 0x20 ? 5 + b[o + 4] : 4);
    if (p + 14 > o + TS || b[p] !== 0 || b[p + 1] !== 0 || b[p + 2] !== 1) continue;
    if (b[p + 3] < 0xc0 || b[p + 3] > 0xdf) continue;
    const flags = b[p + 7] >> 6;
    if (flags & 2) writeTs33(b, p + 9, fn(readTs33(b, p + 9)));
    if (flags === 3) writeTs33(b, p + 14, fn(readTs33(b, p + 14)));
    if (flags & 2) changed++;
  }
  return { bytes: b, changed };
}

/** PCR base (90 kHz) of a TS packet at `o`, or -1. */
function pcrAt(b: Uint8Array, o: number): number {
  if (!(b[o + 3] & 0x20) || b[o + 4] < 7 || !(b[o + 5] & 0x10)) return -1;
  return b[o + 6] * 2 ** 25 + (b[o + 7] << 17) + (b[o + 8] << 9) + (b[o + 9] << 1) +
    (b[o + 10] >> 7);
}

/** Writes `ts` in 1316-byte chunks, paced by its own PCR at `speed` x real time. */
export async function writePacedByPcr(
  w: WritableStreamDefaultWriter<Uint8Array>,
  ts: Uint8Array,
  speed: number,
): Promise<void> {
  const t0 = performance.now();
  let last = -1, clock = 0;
  for (let o = 0; o < ts.length; o += 1316) {
    const end = Math.min(ts.length, o + 1316);
    for (let q = o; q < end; q += TS) {
      const pcr = pcrAt(ts, q);
      if (pcr < 0) continue;
      // modulo 2^33 (wraps); a jump of a second or more (a discontinuity) adds nothing
      const d = last < 0 ? 0 : (((pcr - last) % WRAP33) + WRAP33) % WRAP33;
      if (d < 90000) clock += d;
      last = pcr;
    }
    const due = clock / 90 / speed;
    const wait = due - (performance.now() - t0);
    if (wait > 2) await sleep(Math.min(wait, 1000));
    await w.write(ts.subarray(o, end));
  }
}

/** srt-live-transmit fed from stdin, calling sluice with `streamid`. */
export function srtSender(port: number, streamid: string) {
  return spawn("srt-live-transmit", [
    "-a:no",
    "-q",
    "-chunk:1316",
    "file://con",
    `srt://127.0.0.1:${port}?streamid=${streamid}&linger=2`,
  ], "piped");
}

// ---- RTP ----

/** SSRC of an RTP or RTCP datagram (bytes 8..11 RTP, 4..7 RTCP). */
export function ssrcOfRtp(d: Uint8Array): number {
  return new DataView(d.buffer, d.byteOffset).getUint32(8);
}

/** True when a datagram is RTCP (RFC 5761 4). */
export function isRtcpDatagram(d: Uint8Array): boolean {
  return d.length >= 2 && d[1] >= 192 && d[1] <= 223;
}

/**
 * A copy of an RTP capture with the SSRC replaced (RTP, and the sender SSRC of RTCP SRs),
 * RTP timestamps mapped by `ts`, and SR NTP times moved by `ntpShiftMs`.
 */
export function rewriteRtp(
  dgrams: CapturedDatagram[],
  o: { ssrc?: number; ts?: (t: number) => number; ntpShiftMs?: number; seqAdd?: number },
): CapturedDatagram[] {
  return dgrams.map((g) => {
    const d = g.data.slice();
    const dv = new DataView(d.buffer);
    if (isRtcpDatagram(d)) {
      if (d[1] === 200) {
        if (o.ssrc !== undefined) dv.setUint32(4, o.ssrc >>> 0);
        if (o.ntpShiftMs) {
          const ntp = dv.getUint32(8) + dv.getUint32(12) / 2 ** 32 + o.ntpShiftMs / 1000;
          dv.setUint32(8, Math.floor(ntp) >>> 0);
          dv.setUint32(12, Math.floor((ntp - Math.floor(ntp)) * 2 ** 32) >>> 0);
        }
        if (o.ts) dv.setUint32(16, o.ts(dv.getUint32(16)) >>> 0);
      }
    } else {
      if (o.ssrc !== undefined) dv.setUint32(8, o.ssrc >>> 0);
      if (o.ts) dv.setUint32(4, o.ts(dv.getUint32(4)) >>> 0);
      if (o.seqAdd) dv.setUint16(2, (dv.getUint16(2) + o.seqAdd) & 0xffff);
    }
    return { arrivalNs: g.arrivalNs, data: d };
  });
}

/**
 * Sends datagrams (each with the socket it leaves from) at their capture times, merged in
 * time order, scaled by 1/speed. Returns, per datagram in send order, when it was due and
 * how late it left (ms): a loaded machine's sender falls behind, which a receiver that
 * measures against arrival reads as clock drift.
 */
export async function sendTimed(
  items: { at: bigint; data: Uint8Array; sock: Deno.DatagramConn; to: Deno.NetAddr }[],
  speed = 1,
): Promise<{ dueMs: number; lateMs: number }[]> {
  items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const base = items[0]?.at ?? 0n;
  const t0 = performance.now();
  const out: { dueMs: number; lateMs: number }[] = [];
  for (const it of items) {
    const due = Number(it.at - base) / 1e6 / speed;
    const wait = due - (performance.now() - t0);
    if (wait > 1) await sleep(Math.min(wait, 1000));
    out.push({ dueMs: due, lateMs: performance.now() - t0 - due });
    await it.sock.send(it.data, it.to);
  }
  return out;
}
