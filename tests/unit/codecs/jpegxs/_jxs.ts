/** Test-only helpers for JPEG XS: the fixture's codestreams and their picture size. */
import { equal } from "node:assert/strict";
import { readFixture } from "@tests/_helpers.ts";

/**
 * Codestreams of jpegxs/svt_320x240_422_10f.jxs, cut by the Lcod field of each
 * picture header (ISO/IEC 21122-1 A.7: SOC, CAP, then PIH with Lcod first).
 */
export function codestreams(): Uint8Array[] {
  const all = readFixture("jpegxs/svt_320x240_422_10f.jxs");
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < all.length) {
    const dv = new DataView(all.buffer, all.byteOffset + o);
    equal(dv.getUint16(0), 0xff10, "SOC");
    equal(dv.getUint16(2), 0xff50, "CAP");
    const pih = 4 + dv.getUint16(4);
    equal(dv.getUint16(pih), 0xff12, "PIH");
    const lcod = dv.getUint32(pih + 4);
    out.push(all.subarray(o, o + lcod));
    o += lcod;
  }
  return out;
}

/** Width and height (Wf, Hf) from the picture header of a codestream. */
export function pictureSize(cs: Uint8Array): [number, number] {
  const dv = new DataView(cs.buffer, cs.byteOffset, cs.byteLength);
  const pih = 4 + dv.getUint16(4);
  return [dv.getUint16(pih + 12), dv.getUint16(pih + 14)];
}
