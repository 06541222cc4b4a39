/**
 * RTP fixed header parser (RFC 3550 5.1), with header extensions (RFC 3550 5.3.1,
 * RFC 8285 one- and two-byte forms exposed raw) and padding (RFC 3550 5.1 P bit).
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           timestamp                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           synchronization source (SSRC) identifier            |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |            contributing source (CSRC) identifiers             |
 * |                             ....                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      defined by profile       |           length              |  (X=1)
 * |                        header extension                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 */
import type { RtpPacket } from "../../core/types.ts";
import { fail, ok, type Result } from "../../core/result.ts";
import type { DataReason } from "../../core/reasons/catalogue.ts";

/** Size of the fixed RTP header in bytes (RFC 3550 5.1). */
export const RTP_HEADER_BYTES = 12;
/** RFC 8285 4.2 one-byte header extension profile ("defined by profile" = 0xBEDE). */
export const EXT_PROFILE_ONE_BYTE = 0xbede;
/** RFC 8285 4.3 two-byte header extension profile (0x100X, appbits in the low nibble). */
export const EXT_PROFILE_TWO_BYTE = 0x1000;

const NO_CSRCS: number[] = Object.freeze([]) as unknown as number[];

/**
 * Parses one RTP packet (RFC 3550 5.1). Never throws on any input. `payload` and
 * `extensionData` are subarrays of `data` (no copy, `data` is not modified).
 * Reasons: "rtp_too_short" (shorter than the header, CSRC list or nothing left for
 * the payload), "rtp_version" (V != 2), "rtp_extension" (extension runs past the end),
 * "rtp_padding" (padding count 0 or larger than what follows the header).
 * `extSeq` is set to `seq`; the sequencer assigns the extended value.
 */
export function parseRtp(data: Uint8Array, arrivalMs = 0): Result<RtpPacket, DataReason> {
  const len = data.length;
  if (len < RTP_HEADER_BYTES) return fail("rtp_too_short");
  const b0 = data[0];
  if (b0 >> 6 !== 2) return fail("rtp_version");
  const padding = (b0 & 0x20) !== 0;
  const extension = (b0 & 0x10) !== 0;
  const cc = b0 & 0x0f;
  let off = RTP_HEADER_BYTES + cc * 4;
  if (off > len) return fail("rtp_too_short");
  const b1 = data[1];
  const seq = (data[2] << 8) | data[3];
  const timestamp = ((data[4] << 24) | (data[5] << 16) | (data[6] << 8) | data[7]) >>> 0;
  const ssrc = ((data[8] << 24) | (data[9] << 16) | (data[10] << 8) | data[11]) >>> 0;
  let csrcs = NO_CSRCS;
  if (cc > 0) {
    csrcs = new Array(cc);
    for (let i = 0; i < cc; i++) {
      const o = RTP_HEADER_BYTES + i * 4;
      csrcs[i] = ((data[o] << 24) | (data[o + 1] << 16) | (data[o + 2] << 8) | data[o + 3]) >>> 0;
    }
  }
  let extensionProfile: number | undefined;
  let extensionData: Uint8Array | undefined;
  if (extension) {
    if (off + 4 > len) return fail("rtp_extension");
    extensionProfile = (data[off] << 8) | data[off + 1];
    const words = (data[off + 2] << 8) | data[off + 3];
    const end = off + 4 + words * 4;
    if (end > len) return fail("rtp_extension");
    extensionData = data.subarray(off + 4, end);
    off = end;
  }
  let end = len;
  if (padding) {
    const pad = data[len - 1];
    if (pad === 0 || pad > len - off) return fail("rtp_padding");
    end = len - pad;
  }
  const pkt: RtpPacket = {
    version: 2,
    padding,
    extension,
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    seq,
    extSeq: seq,
    timestamp,
    ssrc,
    csrcs,
    payload: data.subarray(off, end),
    arrivalMs,
  };
  if (extension) {
    pkt.extensionProfile = extensionProfile;
    pkt.extensionData = extensionData;
  }
  return ok(pkt);
}

/** One RFC 8285 header extension element: local identifier and its data (a subarray). */
export interface HeaderExtensionElement {
  id: number;
  data: Uint8Array;
}

/** Cap on elements returned by {@link parseHeaderExtensions} (RFC 8285 allows 14 / 255 ids). */
export const MAX_EXTENSION_ELEMENTS = 64;

/**
 * Splits RFC 8285 one-byte (4.2) or two-byte (4.3) header extension data into
 * elements. Returns "rtp_extension" for other profiles or elements running past the end.
 */
export function parseHeaderExtensions(
  profile: number,
  data: Uint8Array,
): Result<HeaderExtensionElement[]> {
  const out: HeaderExtensionElement[] = [];
  const oneByte = profile === EXT_PROFILE_ONE_BYTE;
  if (!oneByte && (profile & 0xfff0) !== EXT_PROFILE_TWO_BYTE) return fail("rtp_extension");
  let i = 0;
  while (i < data.length && out.length < MAX_EXTENSION_ELEMENTS) {
    const b = data[i];
    if (b === 0) { // padding byte
      i++;
      continue;
    }
    let id: number;
    let n: number;
    if (oneByte) {
      id = b >> 4;
      if (id === 15) break; // RFC 8285 4.2: stop processing
      n = (b & 0x0f) + 1;
      i += 1;
    } else {
      if (i + 1 >= data.length) return fail("rtp_extension");
      id = b;
      n = data[i + 1];
      i += 2;
    }
    if (i + n > data.length) return fail("rtp_extension");
    out.push({ id, data: data.subarray(i, i + n) });
    i += n;
  }
  return ok(out);
}
