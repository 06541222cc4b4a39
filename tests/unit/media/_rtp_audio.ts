/**
 * Test helpers for the audio depacketizers: a minimal RTP header parser (RFC 3550 5.1),
 * a capture loader and a minimal SDP fmtp reader (the real SDP parser lives in
 * lib/net/rtp/sdp.ts, written elsewhere).
 */
import type { RtpPacket, RtpUnit } from "../../../lib/media/types.ts";
import { readCapture, readFixture } from "../../_helpers.ts";

/** Parses an RTP header; undefined when the datagram is not RTP v2. */
export function parseRtp(d: Uint8Array, arrivalMs = 0): RtpPacket | undefined {
  if (d.length < 12 || d[0] >> 6 !== 2) return undefined;
  const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const cc = d[0] & 15;
  let o = 12 + cc * 4;
  const extension = (d[0] & 0x10) !== 0;
  if (extension) {
    if (o + 4 > d.length) return undefined;
    o += 4 + dv.getUint16(o + 2) * 4;
  }
  let end = d.length;
  const padding = (d[0] & 0x20) !== 0;
  if (padding) end -= d[d.length - 1];
  if (o > end) return undefined;
  const csrcs: number[] = [];
  for (let i = 0; i < cc; i++) csrcs.push(dv.getUint32(12 + i * 4));
  return {
    version: 2,
    padding,
    extension,
    marker: (d[1] & 0x80) !== 0,
    payloadType: d[1] & 0x7f,
    seq: dv.getUint16(2),
    extSeq: dv.getUint16(2),
    timestamp: dv.getUint32(4),
    ssrc: dv.getUint32(8),
    csrcs,
    payload: d.subarray(o, end),
    arrivalMs,
  };
}

/** RTP packets of a capture in tests/fixtures/rtp (RTCP and non-RTP skipped). */
export function capturePackets(name: string): RtpPacket[] {
  const out: RtpPacket[] = [];
  for (const { arrivalNs, data } of readCapture(`rtp/${name}`)) {
    const p = parseRtp(data, Number(arrivalNs / 1000000n));
    if (p && !(p.payloadType >= 72 && p.payloadType <= 76)) out.push(p);
  }
  return out;
}

/** The fmtp parameters (lower-case keys) and rtpmap of the first media in an SDP fixture. */
export function sdpAudio(name: string): {
  fmtp: Record<string, string>;
  encoding: string;
  clockRate: number;
  channels: number;
} {
  const text = new TextDecoder().decode(readFixture(`rtp/${name}`));
  const fmtp: Record<string, string> = {};
  const f = /^a=fmtp:\d+ (.*)$/m.exec(text);
  for (const kv of (f?.[1] ?? "").split(";")) {
    const i = kv.indexOf("=");
    if (i > 0) fmtp[kv.slice(0, i).trim().toLowerCase()] = kv.slice(i + 1).trim();
  }
  const m = /^a=rtpmap:\d+ ([^/\s]+)\/(\d+)(?:\/(\d+))?/m.exec(text);
  return {
    fmtp,
    encoding: m?.[1] ?? "",
    clockRate: Number(m?.[2] ?? 0),
    channels: Number(m?.[3] ?? 1),
  };
}

/** Collects units and counted reasons from a depacketizer under test. */
export function collector(): {
  units: RtpUnit[];
  counts: Record<string, number>;
  onUnit: (u: RtpUnit) => void;
  count: (reason: string, n?: number) => void;
} {
  const units: RtpUnit[] = [];
  const counts: Record<string, number> = {};
  return {
    units,
    counts,
    onUnit: (u) => units.push({ ...u, data: u.data.slice() }),
    count: (r, n = 1) => {
      counts[r] = (counts[r] ?? 0) + n;
    },
  };
}

const ADTS_RATES = [
  96000,
  88200,
  64000,
  48000,
  44100,
  32000,
  24000,
  22050,
  16000,
  12000,
  11025,
  8000,
  7350,
];

/** Wraps raw AAC AUs in 7-byte ADTS headers (ISO/IEC 13818-7 6.2, no CRC). */
export function adtsWrap(
  aus: Uint8Array[],
  objectType: number,
  sampleRate: number,
  channels: number,
): Uint8Array {
  const sfi = ADTS_RATES.indexOf(sampleRate);
  if (sfi < 0) throw new RangeError(`no ADTS index for ${sampleRate}`);
  const total = aus.reduce((n, a) => n + 7 + a.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const au of aus) {
    const len = 7 + au.length;
    out.set([
      0xff,
      0xf1,
      ((objectType - 1) << 6) | (sfi << 2) | (channels >> 2),
      ((channels & 3) << 6) | (len >> 11),
      (len >> 3) & 0xff,
      ((len & 7) << 5) | 0x1f,
      0xfc,
    ], o);
    out.set(au, o + 7);
    o += len;
  }
  return out;
}

/** ffprobe's decoded view of an audio file: frames, sample rate, channels, stderr. */
export async function ffprobeAudio(path: string): Promise<{
  frames: number;
  sampleRate: number;
  channels: number;
  stderr: string;
}> {
  const r = await new Deno.Command("ffprobe", {
    args: [
      "-v",
      "error",
      "-count_frames",
      "-select_streams",
      "a:0",
      "-show_entries",
      "stream=nb_read_frames,sample_rate,channels",
      "-of",
      "json",
      path,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const j = JSON.parse(new TextDecoder().decode(r.stdout));
  const s = j.streams?.[0] ?? {};
  return {
    frames: Number(s.nb_read_frames),
    sampleRate: Number(s.sample_rate),
    channels: Number(s.channels),
    stderr: new TextDecoder().decode(r.stderr),
  };
}

/** Copies of every payload, to assert a depacketizer never mutates its input. */
export function snapshot(pkts: RtpPacket[]): Uint8Array[] {
  return pkts.map((p) => p.payload.slice());
}

/** Same packet with another payload / marker / timestamp (for self-made fragment vectors). */
export function withPayload(
  p: RtpPacket,
  payload: Uint8Array,
  marker = p.marker,
  seq = p.seq,
): RtpPacket {
  return { ...p, payload, marker, seq, extSeq: seq };
}

/** MSB-first bit writer: [value, bits] fields, zero-padded to a whole byte. */
export function bitsOf(fields: [number, number][]): Uint8Array {
  let s = "";
  for (const [v, n] of fields) s += v.toString(2).padStart(n, "0").slice(-n);
  s = s.padEnd(Math.ceil(s.length / 8) * 8, "0");
  return Uint8Array.from(s.match(/.{8}/g) ?? [], (b) => parseInt(b, 2));
}

/** Bytes of a LATM PayloadLengthInfo (ISO/IEC 14496-3 1.7.3: a 0xFF run) for `n` bytes. */
export function latmLengthInfo(n: number): number[] {
  const out: number[] = [];
  for (; n >= 255; n -= 255) out.push(255);
  out.push(n);
  return out;
}

/**
 * An AudioMuxElement(muxConfigPresent=1) around one AU: useSameStreamMux, then the
 * `configBits` first bits of the StreamMuxConfig bytes when `config` is given.
 */
export function latmInBand(au: Uint8Array, config?: Uint8Array, configBits = 0): Uint8Array {
  const fields: [number, number][] = [[config ? 0 : 1, 1]];
  for (let k = 0; config && k < configBits; k++) {
    fields.push([(config[k >> 3] >> (7 - (k & 7))) & 1, 1]);
  }
  for (const b of [...latmLengthInfo(au.length), ...au]) fields.push([b, 8]);
  return bitsOf(fields);
}

/**
 * An RFC 3640 payload with every optional AU-header field (fmtp FULL_HEADER_FMTP):
 * AU-size(13) AU-Index(-delta)(3) CTS-flag [CTS-delta(7) = 3*i] DTS-flag(0) RAP-flag(1)
 * Stream-state(4), then an auxiliary section with auxiliary-data-size(9) = 0.
 */
export function rfc3640FullHeader(aus: Uint8Array[]): Uint8Array {
  const h: [number, number][] = [];
  aus.forEach((au, i) => {
    h.push([au.length, 13], [0, 3], [i ? 1 : 0, 1]);
    if (i) h.push([i * 3, 7]);
    h.push([0, 1], [1, 1], [2, 4]);
  });
  const bits = h.reduce((n, [, b]) => n + b, 0);
  const hdr = bitsOf(h);
  const aux = bitsOf([[0, 9]]);
  const body = new Uint8Array(2 + hdr.length + aux.length + aus.reduce((n, a) => n + a.length, 0));
  body.set([bits >> 8, bits & 255]);
  body.set(hdr, 2);
  body.set(aux, 2 + hdr.length);
  let o = 2 + hdr.length + aux.length;
  for (const au of aus) {
    body.set(au, o);
    o += au.length;
  }
  return body;
}

/** fmtp matching rfc3640FullHeader. */
export const FULL_HEADER_FMTP: Record<string, string> = {
  sizelength: "13",
  indexlength: "3",
  indexdeltalength: "3",
  ctsdeltalength: "7",
  dtsdeltalength: "7",
  randomaccessindication: "1",
  streamstateindication: "4",
  auxiliarydatasizelength: "9",
};
