import { fail, ok, type Result } from "../../core/result.ts";
/**
 * Opus packet TOC byte and framing (RFC 6716 3.1, 3.2): mode, bandwidth, frame duration,
 * frame count (codes 0-3, including code 3 frame count byte), and samples per packet at
 * 48 kHz; validity per the packet requirements R1-R7 (3.4).
 *
 * ```
 *  0 1 2 3 4 5 6 7
 * +-+-+-+-+-+-+-+-+      code 3 frame count byte:  +-+-+-+-+-+-+-+-+
 * | config  |s| c |                                |v|p|     M     |
 * +-+-+-+-+-+-+-+-+                                +-+-+-+-+-+-+-+-+
 * ```
 */
import type { DataReason } from "../../core/reasons/catalogue.ts";

/** Largest Opus frame, bytes (R2). */
export const MAX_OPUS_FRAME_BYTES = 1275;
/** Longest Opus packet, samples at 48 kHz (120 ms, R5). */
export const MAX_OPUS_PACKET_SAMPLES = 5760;

/** What the TOC byte and frame count tell about one Opus packet. */
export interface OpusToc {
  config: number;
  mode: "silk" | "hybrid" | "celt";
  bandwidth: "nb" | "mb" | "wb" | "swb" | "fb";
  stereo: boolean;
  /** Frame count code c (0-3). */
  code: number;
  frames: number;
  /** Samples per frame at 48 kHz (120 = 2.5 ms ... 2880 = 60 ms). */
  frameSamples: number;
  /** frames x frameSamples: the packet's duration in 48 kHz ticks. */
  packetSamples: number;
  /** Code 3 only: VBR flag and padding bytes. */
  vbr?: boolean;
  paddingBytes?: number;
}

const SILK_SAMPLES = [480, 960, 1920, 2880];
const HYBRID_SAMPLES = [480, 960];
const CELT_SAMPLES = [120, 240, 480, 960];
const SILK_BW = ["nb", "mb", "wb"] as const;
const CELT_BW = ["nb", "wb", "swb", "fb"] as const;

/** Mode, bandwidth and samples per frame of a TOC config number 0-31 (Table 2). */
export function opusConfig(config: number): Pick<OpusToc, "mode" | "bandwidth" | "frameSamples"> {
  if (config < 12) {
    return {
      mode: "silk",
      bandwidth: SILK_BW[config >> 2],
      frameSamples: SILK_SAMPLES[config & 3],
    };
  }
  if (config < 16) {
    return {
      mode: "hybrid",
      bandwidth: config < 14 ? "swb" : "fb",
      frameSamples: HYBRID_SAMPLES[config & 1],
    };
  }
  return {
    mode: "celt",
    bandwidth: CELT_BW[(config - 16) >> 2],
    frameSamples: CELT_SAMPLES[config & 3],
  };
}

/** Reads a frame length (3.2.1): one byte < 252, or two bytes 252..1275. */
function frameLength(p: Uint8Array, o: number): { len: number; size: number } | null {
  if (o >= p.length) return null;
  if (p[o] < 252) return { len: p[o], size: 1 };
  if (o + 1 >= p.length) return null;
  return { len: p[o + 1] * 4 + p[o], size: 2 };
}

/**
 * Parses the TOC (and, for code 3, the frame count byte) of an Opus packet and checks
 * the packet's framing (R1-R7). Reasons: "opus_empty", "opus_invalid".
 */
export function parseOpusToc(p: Uint8Array): Result<OpusToc, DataReason> {
  if (p.length < 1) return fail("opus_empty");
  const toc = p[0];
  const config = toc >> 3;
  const code = toc & 3;
  const cfg = opusConfig(config);
  const out: OpusToc = {
    config,
    ...cfg,
    stereo: (toc & 4) !== 0,
    code,
    frames: 1,
    packetSamples: cfg.frameSamples,
  };
  const n = p.length - 1;
  if (code === 0) {
    if (n > MAX_OPUS_FRAME_BYTES) return fail("opus_invalid");
  } else if (code === 1) {
    if (n % 2 !== 0 || n / 2 > MAX_OPUS_FRAME_BYTES) return fail("opus_invalid");
    out.frames = 2;
  } else if (code === 2) {
    const f = frameLength(p, 1);
    if (!f || f.len > n - f.size || n - f.size - f.len > MAX_OPUS_FRAME_BYTES) {
      return fail("opus_invalid");
    }
    out.frames = 2;
  } else {
    if (p.length < 2) return fail("opus_invalid");
    const m = p[1] & 0x3f;
    if (m === 0 || m * cfg.frameSamples > MAX_OPUS_PACKET_SAMPLES) return fail("opus_invalid");
    let o = 2;
    let padding = 0;
    if (p[1] & 0x40) { // padding flag: 255 means 254 bytes and another length byte
      let b = 255;
      while (b === 255) {
        if (o >= p.length) return fail("opus_invalid");
        b = p[o++];
        padding += b === 255 ? 254 : b;
      }
    }
    let rest = p.length - o - padding;
    if (rest < 0) return fail("opus_invalid");
    const vbr = (p[1] & 0x80) !== 0;
    if (vbr) {
      for (let i = 0; i < m - 1; i++) {
        const f = frameLength(p, o);
        if (!f) return fail("opus_invalid");
        o += f.size;
        rest -= f.size + f.len;
        if (rest < 0) return fail("opus_invalid");
      }
      if (rest > MAX_OPUS_FRAME_BYTES) return fail("opus_invalid");
    } else if (rest % m !== 0 || rest / m > MAX_OPUS_FRAME_BYTES) {
      return fail("opus_invalid");
    }
    out.frames = m;
    out.vbr = vbr;
    out.paddingBytes = padding;
  }
  out.packetSamples = out.frames * cfg.frameSamples;
  return ok(out);
}
