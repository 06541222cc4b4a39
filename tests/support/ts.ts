/**
 * The tests' one MPEG-TS builder and reader: cut TS files into packets, edit and re-sign
 * PSI, build small TS streams (ISO/IEC 13818-1 2.4.3, 2.4.4); read them through the
 * production demuxer (lib/container/mpegts/demuxer.ts), never a second parser.
 */
import { type PacketTap, TsDemuxer } from "@lib/container/mpegts/demuxer.ts";
import type { EsChunk, TrackInfo } from "@lib/core/types.ts";
import { crc32Mpeg } from "@lib/container/mpegts/psi.ts";
import { writeTimestamp33 } from "@lib/container/mpegts/ts_writer.ts";

/** The file as copied 188-byte packets. */
export function packets(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o + 188 <= data.length; o += 188) out.push(data.slice(o, o + 188));
  return out;
}

/** Concatenates byte arrays. */
export function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** PID of a packet. */
export const pidOf = (p: Uint8Array): number => ((p[1] & 0x1f) << 8) | p[2];
/** payload_unit_start_indicator of a packet. */
export const pusiOf = (p: Uint8Array): boolean => (p[1] & 0x40) !== 0;
/** Offset of the payload in a packet. */
export const payloadAt = (p: Uint8Array): number => (p[3] & 0x20 ? 5 + p[4] : 4);

/** [start, end) of the (first) PSI section in a unit-start packet. */
export function sectionAt(p: Uint8Array): [number, number] {
  const start = payloadAt(p) + 1 + p[payloadAt(p)];
  return [start, start + 3 + (((p[start + 1] & 0x0f) << 8) | p[start + 2])];
}

/** Recomputes the CRC_32 of the section in `p` (in place). */
export function resign(p: Uint8Array): void {
  const [s, e] = sectionAt(p);
  const crc = crc32Mpeg(p.subarray(s, e - 4));
  new DataView(p.buffer, p.byteOffset).setUint32(e - 4, crc);
}

/** Packets of a PSI section on `pid`, padded with 0xFF. */
export function psiPacket(pid: number, section: Uint8Array, cc = 0): Uint8Array {
  const p = new Uint8Array(188).fill(0xff);
  p.set([0x47, 0x40 | (pid >> 8), pid & 0xff, 0x10 | (cc & 15), 0], 0);
  p.set(section, 5);
  return p;
}

/** A long-form section with a CRC: table_id, id, version, body. */
export function section(tableId: number, id: number, version: number, body: number[]): Uint8Array {
  const len = 5 + body.length + 4;
  const s = new Uint8Array(3 + len);
  s.set([tableId, 0xb0 | (len >> 8), len & 0xff, id >> 8, id & 0xff, 0xc1 | (version << 1), 0, 0]);
  s.set(body, 8);
  new DataView(s.buffer).setUint32(s.length - 4, crc32Mpeg(s.subarray(0, s.length - 4)));
  return s;
}

/** A PAT with one program (number 1) whose PMT is on `pmtPid`. */
export function pat(pmtPid: number): Uint8Array {
  return psiPacket(0, section(0, 1, 0, [0, 1, 0xe0 | (pmtPid >> 8), pmtPid & 0xff]));
}

/** A PMT for program 1: PCR on the first stream's PID. */
export function pmt(
  pmtPid: number,
  streams: { pid: number; type: number; desc?: number[] }[],
  version = 0,
): Uint8Array {
  const body = [0xe0 | (streams[0].pid >> 8), streams[0].pid & 0xff, 0xf0, 0];
  for (const s of streams) {
    const d = s.desc ?? [];
    body.push(
      s.type,
      0xe0 | (s.pid >> 8),
      s.pid & 0xff,
      0xf0 | (d.length >> 8),
      d.length & 0xff,
      ...d,
    );
  }
  return psiPacket(pmtPid, section(2, 1, version, body), version);
}

/** TS packets of one PES (bounded length unless `unbounded`), CC from `cc`. */
export function pesPackets(
  pid: number,
  streamId: number,
  payload: Uint8Array,
  pts: number,
  opts: { cc?: number; rai?: boolean; unbounded?: boolean } = {},
): Uint8Array[] {
  const head = new Uint8Array(14);
  const plen = opts.unbounded ? 0 : 8 + payload.length;
  head.set([0, 0, 1, streamId, plen >> 8, plen & 0xff, 0x84, 0x80, 5]);
  writeTimestamp33(head, 9, 2, pts);
  const pes = join([head, payload]);
  const out: Uint8Array[] = [];
  let cc = opts.cc ?? 0;
  for (let o = 0; o < pes.length; cc++) {
    const p = new Uint8Array(188);
    const first = o === 0;
    const room = first && opts.rai ? 182 : 184;
    const n = Math.min(room, pes.length - o);
    const afLen = 184 - n - 1; // -1: the length byte itself
    p.set([0x47, (first ? 0x40 : 0) | (pid >> 8), pid & 0xff, (cc & 15) | 0x10]);
    let at = 4;
    if (n < 184) {
      p[3] |= 0x20;
      p[4] = afLen;
      if (afLen > 0) {
        p[5] = first && opts.rai ? 0x40 : 0;
        p.fill(0xff, 6, 5 + afLen);
      }
      at = 5 + afLen;
    }
    p.set(pes.subarray(o, o + n), at);
    o += n;
    out.push(p);
  }
  return out;
}

/** What one demux run produced. */
export interface DemuxRun {
  tracks: TrackInfo[];
  chunks: Map<number, EsChunk[]>;
  counts: Record<string, number>;
  pcr: number | undefined;
  maxBuffered: number;
}

/** Demuxes `data` pushed in slices of the sizes in `sizes` (cycled), then flushes. */
export function demux(
  data: Uint8Array,
  sizes: number[] = [data.length],
  opts: { maxPesBytes?: number; program?: number; tap?: PacketTap } = {},
): DemuxRun {
  const run: DemuxRun = {
    tracks: [],
    chunks: new Map(),
    counts: {},
    pcr: undefined,
    maxBuffered: 0,
  };
  const d = new TsDemuxer({
    ...opts,
    onTrack: (i) => run.tracks.push(i),
    onChunk: (c) => {
      const list = run.chunks.get(c.trackId) ?? [];
      list.push(c);
      run.chunks.set(c.trackId, list);
    },
    count: (r, n = 1) => {
      run.counts[r] = (run.counts[r] ?? 0) + n;
    },
  });
  let o = 0;
  for (let i = 0; o < data.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]);
    d.push(data.subarray(o, o + n), i);
    o += n;
    run.maxBuffered = Math.max(run.maxBuffered, d.bufferedBytes);
  }
  d.flush();
  run.pcr = d.pcr;
  return run;
}

/** Chunks of the first track of `kind`. */
export function chunksOf(run: DemuxRun, kind: "video" | "audio"): EsChunk[] {
  const t = run.tracks.find((t) => t.kind === kind);
  return t ? run.chunks.get(t.id) ?? [] : [];
}

/** The first track of one of `codecs` in a demux run, with its chunks (whole PES for video). */
export function trackOf(
  run: DemuxRun,
  ...codecs: string[]
): { info: TrackInfo; chunks: EsChunk[] } {
  const info = run.tracks.find((t) => codecs.includes(t.codec));
  if (!info) throw new Error(`no track of ${codecs}`);
  return { info, chunks: run.chunks.get(info.id) ?? [] };
}

/** Every track's chunks joined (elementary stream bytes without PES headers). */
export function trackBytes(run: DemuxRun): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  for (const [id, list] of run.chunks) {
    const buf = new Uint8Array(list.reduce((a, c) => a + c.data.length, 0));
    let k = 0;
    for (const c of list) {
      buf.set(c.data, k);
      k += c.data.length;
    }
    out.set(id, buf);
  }
  return out;
}

/**
 * Chunks cut to at most `size` bytes (184: one TS packet's payload), the first piece of
 * each keeping its timestamps and flags, as a transport would hand a PES over piecewise.
 */
export function pieces(chunks: EsChunk[], size = 184): EsChunk[] {
  const out: EsChunk[] = [];
  for (const c of chunks) {
    for (let o = 0; o < c.data.length || o === 0; o += size) {
      const data = c.data.subarray(o, o + size);
      out.push(
        o === 0 ? { ...c, data } : { ...c, data, pts: undefined, dts: undefined, unitStart: false },
      );
      if (c.data.length === 0) break;
    }
  }
  return out;
}

/** Temporal units of an IVF file (32-byte header, then 12-byte frame headers). */
export function ivfFrames(buf: Uint8Array, n: number): Uint8Array[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Uint8Array[] = [];
  for (let o = dv.getUint16(6, true); o + 12 <= buf.length && out.length < n;) {
    const size = dv.getUint32(o, true);
    out.push(buf.subarray(o + 12, o + 12 + size));
    o += 12 + size;
  }
  return out;
}
