/** How plausible a payload is as H.265 RTP (RFC 7798 4.4), for lib/codecs/sniff.ts. */
import type { SniffScore } from "../spec.ts";
import { aggregate } from "../h26x/sniff.ts";
import { parseH265Sps } from "./sps.ts";
import { parseH265Vps } from "./vps.ts";

function h265Nal(nal: Uint8Array): SniffScore {
  if (nal.length < 2 || nal[0] & 0x80 || (nal[0] & 1) || (nal[1] & 0xf8) || !(nal[1] & 7)) {
    return -1;
  }
  const t = (nal[0] >> 1) & 0x3f;
  if (t === 32) return parseH265Vps(nal).ok ? 2 : -1;
  if (t === 33) return parseH265Sps(nal).ok ? 2 : -1;
  if (t <= 9 || (t >= 16 && t <= 21) || (t >= 34 && t <= 40)) return 1;
  return -1;
}

/** H.265 RTP payload (RFC 7798 4.4): single NAL, AP, FU (layer id 0 expected). */
export function sniffH265(p: Uint8Array): SniffScore {
  if (p.length < 3 || p[0] & 0x80 || (p[0] & 1) || (p[1] & 0xf8) || !(p[1] & 7)) return -1;
  const t = (p[0] >> 1) & 0x3f;
  if (t === 48) return aggregate(p, 2, h265Nal); // AP (RFC 7798 4.4.2)
  if (t === 49) { // FU header: S E type(6)
    const fu = p[2];
    const inner = fu & 0x3f;
    if (
      (fu & 0xc0) === 0xc0 || inner > 40 || (inner > 21 && inner < 32) || (inner > 9 && inner < 16)
    ) {
      return -1;
    }
    return fu & 0x80 && inner >= 16 && inner <= 21 ? 2 : 1;
  }
  return t === 50 ? 0 : h265Nal(p);
}
