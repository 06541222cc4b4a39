/**
 * Test helpers for the audio depacketizers: an ADTS writer for ffprobe
 * oracles, an ffprobe runner and bit writers for LATM / RFC 3640 vectors. Captures and
 * SDP fixtures: tests/support/rtp.ts.
 */
import { AAC_SAMPLE_RATES } from "@lib/codecs/aac/adts.ts";
import type { RtpPacket } from "@lib/core/types.ts";

/** Wraps raw AAC AUs in 7-byte ADTS headers (ISO/IEC 13818-7 6.2, no CRC). */
export function adtsWrap(
  aus: Uint8Array[],
  objectType: number,
  sampleRate: number,
  channels: number,
): Uint8Array {
  const sfi = (AAC_SAMPLE_RATES as readonly number[]).indexOf(sampleRate);
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
