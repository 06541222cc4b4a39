/** Test helper: runs TsDemuxer over bytes cut at given sizes and collects everything. */
import { TsDemuxer } from "../../../../lib/media/mpegts/demuxer.ts";
import type { EsChunk, TrackInfo } from "../../../../lib/media/types.ts";

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
  opts: { maxPesBytes?: number; program?: number } = {},
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
