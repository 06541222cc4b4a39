import assert from "node:assert/strict";
import { AnnexBAssembler } from "@lib/codecs/h26x/annexb_assembler.ts";
import type { VideoAccessUnit } from "@lib/codecs/h26x/au_info.ts";
import { TsDemuxer } from "@lib/container/mpegts/demuxer.ts";
import type { TrackInfo } from "@lib/core/types.ts";
import { readFixture, readPacketsCsv } from "@tests/_helpers.ts";

for (const name of ["h264_aac", "hevc_aac", "realworld_VID_20191220_170832", "srt_h264_aac_gst"]) {
  Deno.test(`assembler behind TsDemuxer: ts/${name}.ts video equals ffprobe`, () => {
    const counts: Record<string, number> = {};
    const count = (r: string, n = 1) => counts[r] = (counts[r] ?? 0) + n;
    const tracks = new Map<number, TrackInfo>();
    const asm = new Map<number, AnnexBAssembler>();
    const aus: VideoAccessUnit[] = [];
    const demux = new TsDemuxer({
      onTrack: (t) => tracks.set(t.id, t),
      onChunk: (c) => {
        const t = tracks.get(c.trackId);
        if (!t || (t.codec !== "h264" && t.codec !== "h265")) return;
        let a = asm.get(c.trackId);
        if (!a) {
          a = new AnnexBAssembler({
            codec: t.codec,
            trackId: c.trackId,
            clockRate: 90000,
            onUnit: (u) => aus.push(u),
            count,
          });
          asm.set(c.trackId, a);
        }
        a.push(c);
      },
      count,
    });
    const ts = readFixture(`ts/${name}.ts`);
    for (let o = 0; o < ts.length; o += 1316) demux.push(ts.subarray(o, o + 1316), o);
    demux.flush();
    for (const a of asm.values()) a.flush();
    const want = readPacketsCsv(`ts/${name}.ts.v.packets.csv`);
    assert.equal(aus.length, want.length);
    assert.deepEqual(aus.map((a) => [a.pts, a.dts, a.key]), want.map((w) => [w.pts, w.dts, w.key]));
  });
}
