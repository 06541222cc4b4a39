/**
 * H.264 SEI messages (ITU-T H.264 7.3.2.3.1 sei_message, D.1.8 recovery point): finds a
 * recovery point SEI, which marks an open-GOP random access point in streams without IDR.
 *
 * ```
 * sei_message: (0xFF)* last_payload_type_byte  (0xFF)* last_payload_size_byte  payload
 * recovery_point(payloadType 6): recovery_frame_cnt ue exact_match_flag(1)
 *                                broken_link_flag(1) changing_slice_group_idc(2)
 * ```
 */
import { BitReader, unescapeRbsp } from "../../core/bits.ts";
import { fail, ok, type Result } from "../../core/result.ts";

/** Bytes of an SEI NAL unit looked at. */
export const MAX_SEI_BYTES = 65536;
/** SEI messages looked at in one NAL unit. */
export const MAX_SEI_MESSAGES = 64;
/** payloadType of the recovery point SEI (D.1.8). */
export const SEI_RECOVERY_POINT = 6;

/** Recovery point SEI contents (D.2.8). */
export interface RecoveryPoint {
  /** Frames (in output order) until pictures are correct; 0 = this picture. */
  recoveryFrameCnt: number;
  exactMatch: boolean;
  brokenLink: boolean;
}

/** One SEI message: its type and payload (a view of the unescaped RBSP). */
export interface SeiMessage {
  payloadType: number;
  payload: Uint8Array;
}

/**
 * Splits an H.264 SEI NAL unit (header byte included) into messages (7.3.2.3). Stops at
 * rbsp_trailing_bits. Reasons: "sei_not_sei", "sei_truncated".
 */
export function parseH264Sei(nal: Uint8Array): Result<SeiMessage[]> {
  if (nal.length < 2 || (nal[0] & 0x1f) !== 6) return fail("sei_not_sei");
  const d = unescapeRbsp(nal, MAX_SEI_BYTES);
  const out: SeiMessage[] = [];
  let o = 1;
  while (o < d.length && out.length < MAX_SEI_MESSAGES) {
    if (d[o] === 0x80 && o === d.length - 1) break; // rbsp_stop_one_bit + alignment
    let type = 0;
    while (o < d.length && d[o] === 0xff) type += d[o++];
    if (o >= d.length) return fail("sei_truncated");
    type += d[o++];
    let size = 0;
    while (o < d.length && d[o] === 0xff) size += d[o++];
    if (o >= d.length) return fail("sei_truncated");
    size += d[o++];
    if (o + size > d.length) return fail("sei_truncated");
    out.push({ payloadType: type, payload: d.subarray(o, o + size) });
    o += size;
  }
  return ok(out);
}

/**
 * The recovery point of an SEI NAL unit, or null when it carries none.
 * Reasons: those of parseH264Sei, and "sei_invalid" for an unreadable recovery point.
 */
export function findRecoveryPoint(nal: Uint8Array): Result<RecoveryPoint | null> {
  const msgs = parseH264Sei(nal);
  if (!msgs.ok) return msgs;
  for (const m of msgs.value) {
    if (m.payloadType !== SEI_RECOVERY_POINT) continue;
    const r = new BitReader(m.payload);
    const recoveryFrameCnt = r.ue();
    const exactMatch = r.flag();
    const brokenLink = r.flag();
    if (r.overrun || recoveryFrameCnt > 65535) return fail("sei_invalid");
    return ok({ recoveryFrameCnt, exactMatch, brokenLink });
  }
  return ok(null);
}
