/**
 * DON-mode assembly shared by H.264 interleaved mode (RFC 6184 5.5, 13.2) and H.265 with
 * DONL/DOND (RFC 7798 4.4, 6): NAL units wait in a DonBuffer (a fragmented one first in a
 * NalCollector) and leave in decoding order into the codec's UnitAssembler. A loss marks
 * everything held or pending as damaged, since the lost packet may have belonged to any of it.
 */
import type { Counter } from "../../core/types.ts";
import type { UnitAssembler } from "./rtp_unit.ts";
import { DonBuffer, type DonNal, NalCollector } from "./don.ts";

/** DON buffer, open fragment and loss state of one depacketizer in DON mode. */
export class DonMode {
  /** The fragmented NAL unit being collected (RFC 6184 FU-B/FU-A, RFC 7798 FU). */
  readonly fu: NalCollector;
  /** DON of the open fragmented NAL unit (carried by its first fragment only). */
  fuDon = 0;
  /** RTP timestamp of the open fragmented NAL unit's first fragment. */
  fuTs = 0;
  /** Packets were lost right before the current one: NAL units held now are damaged. */
  lossy = false;
  readonly #buf: DonBuffer;
  readonly #unit: UnitAssembler;
  readonly #count: Counter;

  /**
   * `depth`: NAL units that may precede one in transmission and follow it in decoding
   * order; `bufBytes`: the signalled buffer size (0 or above `maxUnitBytes` means
   * `maxUnitBytes`), which also caps one fragmented NAL unit.
   */
  constructor(
    unit: UnitAssembler,
    depth: number,
    bufBytes: number,
    maxUnitBytes: number,
    count: Counter,
  ) {
    this.#unit = unit;
    this.#count = count;
    const cap = Math.min(bufBytes || maxUnitBytes, maxUnitBytes);
    this.#buf = new DonBuffer(depth, cap, (n) => this.#release(n), count);
    this.fu = new NalCollector(maxUnitBytes);
  }

  /** A packet arrives; `lostBefore` when packets were lost before it. */
  packet(lostBefore: boolean): void {
    if (lostBefore) this.lose();
    this.lossy = lostBefore;
  }

  /** Queue one owned NAL unit; `counted` when it counts toward the depth. */
  hold(
    don: number,
    ts: number,
    type: number,
    data: Uint8Array,
    arrivalMs: number,
    counted: boolean,
  ): void {
    this.#buf.push({ don, ts, type, data, arrivalMs, counted, damaged: this.lossy });
  }

  /** Loss: any held or pending unit may miss a NAL unit. */
  lose(): void {
    if (this.fu.active) this.fu.abort();
    this.#buf.damageAll();
    this.#unit.loss();
    this.lossy = true;
  }

  /** End of stream: an open fragment is dropped ("fu_missing_end"), held NAL units released. */
  flush(): void {
    if (this.fu.active) {
      this.fu.abort();
      this.#count("fu_missing_end");
    }
    this.#buf.drain();
  }

  /** A NAL unit leaves the DON buffer in decoding order: add it to the unit of its timestamp. */
  #release(n: DonNal): void {
    const u = this.#unit;
    u.begin(n.ts, n.arrivalMs);
    if (n.damaged) u.damage(undefined, true);
    u.nal(n.type, n.data);
  }
}
