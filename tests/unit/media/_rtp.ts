/**
 * Test-only RTP helpers for depacketizer tests: a minimal RFC 3550 5.1 header parser
 * (fixed header, CSRCs, extension, padding) over captures, and a packet builder for
 * hand-made vectors. Not the production parser (lib/net/rtp/packet.ts).
 */
import type { RtpPacket } from "../../../lib/media/types.ts";
import { readCapture } from "../../_helpers.ts";

/** Parse one RTP datagram; undefined when it is not a valid RTP v2 packet. */
export function parseRtp(d: Uint8Array, arrivalMs = 0): RtpPacket | undefined {
  if (d.length < 12 || d[0] >> 6 !== 2) return undefined;
  const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const cc = d[0] & 0x0f;
  let o = 12 + cc * 4;
  const csrcs: number[] = [];
  for (let i = 0; i < cc && 16 + i * 4 <= d.length; i++) csrcs.push(dv.getUint32(12 + i * 4));
  const extension = (d[0] & 0x10) !== 0;
  let extensionProfile: number | undefined;
  let extensionData: Uint8Array | undefined;
  if (extension) {
    if (o + 4 > d.length) return undefined;
    extensionProfile = dv.getUint16(o);
    const words = dv.getUint16(o + 2);
    extensionData = d.subarray(o + 4, o + 4 + words * 4);
    o += 4 + words * 4;
  }
  let end = d.length;
  const padding = (d[0] & 0x20) !== 0;
  if (padding) end -= d[d.length - 1];
  if (o > end) return undefined;
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
    payload: d.subarray(o, end),
    arrivalMs,
  };
}

/** All packets of a capture under tests/fixtures/rtp/, arrival in ms from the first one. */
export function capturePackets(name: string): RtpPacket[] {
  const cap = readCapture(`rtp/${name}`);
  const t0 = cap.length > 0 ? cap[0].arrivalNs : 0n;
  const out: RtpPacket[] = [];
  for (const c of cap) {
    const p = parseRtp(c.data, Number(c.arrivalNs - t0) / 1e6);
    if (p) out.push(p);
  }
  return out;
}

/** A hand-made packet for vectors. */
export function pkt(
  seq: number,
  timestamp: number,
  marker: boolean,
  payload: number[] | Uint8Array,
): RtpPacket {
  return {
    version: 2,
    padding: false,
    extension: false,
    marker,
    payloadType: 96,
    seq,
    extSeq: seq,
    timestamp,
    ssrc: 1,
    csrcs: [],
    payload: payload instanceof Uint8Array ? payload : Uint8Array.from(payload),
    arrivalMs: seq,
  };
}

/** Parse the a=fmtp line of an SDP fixture into key/value pairs. */
export function sdpFmtp(name: string): Record<string, string> {
  const text = Deno.readTextFileSync(new URL(`../../fixtures/rtp/${name}`, import.meta.url));
  const out: Record<string, string> = {};
  const line = text.split(/\r?\n/).find((l) => l.startsWith("a=fmtp:"));
  if (!line) return out;
  for (const kv of line.slice(line.indexOf(" ") + 1).split(";")) {
    const i = kv.indexOf("=");
    if (i > 0) out[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
  }
  return out;
}

/** Concatenate byte arrays. */
export function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
