/**
 * Test-only H.264/H.265 RTP re-packetizers: they take real access units (the ffmpeg
 * oracles, split at the frame sizes ffprobe listed) and send them again in the payload
 * formats no capture here uses (RFC 6184 interleaved mode: STAP-B, MTAP16/24, FU-B;
 * RFC 7798 DONL/DOND and PACI), so the depacketizer's output can be compared with the
 * oracle byte for byte.
 */
import type { RtpPacket } from "@lib/core/types.ts";
import { splitAnnexB } from "@lib/core/bits.ts";
import { readFixture } from "@tests/_helpers.ts";
import { concat, pkt } from "./_rtp.ts";
import { capturePackets } from "@tests/support/rtp.ts";

/** One oracle access unit: RTP timestamp, Annex B bytes, NAL units, ffprobe's key flag. */
export interface OracleUnit {
  ts: number;
  data: Uint8Array;
  nals: Uint8Array[];
  key: boolean;
}

/** ffprobe packet CSV of the es/ oracles: `pts,dts,size,flags` (4 columns). */
export function readEsCsv(rel: string): { size: number; key: boolean }[] {
  const text = new TextDecoder().decode(readFixture(rel));
  return text.trim().split("\n").map((line) => {
    const f = line.split(",");
    return { size: Number(f[f.length - 2]), key: f[f.length - 1].includes("K") };
  });
}

/** Split an oracle ES into units by its CSV sizes; timestamps from the capture, in order. */
export function oracleUnits(es: string, capture: string): OracleUnit[] {
  const data = readFixture(es);
  const rows = readEsCsv(`${es}.packets.csv`);
  const tss: number[] = [];
  for (const p of capturePackets(capture)) {
    if (tss.length === 0 || tss[tss.length - 1] !== p.timestamp) tss.push(p.timestamp);
  }
  // Cut points from the sizes; ffmpeg's HEVC parser cuts at 00 00 01, so move each cut
  // back onto the 4-byte start code 00 00 00 01 the units begin with.
  const cuts = [0];
  for (const r of rows) cuts.push(cuts[cuts.length - 1] + r.size);
  for (let i = 1; i < cuts.length - 1; i++) {
    const c = cuts[i];
    if (data[c] === 0 && data[c + 1] === 0 && data[c + 2] === 1 && data[c - 1] === 0) {
      cuts[i] = c - 1;
    }
  }
  cuts[cuts.length - 1] = data.length;
  return rows.map((r, i) => {
    const d = data.subarray(cuts[i], cuts[i + 1]);
    return { ts: tss[i], data: d, nals: splitAnnexB(d), key: r.key };
  });
}

const u16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];

/** Swap neighbouring blocks (1<->2, 3<->4, ...), keeping block 0 first: interleaved order. */
export function swapPairs<T>(blocks: T[][]): T[] {
  const out: T[][] = [blocks[0]];
  for (let i = 1; i < blocks.length; i += 2) {
    if (i + 1 < blocks.length) out.push(blocks[i + 1]);
    out.push(blocks[i]);
  }
  return out.flat();
}

/** Number packets in order. */
export function sequence(payloads: { ts: number; payload: Uint8Array }[]): RtpPacket[] {
  return payloads.map((p, i) => pkt(i & 0xffff, p.ts, false, p.payload));
}

/**
 * H.264 interleaved mode, one block per unit: NAL units up to `frag` bytes in a STAP-B
 * (DON of the first, +1 each), larger ones as FU-B then FU-A. DONs from `don0`, wrapping.
 */
export function h264StapB(units: OracleUnit[], don0: number, frag = 1000) {
  let don = don0;
  return units.map((u) => {
    const out: { ts: number; payload: Uint8Array }[] = [];
    let stap: number[] = [];
    let stapDon = -1;
    const close = () => {
      if (stapDon >= 0) {
        out.push({ ts: u.ts, payload: Uint8Array.from([25, ...u16(stapDon), ...stap]) });
      }
      stap = [];
      stapDon = -1;
    };
    for (const n of u.nals) {
      if (n.length <= frag) {
        if (stapDon < 0) stapDon = don;
        stap.push(...u16(n.length), ...n);
      } else {
        close();
        out.push(...h264FuB(n, don, u.ts, frag));
      }
      don = (don + 1) & 0xffff;
    }
    close();
    return out;
  });
}

/** FU-B (with DON) then FU-A fragments of one NAL unit (RFC 6184 5.8). */
export function h264FuB(n: Uint8Array, don: number, ts: number, frag: number) {
  const out: { ts: number; payload: Uint8Array }[] = [];
  const ind = (n[0] & 0xe0) | 29;
  for (let o = 1; o < n.length; o += frag) {
    const first = o === 1;
    const last = o + frag >= n.length;
    const fh = (first ? 0x80 : 0) | (last ? 0x40 : 0) | (n[0] & 0x1f);
    const head = first ? [ind, fh, ...u16(don)] : [(ind & 0xe0) | 28, fh];
    out.push({ ts, payload: concat([Uint8Array.from(head), n.subarray(o, o + frag)]) });
  }
  return out;
}

/** H.264 MTAP16/24: all NAL units of units 2k and 2k+1 in one packet (RFC 6184 5.7.2). */
export function h264Mtap(units: OracleUnit[], don0: number, type: 26 | 27) {
  const blocks: { ts: number; payload: Uint8Array }[][] = [];
  let don = don0;
  for (let i = 0; i < units.length; i += 2) {
    const group = units.slice(i, i + 2);
    const base = Math.min(...group.map((u) => u.ts));
    const body: number[] = [type, ...u16(don)];
    let dond = 0;
    for (const u of group) {
      const off = (u.ts - base) >>> 0;
      const offBytes = type === 26 ? u16(off) : [(off >> 16) & 0xff, ...u16(off)];
      for (const n of u.nals) {
        body.push(...u16(1 + offBytes.length + n.length), dond++, ...offBytes, ...n);
      }
    }
    don = (don + dond) & 0xffff;
    blocks.push([{ ts: base, payload: Uint8Array.from(body) }]);
  }
  return blocks;
}

/**
 * H.265 with DONL/DOND (RFC 7798 4.4, sprop-max-don-diff > 0), one block per unit: NAL
 * units up to `frag` bytes in an AP (or a single NAL unit packet when alone), larger ones
 * as FUs with DONL in the first fragment.
 */
export function h265Donl(units: OracleUnit[], don0: number, frag = 1000) {
  let don = don0;
  return units.map((u) => {
    const out: { ts: number; payload: Uint8Array }[] = [];
    let ap: Uint8Array[] = [];
    let apDon = -1;
    const close = () => {
      if (ap.length === 1) {
        out.push({
          ts: u.ts,
          payload: concat([ap[0].subarray(0, 2), Uint8Array.from(u16(apDon)), ap[0].subarray(2)]),
        });
      } else if (ap.length > 1) {
        const body: number[] = [(ap[0][0] & 0x81) | (48 << 1), ap[0][1], ...u16(apDon)];
        ap.forEach((n, i) => body.push(...(i > 0 ? [0] : []), ...u16(n.length), ...n));
        out.push({ ts: u.ts, payload: Uint8Array.from(body) });
      }
      ap = [];
      apDon = -1;
    };
    for (const n of u.nals) {
      if (n.length <= frag) {
        if (apDon < 0) apDon = don;
        ap.push(n);
      } else {
        close();
        const t = (n[0] >> 1) & 0x3f;
        for (let o = 2; o < n.length; o += frag) {
          const first = o === 2;
          const fh = (first ? 0x80 : 0) | (o + frag >= n.length ? 0x40 : 0) | t;
          const head = [(n[0] & 0x81) | (49 << 1), n[1], fh, ...(first ? u16(don) : [])];
          out.push({ ts: u.ts, payload: concat([Uint8Array.from(head), n.subarray(o, o + frag)]) });
        }
      }
      don = (don + 1) & 0xffff;
    }
    close();
    return out;
  });
}

/** Wrap an H.265 RTP payload in a PACI packet (RFC 7798 4.4.4) with a PHES of `phes` bytes. */
export function h265Paci(payload: Uint8Array, phes: number[]): Uint8Array {
  const h0 = payload[0];
  const a = h0 >> 7;
  const cType = (h0 >> 1) & 0x3f;
  const v = (a << 15) | (cType << 9) | (phes.length << 4) | (phes.length > 0 ? 0x8 : 0);
  const head = [(h0 & 0x81) | (50 << 1), payload[1], ...u16(v), ...phes];
  return concat([Uint8Array.from(head), payload.subarray(2)]);
}
