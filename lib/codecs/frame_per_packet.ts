/**
 * The RTP depacketizer of payload formats that carry exactly one frame per packet
 * (G.711, RFC 3551 4.5.14; Opus, RFC 7587 4.2): each accepted payload is emitted as one
 * key RtpUnit whose data is `pkt.payload` (zero-copy); the codec only says which payloads
 * it rejects, and each rejection is counted by its reason.
 */
import type { DepacketizerOptions, RtpDepacketizer, RtpPacket } from "../core/types.ts";
import type { DataReason } from "../core/reasons/catalogue.ts";

/** The reason a payload is not a frame, or undefined when it is one. */
export type PayloadCheck = (payload: Uint8Array) => DataReason | undefined;

/** One RtpUnit per RTP packet whose payload passes `check`. */
export class FramePerPacketDepacketizer implements RtpDepacketizer {
  readonly #o: DepacketizerOptions;
  readonly #check: PayloadCheck;

  constructor(opts: DepacketizerOptions, check: PayloadCheck) {
    this.#o = opts;
    this.#check = check;
  }

  push(pkt: RtpPacket, _lostBefore: boolean): void {
    const reason = this.#check(pkt.payload);
    if (reason !== undefined) return this.#o.count(reason);
    this.#o.onUnit({
      timestamp: pkt.timestamp,
      data: pkt.payload,
      key: true,
      arrivalMs: pkt.arrivalMs,
    });
  }

  flush(): void {}
}
