/**
 * Opus access units in MPEG-TS PES payloads (ETSI TS 102 366-style "Opus in MPEG-2 TS",
 * Xiph draft 0.1 section 5.2: opus_control_header) and Opus packet duration from the
 * TOC byte (RFC 6716 3.1).
 *
 * ```
 * opus_control_header_prefix(11)=0x3FF start_trim_flag(1) end_trim_flag(1)
 * control_extension_flag(1) reserved(2) | au_size: 0xFF* last(8) |
 * [start_trim(16)] [end_trim(16)] [control_extension_length(8) ...] | Opus packet
 * ```
 */
import { parseOpusToc } from "../../codecs/opus/toc.ts";

/** Largest Opus access unit accepted, bytes (a 120 ms packet at 510 kb/s is ~7.7 kB). */
export const MAX_OPUS_AU_BYTES = 8192;

/** Samples at 48 kHz in one Opus packet (RFC 6716 3.1, 3.2.5), 0 when unreadable. */
export function opusPacketSamples(p: Uint8Array): number {
  const r = parseOpusToc(p);
  return r.ok ? r.value.packetSamples : 0;
}

/** Opus packets found in one PES payload (views, control headers stripped). */
export interface OpusSplit {
  frames: Uint8Array[];
  /** Offset of an incomplete access unit at the end (= input length when none). */
  rest: number;
  /** Times garbage was skipped to find the next control header. */
  resyncs: number;
}

/** Splits a PES payload at opus_control_header prefixes (zero-copy). Never throws. */
export function splitOpusTs(d: Uint8Array): OpusSplit {
  const frames: Uint8Array[] = [];
  let off = 0;
  let resyncs = 0;
  let lost = false;
  while (off < d.length) {
    const end = readAu(d, off, frames);
    if (end > 0) {
      off = end;
      lost = false;
      continue;
    }
    if (end === 0) break; // incomplete: keep from off
    if (!lost) resyncs++;
    lost = true;
    const next = d.indexOf(0x7f, off + 1);
    off = next < 0 ? d.length : next;
  }
  return { frames, rest: off, resyncs };
}

/** Reads one control header + AU at `o`: end offset, 0 when incomplete, -1 when invalid. */
function readAu(d: Uint8Array, o: number, out: Uint8Array[]): number {
  if (d.length - o < 2) return d[o] === 0x7f ? 0 : -1;
  if (d[o] !== 0x7f || (d[o + 1] & 0xe0) !== 0xe0) return -1;
  const flags = d[o + 1];
  let i = o + 2;
  let size = 0;
  for (;;) {
    if (i >= d.length) return 0;
    const b = d[i++];
    size += b;
    if (b !== 0xff) break;
    if (size > MAX_OPUS_AU_BYTES) return -1;
  }
  if (flags & 0x10) i += 2;
  if (flags & 0x08) i += 2;
  if (flags & 0x04) {
    if (i >= d.length) return 0;
    i += 1 + d[i];
  }
  if (size === 0 || size > MAX_OPUS_AU_BYTES) return -1;
  if (i + size > d.length) return 0;
  out.push(d.subarray(i, i + size));
  return i + size;
}

/**
 * The opus_control_header in front of one Opus packet (no trim, no extension):
 * 0x7FE0 then au_size as 0xFF bytes plus a remainder byte.
 */
export function opusControlHeader(packetBytes: number): Uint8Array {
  const n = Math.floor(packetBytes / 255);
  const h = new Uint8Array(2 + n + 1);
  h[0] = 0x7f;
  h[1] = 0xe0;
  h.fill(0xff, 2, 2 + n);
  h[2 + n] = packetBytes - n * 255;
  return h;
}
