/** How plausible a payload is as JPEG XS RTP (RFC 9134 4.3), for lib/codecs/sniff.ts. */
import type { SniffScore } from "../spec.ts";
import { newJxsHeader, readJxsHeader } from "./payload_header.ts";
import { parseJxsPictureHeader } from "./picture_header.ts";

/**
 * JPEG XS RTP payload (RFC 9134 4.3): T K L I(2) F(5) SEP(11) P(11), then the segment.
 * A frame's first packet (codestream mode SEP=P=0, slice mode SEP=2047 P=0) must hold
 * a parsable header; a slice's first packet (slice mode, P=0) must start with SLH.
 */
export function sniffJpegXs(p: Uint8Array): SniffScore {
  const h = jxsHeader;
  if (!readJxsHeader(p, h) || p.length < 6 || h.interlace === 1) return -1;
  if (!h.sequential && !h.sliceMode) return -1; // T=0 only in slice mode
  if (h.packet !== 0) return 0;
  if (h.sliceMode ? h.sep === 0x7ff : h.sep === 0) {
    return parseJxsPictureHeader(p.subarray(4)).ok ? 2 : -1;
  }
  if (!h.sliceMode) return 0;
  return p[4] === 0xff && p[5] === 0x20 ? 1 : -1;
}
const jxsHeader = newJxsHeader();
