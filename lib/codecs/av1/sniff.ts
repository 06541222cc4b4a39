/** How plausible a payload is as AV1 RTP (AV1 RTP spec 4.4), for lib/codecs/sniff.ts. */
import type { SniffScore } from "../spec.ts";
import { type Leb128, readLeb128 } from "./leb128.ts";
import { parseObuHeader } from "./obu.ts";
import { parseAv1SequenceHeader } from "./sequence_header.ts";

const av1Leb: Leb128 = { value: 0, length: 0 };

/** True when an OBU header at `o` is plausible inside an AV1 RTP payload. */
function av1ObuOk(p: Uint8Array, o: number): boolean {
  const t = (p[o] >> 3) & 0x0f;
  return !(p[o] & 0x81) && ((t >= 1 && t <= 8) || t === 15);
}

/**
 * AV1 RTP payload (AV1 RTP spec 4.4): aggregation header Z Y W(2) N 000, then OBU
 * elements, each but the W-th prefixed by a LEB128 length. Conclusive: a new coded video
 * sequence whose sequence header parses, or two or more checked elements that chain exactly.
 */
export function sniffAv1(p: Uint8Array): SniffScore {
  const leb = av1Leb;
  if (p.length < 2 || p[0] & 0x07) return -1;
  const z = p[0] & 0x80, w = (p[0] >> 4) & 3, n = p[0] & 0x08;
  if (z && n) return -1; // a coded video sequence cannot start with a continuation
  let o = 1;
  const starts: number[] = [];
  const ends: number[] = [];
  while (o < p.length && starts.length < 64) {
    if (w !== 0 && starts.length === w - 1) { // last element: no length field
      starts.push(o);
      ends.push(p.length);
      o = p.length;
      break;
    }
    const len = readLeb128(p, o, p.length, leb);
    if (!len || len.value === 0 || o + len.length + len.value > p.length) return -1;
    starts.push(o + len.length);
    o += len.length + len.value;
    ends.push(o);
  }
  if (o !== p.length || (w !== 0 && starts.length !== w)) return -1;
  for (let i = z ? 1 : 0; i < starts.length; i++) if (!av1ObuOk(p, starts[i])) return -1;
  if (!z && n && ((p[starts[0]] >> 3) & 0x0f) === 1) {
    const h = parseObuHeader(p, starts[0]);
    if (!h.ok) return -1;
    return parseAv1SequenceHeader(p.subarray(starts[0] + h.value.headerLength, ends[0])).ok
      ? 2
      : -1;
  }
  if (!z && starts.length >= 2) return 2;
  return z ? 0 : 1;
}

/** AV1 RTP 4.4: Y (last element continues) of one packet must equal Z of the next. */
export function av1Follows(prev: Uint8Array, next: Uint8Array): boolean {
  return ((prev[0] & 0x40) !== 0) === ((next[0] & 0x80) !== 0);
}
