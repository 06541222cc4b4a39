/** How plausible a payload is as H.264 RTP (RFC 6184 5.2-5.8), for lib/codecs/sniff.ts. */
import type { SniffScore } from "../spec.ts";
import { aggregate } from "../h26x/sniff.ts";
import { parseH264Sps } from "./sps.ts";

function h264Nal(nal: Uint8Array): SniffScore {
  if (nal[0] & 0x80) return -1;
  const t = nal[0] & 0x1f;
  if (t === 7) return parseH264Sps(nal).ok ? 2 : -1;
  if (t === 1 || t === 5 || t === 6 || t === 8 || t === 9) return 1;
  if (t >= 2 && t <= 4) return 0; // data partitions: legal, rare
  return t >= 10 && t <= 21 ? 0 : -1;
}

/** H.264 RTP payload (RFC 6184 5.2-5.8): single NAL, STAP-A, FU-A. */
export function sniffH264(p: Uint8Array): SniffScore {
  if (p.length < 2 || p[0] & 0x80) return -1;
  const t = p[0] & 0x1f;
  if (t === 24) return aggregate(p, 1, h264Nal); // STAP-A (RFC 6184 5.7.1)
  if (t === 28) { // FU-A: S and E not both set, R = 0, inner type 1-23
    const fu = p[1];
    const inner = fu & 0x1f;
    if ((fu & 0xc0) === 0xc0 || fu & 0x20 || inner === 0 || inner > 23) return -1;
    return fu & 0x80 && inner === 5 ? 2 : 1;
  }
  if (t >= 25 && t <= 29) return 0;
  return t === 0 || t > 29 ? -1 : h264Nal(p);
}
