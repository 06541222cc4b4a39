/**
 * Test-only helper: an OBU splitter for low-overhead AV1 streams (AV1 5.3);
 * IVF files: ../_stream_info.ts readIvf.
 */

/** One OBU of a low-overhead stream: type, extension byte (or -1), payload. */
export interface Obu {
  type: number;
  ext: number;
  payload: Uint8Array;
}

/** Splits a low-overhead OBU stream (every OBU with obu_has_size_field = 1). */
export function splitObus(tu: Uint8Array): Obu[] {
  const out: Obu[] = [];
  let o = 0;
  while (o < tu.length) {
    const h = tu[o];
    if ((h & 0x02) === 0) throw new Error(`OBU at ${o} without size field`);
    let p = o + 1;
    const ext = h & 0x04 ? tu[p++] : -1;
    let size = 0;
    for (let i = 0;; i++) {
      const b = tu[p++];
      size += (b & 0x7f) * 2 ** (7 * i);
      if (!(b & 0x80)) break;
    }
    out.push({ type: (h >> 3) & 15, ext, payload: tu.subarray(p, p + size) });
    o = p + size;
    if (o > tu.length) throw new Error("OBU overruns the unit");
  }
  return out;
}
