/**
 * Test-only helpers for the stream-info parser tests: a crude MPEG-TS payload splitter
 * (per PID, adaptation fields skipped, PES headers left in), ffprobe's stream list,
 * ffprobe's pix_fmt naming, an IVF reader and a crude RTP-to-Annex B converter.
 */
import assert from "node:assert/strict";
import { splitAnnexB } from "../../../lib/core/bits.ts";
import { fixture } from "../../_helpers.ts";
import { capturePackets } from "../../_rtp.ts";

/** Concatenated TS packet payloads of every PID (ISO/IEC 13818-1 2.4.3.2). */
export function tsPidStreams(ts: Uint8Array): Map<number, Uint8Array> {
  const parts = new Map<number, Uint8Array[]>();
  for (let o = 0; o + 188 <= ts.length; o += 188) {
    if (ts[o] !== 0x47) continue;
    const pid = ((ts[o + 1] & 0x1f) << 8) | ts[o + 2];
    const afc = (ts[o + 3] >> 4) & 3;
    if (!(afc & 1)) continue;
    const start = o + 4 + (afc & 2 ? 1 + ts[o + 4] : 0);
    if (start >= o + 188) continue;
    const list = parts.get(pid) ?? [];
    list.push(ts.subarray(start, o + 188));
    parts.set(pid, list);
  }
  const out = new Map<number, Uint8Array>();
  for (const [pid, list] of parts) {
    const n = list.reduce((a, b) => a + b.length, 0);
    const buf = new Uint8Array(n);
    let k = 0;
    for (const b of list) {
      buf.set(b, k);
      k += b.length;
    }
    out.set(pid, buf);
  }
  return out;
}

/** First NAL unit in `es` (Annex B) for which `pick` is true. */
export function firstNal(
  es: Uint8Array,
  pick: (nal: Uint8Array) => boolean,
): Uint8Array | undefined {
  return splitAnnexB(es).find(pick);
}

/** First NAL unit picked from any PID of a TS file (a crude scan, no PSI). */
export function firstNalInTs(
  ts: Uint8Array,
  pick: (nal: Uint8Array) => boolean,
): Uint8Array | undefined {
  for (const es of tsPidStreams(ts).values()) {
    const nal = firstNal(es, pick);
    if (nal) return nal;
  }
  return undefined;
}

/** First ADTS header (7 bytes) found in any PID of a TS file, validated by what follows it (another
 * ADTS header or a PES start code). */
export function firstAdtsInTs(ts: Uint8Array): Uint8Array | undefined {
  for (const es of tsPidStreams(ts).values()) {
    for (let i = 0; i + 9 < es.length; i++) {
      if (es[i] !== 0xff || (es[i + 1] & 0xf6) !== 0xf0) continue;
      const len = ((es[i + 3] & 3) << 11) | (es[i + 4] << 3) | (es[i + 5] >> 5);
      const j = i + len;
      const nextAdts = es[j] === 0xff && (es[j + 1] & 0xf6) === 0xf0;
      const nextPes = es[j] === 0 && es[j + 1] === 0 && es[j + 2] === 1;
      if (len > 7 && j + 2 < es.length && (nextAdts || nextPes)) {
        return es.subarray(i, i + 7);
      }
    }
  }
  return undefined;
}

/** One stream as `ffprobe -show_streams -of json` reports it (the fields compared). */
export interface ProbeStream {
  codec_name: string;
  profile?: string;
  level?: number;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
}

/** Runs `ffprobe -v error -show_streams -of json` on a fixture. */
export async function ffprobeStreams(rel: string): Promise<ProbeStream[]> {
  const out = await new Deno.Command("ffprobe", {
    args: ["-v", "error", "-show_streams", "-of", "json", fixture(rel)],
    stdout: "piped",
    stderr: "null",
  }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).streams;
}

/** ffprobe's pix_fmt name for a chroma format and bit depth (yuv420p, yuv422p10le, gray). */
export function pixFmt(chroma: string | undefined, bitDepth: number | undefined): string {
  const base = chroma === "4:0:0" ? "gray" : `yuv${(chroma ?? "").replaceAll(":", "")}p`;
  return bitDepth && bitDepth > 8 ? `${base}${bitDepth}le` : base;
}

/** "30/1" -> 30; "90000/2999" -> 30.01. */
export function rate(r: string | undefined): number {
  const [n, d] = (r ?? "0/1").split("/").map(Number);
  return d ? n / d : 0;
}

/** IVF reader (the AV1-in-IVF container libaom writes): header fields and frames. */
export function readIvf(
  d: Uint8Array,
): { fps: number; width: number; height: number; frames: Uint8Array[] } {
  const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const frames: Uint8Array[] = [];
  let o = dv.getUint16(6, true);
  while (o + 12 <= d.length) {
    const size = dv.getUint32(o, true);
    frames.push(d.subarray(o + 12, o + 12 + size));
    o += 12 + size;
  }
  return {
    width: dv.getUint16(12, true),
    height: dv.getUint16(14, true),
    fps: dv.getUint32(16, true) / dv.getUint32(20, true),
    frames,
  };
}

/**
 * Crude RTP depacketizer for H.264 (RFC 6184: single NAL, STAP-A, FU-A) and H.265
 * (RFC 7798: single NAL, AP, FU) over the first `maxPackets` of a capture in
 * tests/fixtures/rtp/, to Annex B. Test-only: no loss handling, capture order.
 */
export function rtpToAnnexB(bin: string, h265: boolean, maxPackets = Infinity): Uint8Array {
  const out: number[] = [];
  const sc = [0, 0, 0, 1];
  const hdr = h265 ? 2 : 1;
  for (const { payload: p } of capturePackets(bin).slice(0, maxPackets)) {
    const t = h265 ? (p[0] >> 1) & 0x3f : p[0] & 0x1f;
    if (t === (h265 ? 48 : 24)) {
      for (let o = hdr; o + 2 < p.length;) {
        const n = (p[o] << 8) | p[o + 1];
        out.push(...sc, ...p.subarray(o + 2, o + 2 + n));
        o += 2 + n;
      }
    } else if (t === (h265 ? 49 : 28)) {
      const fu = p[hdr];
      if (fu & 0x80) {
        out.push(...sc);
        if (h265) out.push((p[0] & 0x81) | ((fu & 0x3f) << 1), p[1]);
        else out.push((p[0] & 0xe0) | (fu & 0x1f));
      }
      out.push(...p.subarray(hdr + 1));
    } else out.push(...sc, ...p);
  }
  return Uint8Array.from(out);
}

/** Parsed SPS facts compared with ffprobe (H.264 / H.265 SPS, AV1 sequence header). */
export interface SpsFacts {
  width: number;
  height: number;
  profile: string;
  levelIdc: number;
  chromaFormat?: string;
  bitDepth?: number;
}

/** Asserts size, profile, level and pix_fmt of parsed SPS facts against ffprobe's stream. */
export function assertLikeProbe(s: SpsFacts, want: ProbeStream, msg: string): void {
  assert.deepEqual(
    [s.width, s.height, s.profile, s.levelIdc],
    [want.width, want.height, want.profile, want.level],
    msg,
  );
  assert.equal(pixFmt(s.chromaFormat, s.bitDepth), want.pix_fmt, msg);
}

/** ffprobe's first stream of an elementary stream given as bytes (written to a temp file). */
export async function ffprobeBytes(bytes: Uint8Array, format: string): Promise<ProbeStream> {
  const path = await Deno.makeTempFile({ suffix: `.${format}` });
  try {
    await Deno.writeFile(path, bytes);
    const out = await new Deno.Command("ffprobe", {
      args: ["-v", "error", "-f", format, "-show_streams", "-of", "json", path],
      stdout: "piped",
      stderr: "null",
    }).output();
    return JSON.parse(new TextDecoder().decode(out.stdout)).streams[0];
  } finally {
    await Deno.remove(path);
  }
}
