/**
 * Test-local MPEG-TS PES extractor (ISO/IEC 13818-1 2.4.3, 2.4.4, 2.4.3.7), standing in
 * for lib/media/mpegts until the demuxer lands: PAT -> PMT -> elementary PIDs, one
 * EsChunk per TS packet payload (the first of a PES carries its PTS/DTS).
 */
import type { EsChunk } from "../../../../lib/core/types.ts";

/** One elementary stream of the first program. */
export interface TsStream {
  pid: number;
  streamType: number;
  chunks: EsChunk[];
}

function readTs(b: Uint8Array, o: number): number {
  return (b[o] >> 1 & 7) * 2 ** 30 + (b[o + 1] << 22 | (b[o + 2] >> 1) << 15 | b[o + 3] << 7 |
    b[o + 4] >> 1);
}

/** Splits a TS file into per-PID chunk lists (arrivalMs = packet index). */
export function extractPes(ts: Uint8Array): Map<number, TsStream> {
  const streams = new Map<number, TsStream>();
  let pmtPid = -1;
  for (let o = 0, idx = 0; o + 188 <= ts.length; o += 188, idx++) {
    if (ts[o] !== 0x47) throw new Error(`lost sync at ${o}`);
    const pusi = (ts[o + 1] & 0x40) !== 0;
    const pid = (ts[o + 1] & 0x1f) << 8 | ts[o + 2];
    const afc = (ts[o + 3] >> 4) & 3;
    let p = o + 4;
    if (afc & 2) p += 1 + ts[p];
    if (!(afc & 1) || p >= o + 188) continue;
    const pl = ts.subarray(p, o + 188);
    if (pid === 0 || pid === pmtPid) {
      const s = pl.subarray(1 + pl[0]);
      const secLen = (s[1] & 0x0f) << 8 | s[2];
      const end = 3 + secLen - 4;
      if (pid === 0) pmtPid = (s[10] & 0x1f) << 8 | s[11];
      else {
        let i = 12 + ((s[10] & 0x0f) << 8 | s[11]);
        while (i + 5 <= end) {
          const epid = (s[i + 1] & 0x1f) << 8 | s[i + 2];
          if (!streams.has(epid)) streams.set(epid, { pid: epid, streamType: s[i], chunks: [] });
          i += 5 + ((s[i + 3] & 0x0f) << 8 | s[i + 4]);
        }
      }
      continue;
    }
    const st = streams.get(pid);
    if (!st) continue;
    if (pusi) {
      const flags = pl[7];
      const hl = pl[8];
      const pts = flags & 0x80 ? readTs(pl, 9) : undefined;
      const dts = flags & 0x40 ? readTs(pl, 14) : pts;
      st.chunks.push({
        trackId: pid,
        data: pl.subarray(9 + hl),
        pts,
        dts,
        randomAccess: false,
        unitStart: true,
        arrivalMs: idx,
      });
    } else if (st.chunks.length > 0) {
      st.chunks.push({
        trackId: pid,
        data: pl,
        randomAccess: false,
        unitStart: false,
        arrivalMs: idx,
      });
    }
  }
  return streams;
}

/** The first stream of the given stream types (0x1b H.264, 0x24 H.265, 0x0f AAC). */
export function streamOf(m: Map<number, TsStream>, ...types: number[]): TsStream {
  for (const s of m.values()) if (types.includes(s.streamType)) return s;
  throw new Error(`no stream of type ${types}`);
}

/** Splits ADTS frames (ISO/IEC 14496-3 1.A.2) out of AAC PES chunks, with extrapolated pts. */
export function adtsFrames(chunks: EsChunk[]): { pts: number; data: Uint8Array }[] {
  const out: { pts: number; data: Uint8Array }[] = [];
  const pes: { pts: number; data: Uint8Array }[] = [];
  for (const c of chunks) {
    if (c.unitStart) pes.push({ pts: c.pts ?? 0, data: c.data.slice() });
    else {
      const last = pes[pes.length - 1];
      const m = new Uint8Array(last.data.length + c.data.length);
      m.set(last.data);
      m.set(c.data, last.data.length);
      last.data = m;
    }
  }
  for (const p of pes) {
    let o = 0;
    let k = 0;
    while (o + 7 <= p.data.length && p.data[o] === 0xff) {
      const sr = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000][
        (p.data[o + 2] >> 2) & 0xf
      ];
      const len = (p.data[o + 3] & 3) << 11 | p.data[o + 4] << 3 | p.data[o + 5] >> 5;
      out.push({
        pts: p.pts + Math.round(k * 1024 * 90000 / sr),
        data: p.data.subarray(o, o + len),
      });
      o += len;
      k++;
    }
  }
  return out;
}
