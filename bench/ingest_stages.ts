/**
 * The first two stages of the TS ingest path on their own, for bench/ingest_bench.ts's
 * "where the cost is" rows: the demuxer alone (TS packets, PSI, PES reassembly into
 * slabs; chunks dropped) and the demuxer feeding the Annex B access-unit assembler
 * (start-code scan, unit cut, AU inspection; units dropped). What is dropped is released
 * (lib/core/slabs.ts), as the GOP buffer releases what it drops, so the stages reuse PES
 * slabs as the whole path does. The whole path adds the Stream (track stats, parameter
 * sets, A/V sync) and the FrameStore (GOP buffer).
 *
 * And a floor: what any TypeScript reader of the same bytes has to do at the least, with
 * nothing of sluice's around it, reading the file in memory directly (no receive copy). Per 188-byte packet: the sync byte, PID, PUSI and
 * adaptation field; the video PID's payload copied into one contiguous PES buffer
 * (`set` of a `subarray`, the fastest copy measured: byte loops and DataView word copies
 * are 2-3x slower); at each PES end the start codes up to the first slice
 * (`nextStartCode`, stride 3), as the assembler reads a PES it trusts to hold one
 * access unit (lib/codecs/h26x/tail_skip.ts). No PSI, no continuity, no PES header, no
 * audio, no frames, no buffer. Until 2026-12-06 the floor scanned every byte, as the
 * assembler then did; ffmpeg's demuxer and parser still do (in C, a word at a time).
 */
import { AnnexBAssembler } from "../lib/codecs/h26x/annexb_assembler.ts";
import { nextStartCode, vclByte } from "../lib/codecs/h26x/nal_kind.ts";
import { TsDemuxer } from "../lib/container/mpegts/demuxer.ts";
import { releaseBefore } from "../lib/core/slabs.ts";
import type { BenchCodec } from "./_bench.ts";
import { cpuSelf } from "./_bench.ts";
import type { SrtReads } from "./_srt_reads.ts";

/** Stages measured apart from the whole path. */
export type IngestStage = "demux" | "demux+assembly" | "floor";

/**
 * One pass of `stage` over the input, read as the SRT listener reads it (the floor reads
 * the file directly): CPU seconds and units seen.
 */
export function stageOnce(
  reads: SrtReads,
  codec: BenchCodec,
  stage: IngestStage,
): { cpu: number; units: number } {
  if (stage === "floor") return floorOnce(reads.data, codec);
  let units = 0;
  const asm = new Map<number, AnnexBAssembler>();
  const d = new TsDemuxer({
    onTrack(info) {
      if (stage !== "demux" && info.kind === "video" && !asm.has(info.id)) {
        const onUnit = (au: { data: Uint8Array }) => {
          units++;
          releaseBefore(au.data);
        };
        const count = () => {};
        asm.set(
          info.id,
          new AnnexBAssembler({ codec, trackId: info.id, clockRate: 90000, onUnit, count }),
        );
      }
    },
    onChunk(c) {
      const a = asm.get(c.trackId);
      if (a) a.push(c);
      else {
        units++;
        releaseBefore(c.data);
      }
    },
    count() {},
  }); // deno-fmt-ignore
  const c0 = cpuSelf();
  // read into the drain buffer first, as in the whole path
  reads.feed((chunk, t) => d.push(chunk, t));
  d.flush();
  for (const a of asm.values()) a.flush();
  return { cpu: cpuSelf() - c0, units };
}

/** The floor (module doc): header, copy and the head's start codes, video PID only. */
function floorOnce(data: Uint8Array, codec: BenchCodec): { cpu: number; units: number } {
  let pes = new Uint8Array(FLOOR_SLAB);
  let at = 0; // start of the PES being collected in `pes`
  let len = 0;
  let video = -1; // the first PID whose PES carries a video stream_id (0xE0-0xEF)
  let units = 0;
  const vcl = vclByte(codec);
  // the NAL units up to the first slice (what the assembler reads of a trusted PES)
  const scan = () => {
    const v = pes.subarray(at, at + len);
    for (let f = 0;;) {
      const j = nextStartCode(v, f);
      if (j < 0 || j + 1 >= v.length) break;
      units++;
      if (vcl(v[j + 1])) break;
      f = j + 1;
    }
  };
  const c0 = cpuSelf();
  for (let o = 0; o < data.length; o += 1316) {
    const c = data.subarray(o, o + 1316);
    for (let p = 0; p + 188 <= c.length; p += 188) {
      if (c[p] !== 0x47) continue;
      const pid = ((c[p + 1] & 0x1f) << 8) | c[p + 2];
      const pusi = (c[p + 1] & 0x40) !== 0;
      const afc = (c[p + 3] >> 4) & 3;
      const s = afc & 2 ? p + 5 + c[p + 4] : p + 4;
      if (!(afc & 1) || s >= p + 188) continue;
      if (video < 0 && pusi && c[s] === 0 && c[s + 1] === 0 && c[s + 2] === 1) {
        if ((c[s + 3] & 0xf0) === 0xe0) video = pid;
      }
      if (pid !== video) continue;
      if (pusi) {
        if (len > 0) scan();
        at += len;
        len = 0;
      }
      const n = p + 188 - s;
      if (at + len + n > pes.length) {
        // a new slab, the PES so far moved to its start (as PesBuffer does)
        const next = new Uint8Array(Math.max(FLOOR_SLAB, 2 * (len + n)));
        next.set(pes.subarray(at, at + len));
        pes = next;
        at = 0;
      }
      pes.set(c.subarray(s, p + 188), at + len);
      len += n;
    }
  }
  if (len > 0) scan();
  return { cpu: cpuSelf() - c0, units };
}

/** Slab the floor's PES buffer is cut from, bytes (PesBuffer's video slab). */
const FLOOR_SLAB = 1024 * 1024;
