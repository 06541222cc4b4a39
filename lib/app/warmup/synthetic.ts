/**
 * Synthetic media for the start-up warm-up (warmup.ts): H.264 access units whose
 * parameter sets and slice headers are those of a 1080p x264 High-profile stream (the
 * slice data is filler without start-code emulation), carried as RTP (RFC 6184: single
 * NAL unit packets and FU-A fragments of at most RTP_PAYLOAD_BYTES) and as MPEG-TS
 * (ISO/IEC 13818-1: PAT, PMT, PES of H.264 and of ADTS AAC frames). Never sent anywhere:
 * these bytes only run the receive code before real packets do.
 */
import { crc32Mpeg } from "../../container/mpegts/psi.ts";

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));

/** SPS and PPS of libx264 1920x1080 High@4.0 (as ffmpeg -c:v libx264 writes them). */
const SPS = hex("67640028acd940780227e5c044000003000400000300f03c60c658");
const PPS = hex("68efbcb0");
/** Slice header starts: IDR (nal_unit_type 5) and non-IDR P (type 1). */
const IDR_HEAD = hex("658884006f70237393fd");
const P_HEAD = hex("419a21188dff63f94e33");

/** Largest RTP payload of a synthetic packet, bytes. */
export const RTP_PAYLOAD_BYTES = 1400;
/** RTP payload type of the synthetic H.264 packets. */
export const WARMUP_PT = 96;

/** A NAL unit: `head` then filler bytes (never zero, so no start code is emulated). */
function nal(head: Uint8Array, size: number, seed: number): Uint8Array {
  const n = new Uint8Array(Math.max(size, head.length));
  n.set(head);
  for (let i = head.length; i < n.length; i++) n[i] = ((i * 151 + seed) & 0xff) | 1;
  return n;
}

/** NAL units of frame `i` of a GOP of `gop` frames: SPS, PPS, IDR first, then P slices. */
export function h264Frame(i: number, gop: number, bytes: number): Uint8Array[] {
  return i % gop === 0 ? [SPS, PPS, nal(IDR_HEAD, bytes, i)] : [nal(P_HEAD, bytes >> 2, i)];
}

/** RTP packets (RFC 3550 header + RFC 6184 payload) of one access unit. */
export function rtpPackets(
  nals: Uint8Array[],
  seq: number,
  timestamp: number,
  ssrc: number,
): Uint8Array[] {
  const payloads: Uint8Array[] = [];
  for (const n of nals) {
    if (n.length <= RTP_PAYLOAD_BYTES) {
      payloads.push(n);
      continue;
    }
    // FU-A (RFC 6184 5.8): FU indicator (F, NRI, type 28), FU header (S, E, type).
    const ind = (n[0] & 0xe0) | 28;
    for (let o = 1; o < n.length; o += RTP_PAYLOAD_BYTES - 2) {
      const end = Math.min(n.length, o + RTP_PAYLOAD_BYTES - 2);
      const p = new Uint8Array(2 + end - o);
      p[0] = ind;
      p[1] = (o === 1 ? 0x80 : 0) | (end === n.length ? 0x40 : 0) | (n[0] & 0x1f);
      p.set(n.subarray(o, end), 2);
      payloads.push(p);
    }
  }
  return payloads.map((p, k) => {
    const d = new Uint8Array(12 + p.length);
    const v = new DataView(d.buffer);
    d[0] = 0x80;
    d[1] = (k === payloads.length - 1 ? 0x80 : 0) | WARMUP_PT;
    v.setUint16(2, (seq + k) & 0xffff);
    v.setUint32(4, timestamp >>> 0);
    v.setUint32(8, ssrc >>> 0);
    d.set(p, 12);
    return d;
  });
}

/** PIDs and stream types of the synthetic TS (ISO/IEC 13818-1 Table 2-34). */
const PMT_PID = 0x1000, VIDEO_PID = 0x100, AUDIO_PID = 0x101;

function section(tableId: number, id: number, body: number[]): Uint8Array {
  const len = 5 + body.length + 4;
  const s = new Uint8Array(3 + len);
  s.set([tableId, 0xb0 | (len >> 8), len & 0xff, id >> 8, id & 0xff, 0xc1, 0, 0, ...body]);
  new DataView(s.buffer).setUint32(s.length - 4, crc32Mpeg(s.subarray(0, s.length - 4)));
  return s;
}

/** TS packets of one payload on `pid` (PUSI on the first, stuffing in an adaptation field). */
function tsPackets(
  pid: number,
  payload: Uint8Array,
  cc: { n: number },
  psi: boolean,
): Uint8Array[] {
  const data = psi ? Uint8Array.from([0, ...payload]) : payload; // pointer_field
  const out: Uint8Array[] = [];
  for (let o = 0; o < data.length || o === 0;) {
    const p = new Uint8Array(188);
    const room = 184, take = Math.min(room, data.length - o);
    p[0] = 0x47;
    p[1] = (o === 0 ? 0x40 : 0) | (pid >> 8);
    p[2] = pid & 0xff;
    let at = 4;
    if (take < room) {
      // Adaptation field of (room - take) bytes: length byte, flags, 0xff stuffing.
      const af = room - take;
      p[3] = 0x30 | (cc.n++ & 0xf);
      p[4] = af - 1;
      if (af > 1) p.fill(0xff, 6, 4 + af).fill(0, 5, 6);
      at = 4 + af;
    } else p[3] = 0x10 | (cc.n++ & 0xf);
    p.set(data.subarray(o, o + take), at);
    out.push(p);
    o += take;
    if (take === 0) break;
  }
  return out;
}

/** A PES packet (2.4.3.6) with a PTS (and a DTS when it differs), 90 kHz. */
function pes(streamId: number, es: Uint8Array, pts: number, dts: number): Uint8Array {
  const both = dts !== pts;
  const hl = both ? 10 : 5;
  const h = new Uint8Array(9 + hl);
  const ts = (o: number, prefix: number, t: number) => {
    h[o] = (prefix << 4) | (((t / 2 ** 30) & 7) << 1) | 1;
    h[o + 1] = (t >> 22) & 0xff;
    h[o + 2] = (((t >> 15) & 0x7f) << 1) | 1;
    h[o + 3] = (t >> 7) & 0xff;
    h[o + 4] = ((t & 0x7f) << 1) | 1;
  };
  const len = streamId === 0xe0 ? 0 : 3 + hl + es.length; // video: unbounded
  h.set([0, 0, 1, streamId, len >> 8, len & 0xff, 0x80, both ? 0xc0 : 0x80, hl]);
  ts(9, both ? 3 : 2, pts);
  if (both) ts(14, 1, dts);
  const out = new Uint8Array(h.length + es.length);
  out.set(h);
  out.set(es, h.length);
  return out;
}

/** An ADTS AAC-LC frame (ISO/IEC 13818-7 6.2), 48 kHz stereo, `bytes` long with filler. */
function adts(bytes: number): Uint8Array {
  const f = nal(Uint8Array.of(0xff, 0xf1, 0x4c, 0x80, 0, 0, 0xfc), bytes, 7);
  f[3] = 0x80 | (bytes >> 11);
  f[4] = (bytes >> 3) & 0xff;
  f[5] = ((bytes & 7) << 5) | 0x1f;
  return f;
}

/**
 * `frames` video frames at 30/s (GOP `gop`) with ~1.6 AAC frames per video frame, as
 * 188-byte TS packets concatenated; PAT and PMT before every keyframe.
 */
export function tsStream(frames: number, gop: number, bytes: number): Uint8Array {
  const cc = { pat: { n: 0 }, pmt: { n: 0 }, v: { n: 0 }, a: { n: 0 } };
  const pat = section(0x00, 1, [0, 1, 0xe0 | (PMT_PID >> 8), PMT_PID & 0xff]);
  const pmt = section(0x02, 1, [
    ...[0xe0 | (VIDEO_PID >> 8), VIDEO_PID & 0xff, 0xf0, 0],
    ...[0x1b, 0xe0 | (VIDEO_PID >> 8), VIDEO_PID & 0xff, 0xf0, 0],
    ...[0x0f, 0xe0 | (AUDIO_PID >> 8), AUDIO_PID & 0xff, 0xf0, 0],
  ]);
  const parts: Uint8Array[] = [];
  let audioPts = 0;
  for (let i = 0; i < frames; i++) {
    const dts = 90_000 + i * 3000;
    if (i % gop === 0) {
      parts.push(...tsPackets(0, pat, cc.pat, true), ...tsPackets(PMT_PID, pmt, cc.pmt, true));
    }
    const es = h264Frame(i, gop, bytes).flatMap((n) => [0, 0, 0, 1, ...n]);
    parts.push(
      ...tsPackets(VIDEO_PID, pes(0xe0, Uint8Array.from(es), dts + 3000, dts), cc.v, false),
    );
    for (; 90_000 + audioPts <= dts; audioPts += 1920) {
      parts.push(
        ...tsPackets(
          AUDIO_PID,
          pes(0xc0, adts(300), 90_000 + audioPts, 90_000 + audioPts),
          cc.a,
          false,
        ),
      );
    }
  }
  const out = new Uint8Array(parts.length * 188);
  parts.forEach((p, k) => out.set(p, k * 188));
  return out;
}
