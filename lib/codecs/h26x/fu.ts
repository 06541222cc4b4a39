/**
 * Fragmentation units, the one place they are reassembled: H.264 FU-A/FU-B (RFC 6184
 * 5.8) and H.265 FU (RFC 7798 4.4.3). The depacketizers (../h264/depacketizer.ts,
 * ../h265/depacketizer.ts) read the FU header; the pieces go either straight into the
 * access unit being built (rtp_unit.ts) or, in DON mode, into the open fragment of
 * don_mode.ts until the end piece, then through the DON buffer (don.ts).
 */
import type { DataReason } from "../../core/reasons/catalogue.ts";
import type { DonMode } from "./don_mode.ts";
import type { UnitAssembler } from "./rtp_unit.ts";

/** One FU packet as its codec read it. */
export interface FuPiece {
  /** nal_unit_type of the fragmented NAL unit. */
  type: number;
  /** S and E bits of the FU header. */
  start: boolean;
  end: boolean;
  /** The fragment's bytes (after the FU header and any DON field). */
  body: Uint8Array;
}

/**
 * Non-interleaved: a start piece opens a NAL unit with the reconstructed header
 * (`h0`, `h1`: `headerBytes` of them), later pieces continue it. A piece without a
 * start is counted "fu_without_start" (once per damaged unit), one of another type
 * "fu_type_mismatch"; either way the access unit is damaged.
 */
export function fuIntoUnit(
  u: UnitAssembler,
  f: FuPiece,
  h0: number,
  h1: number,
  headerBytes: 1 | 2,
): void {
  if (f.start) {
    u.fragmentStart(f.type, h0, h1, headerBytes);
    u.fragmentPart(f.body, f.end);
  } else if (!u.inFragment) {
    if (!u.damaged) u.damage("fu_without_start", true);
  } else if (u.fragmentType !== f.type) u.damage("fu_type_mismatch", true);
  else u.fragmentPart(f.body, f.end);
}

/**
 * DON mode: a start piece (carrying the DON, `don`) opens the fragment with the
 * reconstructed NAL `header`, later pieces append. Returns the whole NAL unit at the end
 * piece (its DON and timestamp in `dm.fuDon`, `dm.fuTs`). `bad` counts a reason and marks
 * the loss: "fu_missing_end" (a start while one is open), "fu_without_start",
 * "frame_oversize".
 */
export function fuIntoDon(
  dm: DonMode,
  f: FuPiece,
  start: { don: number; ts: number; header: Uint8Array } | undefined,
  bad: (reason: DataReason) => void,
): Uint8Array | undefined {
  const fu = dm.fu;
  if (start) {
    if (fu.active) bad("fu_missing_end");
    dm.fuDon = start.don;
    dm.fuTs = start.ts;
    fu.start(start.header);
    fu.append(f.body);
  } else if (!fu.active) {
    bad("fu_without_start");
    return undefined;
  } else if (!fu.append(f.body)) {
    bad("frame_oversize");
    return undefined;
  }
  return f.end ? fu.take() : undefined;
}
