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
import { readCapture } from "./replay.ts";

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

/**
 * A minimal valid RTP packet (version 2, PT 96, timestamp seq * 3000) with `payloadBytes`
 * zero bytes of payload: a sender's packet for tests that need sources, not media.
 */
export function rtpPacket(ssrc: number, seq: number, payloadBytes = 20): Uint8Array {
  const b = new Uint8Array(12 + payloadBytes);
  const v = new DataView(b.buffer);
  b[0] = 0x80;
  b[1] = 96;
  v.setUint16(2, seq);
  v.setUint32(4, seq * 3000);
  v.setUint32(8, ssrc);
  return b;
}
