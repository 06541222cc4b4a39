/**
 * MPEG-TS transport packet header and adaptation field (ISO/IEC 13818-1 2.4.3.2, 2.4.3.4).
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  sync = 0x47  |E|S|P|          PID            |SC |AF |  CC   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  E transport_error_indicator, S payload_unit_start_indicator, P priority,
 *  SC transport_scrambling_control, AF adaptation_field_control, CC continuity_counter
 * ```
 */

/** Transport packet size in bytes (ISO/IEC 13818-1 2.4.3.1). */
export const TS_PACKET_SIZE = 188;
/** sync_byte (ISO/IEC 13818-1 2.4.3.3). */
export const TS_SYNC = 0x47;
/** PID of the program association table. */
export const PAT_PID = 0;
/** PID of null packets (stuffing), ignored. */
export const NULL_PID = 0x1fff;

/**
 * Parsed fields of one transport packet, filled in place by `readTsHeader` so the
 * hot path allocates nothing. PCR is `pcrBase` (33-bit, 90 kHz) and `pcrExt` (0..299,
 * 27 MHz); `pcrBase` is -1 when the packet carries no PCR.
 */
export class TsHeader {
  pid = 0;
  tei = false;
  pusi = false;
  scrambling = 0;
  cc = 0;
  hasPayload = false;
  /** Offset of the payload within the packet (188 when there is none). */
  payloadStart = 4;
  discontinuity = false;
  randomAccess = false;
  pcrBase = -1;
  pcrExt = 0;
}

/**
 * Reads the 4-byte header and the adaptation field of a 188-byte packet into `h`
 * (ISO/IEC 13818-1 Table 2-2, Table 2-6). Returns a failure reason for a malformed
 * adaptation field ("af_invalid"), otherwise undefined. Never throws.
 */
export function readTsHeader(pkt: Uint8Array, h: TsHeader): "af_invalid" | undefined {
  const b1 = pkt[1];
  const b3 = pkt[3];
  h.tei = (b1 & 0x80) !== 0;
  h.pusi = (b1 & 0x40) !== 0;
  h.pid = ((b1 & 0x1f) << 8) | pkt[2];
  h.scrambling = b3 >> 6;
  const afc = (b3 >> 4) & 3;
  h.cc = b3 & 0x0f;
  h.hasPayload = (afc & 1) !== 0;
  h.discontinuity = false;
  h.randomAccess = false;
  h.pcrBase = -1;
  h.pcrExt = 0;
  h.payloadStart = 4;
  if (afc & 2) {
    const len = pkt[4];
    // afc 10: AF fills the packet (183); afc 11: 0..182 (ISO/IEC 13818-1 2.4.3.5).
    if (len > 183 || (h.hasPayload && len > 182)) return "af_invalid";
    h.payloadStart = 5 + len;
    if (len > 0) {
      const flags = pkt[5];
      h.discontinuity = (flags & 0x80) !== 0;
      h.randomAccess = (flags & 0x40) !== 0;
      if (flags & 0x10) {
        if (len < 7) return "af_invalid";
        // program_clock_reference_base (33) reserved (6) extension (9)
        h.pcrBase = pkt[6] * 0x2000000 + pkt[7] * 0x20000 + pkt[8] * 0x200 + pkt[9] * 2 +
          (pkt[10] >> 7);
        h.pcrExt = ((pkt[10] & 1) << 8) | pkt[11];
      }
    }
  }
  if (!h.hasPayload) h.payloadStart = TS_PACKET_SIZE;
  return undefined;
}
