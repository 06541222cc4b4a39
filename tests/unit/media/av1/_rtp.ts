/**
 * Test-only helpers: a minimal RTP header parser (RFC 3550 5.1) for captured
 * datagrams, an IVF reader, and an OBU splitter for low-overhead AV1 streams.
 */
import type { RtpPacket } from "../../../../lib/media/types.ts";
import { readCapture } from "../../../_helpers.ts";

/** Parses one RTP datagram; throws on malformed input (test data is trusted). */
export function parseRtp(d: Uint8Array, arrivalMs = 0): RtpPacket {
  if (d.length < 12 || d[0] >> 6 !== 2) throw new Error("not RTP v2");
  const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const cc = d[0] & 15;
  let off = 12 + 4 * cc;
  const csrcs: number[] = [];
  for (let i = 0; i < cc; i++) csrcs.push(dv.getUint32(12 + 4 * i));
  const extension = (d[0] & 0x10) !== 0;
  let extensionProfile: number | undefined;
  let extensionData: Uint8Array | undefined;
  if (extension) {
    extensionProfile = dv.getUint16(off);
    const words = dv.getUint16(off + 2);
    extensionData = d.subarray(off + 4, off + 4 + 4 * words);
    off += 4 + 4 * words;
  }
  let end = d.length;
  const padding = (d[0] & 0x20) !== 0;
  if (padding) end -= d[end - 1];
  const seq = dv.getUint16(2);
  return {
    version: 2,
    padding,
    extension,
    marker: (d[1] & 0x80) !== 0,
    payloadType: d[1] & 0x7f,
    seq,
    extSeq: seq,
    timestamp: dv.getUint32(4),
    ssrc: dv.getUint32(8),
    csrcs,
    extensionProfile,
    extensionData,
    payload: d.subarray(off, end),
    arrivalMs,
  };
}

/** Reads a capture fixture (tests/fixtures/rtp) as RTP packets. */
export function readRtpCapture(rel: string): RtpPacket[] {
  return readCapture(rel).map((c) => parseRtp(c.data, Number(c.arrivalNs / 1000000n)));
}

/** Temporal units of an IVF file: 32-byte header, then (u32le size, u64le pts, TU). */
export function readIvf(buf: Uint8Array): Uint8Array[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const hdrLen = dv.getUint16(6, true);
  const out: Uint8Array[] = [];
  let o = hdrLen;
  while (o + 12 <= buf.length) {
    const size = dv.getUint32(o, true);
    out.push(buf.subarray(o + 12, o + 12 + size));
    o += 12 + size;
  }
  return out;
}

/** One OBU of a low-overhead stream: type, extension byte (or -1), payload. */
export interface Obu {
  type: number;
  ext: number;
  payload: Uint8Array;
}

/** Splits a low-overhead OBU stream (every OBU with obu_has_size_field = 1). */
export function splitObus(tu: Uint8Array): Obu[] {
  const out: Obu[] = [];
  let o = 0;
  while (o < tu.length) {
    const h = tu[o];
    if ((h & 0x02) === 0) throw new Error(`OBU at ${o} without size field`);
    let p = o + 1;
    const ext = h & 0x04 ? tu[p++] : -1;
    let size = 0;
    for (let i = 0;; i++) {
      const b = tu[p++];
      size += (b & 0x7f) * 2 ** (7 * i);
      if (!(b & 0x80)) break;
    }
    out.push({ type: (h >> 3) & 15, ext, payload: tu.subarray(p, p + size) });
    o = p + size;
    if (o > tu.length) throw new Error("OBU overruns the unit");
  }
  return out;
}
