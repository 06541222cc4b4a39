/** How plausible a payload is as AAC RTP (RFC 3640 AAC-hbr, RFC 6416 LATM), for lib/codecs/sniff.ts. */
import type { SniffScore } from "../spec.ts";

/** MPEG4-GENERIC AAC-hbr (RFC 3640 3.3.6): AU-headers-length, 13+3-bit headers, sizes add up. */
export function sniffAacHbr(p: Uint8Array): SniffScore {
  if (p.length < 4) return -1;
  const bits = (p[0] << 8) | p[1];
  if (bits === 0 || bits % 16 !== 0) return -1;
  const count = bits / 16;
  const o = 2 + count * 2;
  if (o > p.length) return -1;
  let sum = 0;
  for (let i = 0; i < count; i++) sum += ((p[2 + 2 * i] << 8) | p[3 + 2 * i]) >> 3;
  if (o + sum === p.length) return 2;
  return count === 1 && o + sum > p.length ? 1 : -1; // fragment of a large AU
}

/** MP4A-LATM (RFC 6416, cpresent=0): PayloadLengthInfo then exactly that many bytes. */
export function sniffAacLatm(p: Uint8Array): SniffScore {
  let o = 0;
  let len = 0;
  while (o < p.length && p[o] === 0xff) len += p[o++];
  if (o >= p.length) return -1;
  len += p[o++];
  return o + len === p.length ? 2 : -1;
}
