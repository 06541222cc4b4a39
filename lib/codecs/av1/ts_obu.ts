/**
 * The start-code based format of AV1 in MPEG-2 TS (AOM "Carriage of AV1 in MPEG-2 TS"
 * v1.0.1, "Start-code based format"): every OBU is sent as a ts_open_bitstream_unit,
 * `00 00 01` then the OBU bytes with an emulation_prevention_three_byte (0x03) after any
 * two zero bytes that are followed by 0x00..0x03 (and after a trailing zero pair).
 * `toTsObus` writes it (the muxer), `fromTsObus` reads it back (the demuxer); sluice's own
 * AV1 access units are low-overhead OBU streams with obu_size in every OBU (types.ts).
 */
import { concatBytes, unescapeRbsp } from "../../core/bits.ts";
import { parseObuHeader, splitObus } from "./obu.ts";

/** True when a PES payload is in the start-code format (an OBU header never is 0x00). */
export function isTsObuStream(d: Uint8Array): boolean {
  return d.length >= 4 && d[0] === 0 && d[1] === 0 && (d[2] === 1 || (d[2] === 0 && d[3] === 1));
}

/** Escaped size of `b` (bytes plus emulation prevention bytes). */
function escapedLength(b: Uint8Array): number {
  let n = b.length;
  let zeros = 0;
  for (let i = 0; i < b.length; i++) {
    const x = b[i];
    if (zeros >= 2 && x <= 3) {
      n++;
      zeros = 0;
    }
    zeros = x === 0 ? zeros + 1 : 0;
  }
  return zeros >= 2 ? n + 1 : n;
}

function writeEscaped(b: Uint8Array, out: Uint8Array, o: number): number {
  let zeros = 0;
  for (let i = 0; i < b.length; i++) {
    const x = b[i];
    if (zeros >= 2 && x <= 3) {
      out[o++] = 3;
      zeros = 0;
    }
    out[o++] = x;
    zeros = x === 0 ? zeros + 1 : 0;
  }
  if (zeros >= 2) out[o++] = 3;
  return o;
}

/**
 * A temporal unit (low-overhead OBUs) as ts_open_bitstream_units. Returns undefined when
 * the OBUs do not parse (the caller counts it).
 */
export function toTsObus(tu: Uint8Array): Uint8Array | undefined {
  const obus = splitObus(tu);
  if (!obus.ok) return undefined;
  let n = 0;
  for (const o of obus.value) n += 3 + escapedLength(o.bytes);
  const out = new Uint8Array(n);
  let w = 0;
  for (const o of obus.value) {
    out[w + 2] = 1;
    w = writeEscaped(o.bytes, out, w + 3);
  }
  return out;
}

/** Start of the next `00 00 01` at or after `from`, or -1. */
function startCode(d: Uint8Array, from: number): number {
  for (let i = from; i + 2 < d.length; i++) {
    if (d[i + 2] > 1) i += 2;
    else if (d[i] === 0 && d[i + 1] === 0 && d[i + 2] === 1) return i;
  }
  return -1;
}

/**
 * ts_open_bitstream_units back to low-overhead OBUs (start codes and emulation
 * prevention removed; an OBU is cut to its obu_size so a 4-byte start code's extra zero
 * does not stick to the OBU before it). Undefined when no start code is found.
 */
export function fromTsObus(d: Uint8Array): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  let sc = startCode(d, 0);
  if (sc < 0) return undefined;
  while (sc >= 0) {
    const next = startCode(d, sc + 3);
    const obu = unescapeRbsp(d.subarray(sc + 3, next < 0 ? d.length : next));
    const h = parseObuHeader(obu, 0);
    const cut = h.ok && h.value.size !== undefined
      ? obu.subarray(0, Math.min(obu.length, h.value.headerLength + h.value.size))
      : obu;
    parts.push(cut);
    sc = next;
  }
  return concatBytes(parts);
}
