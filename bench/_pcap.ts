/**
 * libpcap files of RTP datagrams for the peers that read captures (GStreamer `pcapparse`):
 * Ethernet/IPv4/UDP 127.0.0.1:5006 -> 127.0.0.1:5004, one record a datagram, stamped with
 * its arrival time. Used by bench/rtp_bench.ts and bench/h26x_depay_bench.ts.
 */

/** A datagram and its arrival time, µs. */
export interface Timed {
  data: Uint8Array;
  arrivalUs: number;
}

/** A libpcap file (LINKTYPE_ETHERNET, IPv4/UDP 127.0.0.1:5006 -> :5004) of `pkts`. */
export function toPcap(pkts: Timed[]): Uint8Array {
  const size = 24 + pkts.reduce((n, p) => n + 16 + 42 + p.data.length, 0);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, 65535, true);
  dv.setUint32(20, 1, true);
  let o = 24;
  for (const p of pkts) {
    const len = 42 + p.data.length;
    dv.setUint32(o, 1_000_000 + Math.floor(p.arrivalUs / 1e6), true);
    dv.setUint32(o + 4, Math.floor(p.arrivalUs % 1e6), true);
    dv.setUint32(o + 8, len, true);
    dv.setUint32(o + 12, len, true);
    const f = o + 16;
    dv.setUint16(f + 12, 0x0800);
    out.set([
      0x45,
      0,
      (28 + p.data.length) >> 8,
      (28 + p.data.length) & 0xff,
      0,
      0,
      0x40,
      0,
      64,
      17,
    ], f + 14); // deno-fmt-ignore
    out.set([127, 0, 0, 1, 127, 0, 0, 1], f + 26);
    dv.setUint16(f + 34, 5006);
    dv.setUint16(f + 36, 5004);
    dv.setUint16(f + 38, 8 + p.data.length);
    out.set(p.data, f + 42);
    o += 16 + len;
  }
  return out;
}
