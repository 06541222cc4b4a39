/**
 * Opus RTP depacketizer (RFC 7587 4.2: exactly one Opus packet per RTP payload, clock
 * 48 kHz whatever the coded bandwidth) with the packet structure checks of RFC 6716
 * 3.1-3.4 (requirements R1-R7) on the TOC byte:
 *
 * ```
 *  0 1 2 3 4 5 6 7
 * +-+-+-+-+-+-+-+-+
 * | config  |s| c |   config: mode and frame size, s: stereo, c: frames code 0-3
 * +-+-+-+-+-+-+-+-+
 * ```
 * Each valid packet is emitted as one RtpUnit whose data is `pkt.payload` (zero-copy).
 */
import {
  type DepacketizerOptions,
  fail,
  ok,
  type Result,
  type RtpDepacketizer,
  type RtpPacket,
} from "../types.ts";

/** Largest Opus packet duration: 120 ms at 48 kHz (RFC 6716 3.2.5). */
export const MAX_OPUS_PACKET_SAMPLES = 5760;
/** Largest compressed frame (RFC 6716 3.2.1). */
export const MAX_OPUS_FRAME_BYTES = 1275;

/** Samples at 48 kHz of one frame for a TOC config (RFC 6716 Table 2). */
export function opusFrameSamples(config: number): number {
  if (config < 12) return [480, 960, 1920, 2880][config & 3];
  if (config < 16) return [480, 960][config & 1];
  return [120, 240, 480, 960][config & 3];
}

/** Reads a frame length (1 or 2 bytes, RFC 6716 3.2.1); -1 when short. */
function frameLength(d: Uint8Array, off: number): [number, number] {
  if (off >= d.length) return [-1, 0];
  const b = d[off];
  if (b < 252) return [b, 1];
  if (off + 1 >= d.length) return [-1, 0];
  return [b + 4 * d[off + 1], 2];
}

/**
 * Validates an Opus packet (RFC 6716 3.4, R1-R7) and returns its duration in 48 kHz
 * samples; reasons "opus_empty", "opus_invalid".
 */
export function opusPacketSamples(d: Uint8Array): Result<number> {
  if (d.length === 0) return fail("opus_empty");
  const toc = d[0];
  const fs = opusFrameSamples(toc >> 3);
  const body = d.length - 1;
  switch (toc & 3) {
    case 0:
      return body <= MAX_OPUS_FRAME_BYTES ? ok(fs) : fail("opus_invalid");
    case 1:
      return body % 2 === 0 && body / 2 <= MAX_OPUS_FRAME_BYTES ? ok(2 * fs) : fail("opus_invalid");
    case 2: {
      const [n1, used] = frameLength(d, 1);
      if (n1 < 0 || n1 > body - used || body - used - n1 > MAX_OPUS_FRAME_BYTES) {
        return fail("opus_invalid");
      }
      return ok(2 * fs);
    }
  }
  if (d.length < 2) return fail("opus_invalid");
  const m = d[1] & 0x3f;
  if (m === 0 || m * fs > MAX_OPUS_PACKET_SAMPLES) return fail("opus_invalid");
  let off = 2, pad = 0;
  if (d[1] & 0x40) {
    for (;;) {
      if (off >= d.length) return fail("opus_invalid");
      const p = d[off++];
      pad += p === 255 ? 254 : p;
      if (p !== 255) break;
    }
  }
  let rest = d.length - off - pad;
  if (rest < 0) return fail("opus_invalid");
  if (d[1] & 0x80) {
    for (let i = 0; i < m - 1; i++) {
      const [n, used] = frameLength(d, off);
      if (n < 0) return fail("opus_invalid");
      off += used;
      rest -= used + n;
      if (rest < 0 || n > MAX_OPUS_FRAME_BYTES) return fail("opus_invalid");
    }
    if (rest > MAX_OPUS_FRAME_BYTES) return fail("opus_invalid");
  } else if (rest % m !== 0 || rest / m > MAX_OPUS_FRAME_BYTES) return fail("opus_invalid");
  return ok(m * fs);
}

/** RFC 7587 depacketizer: one RtpUnit per RTP packet. */
export class OpusDepacketizer implements RtpDepacketizer {
  #o: DepacketizerOptions;

  constructor(opts: DepacketizerOptions) {
    this.#o = opts;
  }

  push(pkt: RtpPacket, _lostBefore: boolean): void {
    const r = opusPacketSamples(pkt.payload);
    if (!r.ok) return this.#o.count(r.reason);
    this.#o.onUnit({
      timestamp: pkt.timestamp,
      data: pkt.payload,
      key: true,
      arrivalMs: pkt.arrivalMs,
    });
  }

  flush(): void {}
}
