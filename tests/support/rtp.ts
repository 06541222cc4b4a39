/**
 * Shared test helpers for RTP captures and SDP fixtures under tests/fixtures/rtp/:
 * packets through the production parsers (lib/transport/rtp/packet.ts parseRtp, RFC 3550 5.1;
 * lib/transport/rtp/sdp.ts parseSdp, RFC 8866), which are themselves tested against the
 * captures (tests/unit/transport/rtp/packet_test.ts).
 */
import type { RtpPacket } from "@lib/core/types.ts";
import { parseRtp } from "@lib/transport/rtp/packet.ts";
import { parseSdp } from "@lib/transport/rtp/sdp.ts";
import { readFixture } from "../_helpers.ts";
import { type CapturedDatagram, readCapture } from "./replay.ts";

/** Parses one datagram known to be RTP; throws when it is not (test data is trusted). */
export function rtpOf(d: Uint8Array, arrivalMs = 0): RtpPacket {
  const r = parseRtp(d, arrivalMs);
  if (!r.ok) throw new Error(`not RTP: ${r.reason}`);
  return r.value;
}

/**
 * Every datagram of a capture in tests/fixtures/rtp/ as an RTP packet, arrival in ms
 * from the first datagram. Throws on a datagram that is not RTP (the fixtures hold none).
 */
export function capturePackets(name: string): RtpPacket[] {
  const cap = readCapture(`rtp/${name}`);
  const t0 = cap.length > 0 ? cap[0].arrivalNs : 0n;
  return cap.map((c) => {
    try {
      return rtpOf(c.data, Number(c.arrivalNs - t0) / 1e6);
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`);
    }
  });
}

/**
 * The fmtp parameters (lower-case keys) and rtpmap of the first payload type of the first
 * media section of an SDP fixture in tests/fixtures/rtp/ (channels default 1).
 */
export function sdpMedia(name: string): {
  fmtp: Record<string, string>;
  encoding: string;
  clockRate: number;
  channels: number;
} {
  const r = parseSdp(new TextDecoder().decode(readFixture(`rtp/${name}`)));
  if (!r.ok) throw new Error(`${name}: ${r.reason}`);
  const m = r.value.media[0];
  const pt = m.payloadTypes[0];
  const map = m.rtpmap.get(pt);
  return {
    fmtp: m.fmtp.get(pt) ?? {},
    encoding: map?.encoding ?? "",
    clockRate: map?.clockRate ?? 0,
    channels: map?.channels ?? 1,
  };
}

/** A minimal RTP packet (12-byte header, 4 payload bytes), timestamp = seq * 3000. */
export function tinyRtp(seq: number, ssrc: number, pt = 96): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  b[0] = 0x80;
  b[1] = pt;
  dv.setUint16(2, seq);
  dv.setUint32(4, seq * 3000);
  dv.setUint32(8, ssrc);
  b.set([1, 2, 3, 4], 12);
  return b;
}

/**
 * `times` copies of a capture played back to back as one continuous stream: each copy's
 * RTP sequence numbers, timestamps and arrival times continue where the previous copy
 * ended (one frame interval later), so the receiver sees no restart.
 */
export function loopCapture(dgrams: CapturedDatagram[], times: number): CapturedDatagram[] {
  const head = (d: Uint8Array) => new DataView(d.buffer, d.byteOffset, d.byteLength);
  const stamps = [...new Set(dgrams.map((d) => head(d.data).getUint32(4)))];
  const steps = stamps.slice(1).map((t, i) => (t - stamps[i]) >>> 0).filter((x) => x > 0)
    .sort((a, b) => a - b);
  const tsStep = steps[Math.floor(steps.length / 2)] ?? 3000;
  const tsSpan = ((head(dgrams.at(-1)!.data).getUint32(4) - stamps[0]) >>> 0) + tsStep;
  const first = dgrams[0].arrivalNs, last = dgrams.at(-1)!.arrivalNs;
  const nsSpan = last - first + (last - first) / BigInt(Math.max(1, stamps.length - 1));
  const out: CapturedDatagram[] = [];
  for (let k = 0; k < times; k++) {
    for (const d of dgrams) {
      const data = d.data.slice();
      const v = head(data);
      v.setUint16(2, (v.getUint16(2) + k * dgrams.length) & 0xffff);
      v.setUint32(4, (v.getUint32(4) + k * tsSpan) >>> 0);
      out.push({ arrivalNs: d.arrivalNs + BigInt(k) * nsSpan, data });
    }
  }
  return out;
}
