/**
 * Test-only helpers for the stream-info parser tests: parameter sets and ADTS headers out
 * of TS fixtures (through the production demuxer, tests/support/ts.ts) and RTP captures
 * (through the production depacketizers), ffprobe's stream list, ffprobe's pix_fmt naming
 * and an IVF reader.
 */
import assert from "node:assert/strict";
import { concatBytes, splitAnnexB } from "@lib/core/bits.ts";
import type { RtpUnit } from "@lib/core/types.ts";
import { H264Depacketizer } from "@lib/codecs/h264/depacketizer.ts";
import { H265Depacketizer } from "@lib/codecs/h265/depacketizer.ts";
import { demux, trackBytes } from "@tests/support/ts.ts";
import { fixture } from "@tests/_helpers.ts";
import { capturePackets } from "@tests/support/rtp.ts";

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
  for (const es of trackBytes(demux(ts)).values()) {
    const nal = firstNal(es, pick);
    if (nal) return nal;
  }
  return undefined;
}

/** First ADTS header (7 bytes) of the AAC track of a TS file (the demuxer cuts ADTS frames). */
export function firstAdtsInTs(ts: Uint8Array): Uint8Array | undefined {
  const run = demux(ts);
  const aac = run.tracks.find((t) => t.codec === "aac");
  return aac && run.chunks.get(aac.id)?.[0]?.data.subarray(0, 7);
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
 * The first `maxPackets` of an H.264/H.265 capture in tests/fixtures/rtp/ through the
 * production depacketizer (lib/codecs/h264|h265/depacketizer.ts), as one Annex B buffer
 * (units in order; a trailing partial unit is flushed).
 */
export function rtpToAnnexB(bin: string, h265: boolean, maxPackets = Infinity): Uint8Array {
  const units: Uint8Array[] = [];
  const o = {
    onUnit: (u: RtpUnit) => units.push(u.data.slice()),
    count: () => {},
    emitAfterLoss: true,
  };
  const d = h265 ? new H265Depacketizer(o) : new H264Depacketizer(o);
  for (const p of capturePackets(bin).slice(0, maxPackets)) d.push(p, false);
  d.flush();
  return concatBytes(units);
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
