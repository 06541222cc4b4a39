/**
 * The first two stages of the TS ingest path on their own, for bench/ingest_bench.ts's
 * "where the cost is" rows: the demuxer alone (TS packets, PSI, PES reassembly into
 * slabs; chunks dropped) and the demuxer feeding the Annex B access-unit assembler
 * (start-code scan, unit cut, AU inspection; units dropped). The whole path adds the
 * Stream (track stats, parameter sets, A/V sync) and the FrameStore (GOP buffer).
 */
import { AnnexBAssembler } from "../lib/codecs/h26x/annexb_assembler.ts";
import { TsDemuxer } from "../lib/container/mpegts/demuxer.ts";
import type { BenchCodec } from "./_bench.ts";
import { cpuSelf } from "./_bench.ts";

/** Stages measured apart from the whole path. */
export type IngestStage = "demux" | "demux+assembly";

/** One pass of `stage` over `data` in 1316-byte pushes: CPU seconds and units seen. */
export function stageOnce(
  data: Uint8Array,
  codec: BenchCodec,
  stage: IngestStage,
): { cpu: number; units: number } {
  let units = 0;
  const asm = new Map<number, AnnexBAssembler>();
  const d = new TsDemuxer({
    onTrack(info) {
      if (stage !== "demux" && info.kind === "video" && !asm.has(info.id)) {
        const onUnit = () => units++;
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
      else units++;
    },
    count() {},
  }); // deno-fmt-ignore
  const c0 = cpuSelf();
  for (let o = 0, t = 0; o < data.length; o += 1316, t++) d.push(data.subarray(o, o + 1316), t);
  d.flush();
  for (const a of asm.values()) a.flush();
  return { cpu: cpuSelf() - c0, units };
}
