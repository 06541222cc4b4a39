/** Shared bits of the frame/GOP tests: run the assembler over chunks, read ES oracles. */
import assert from "node:assert/strict";
import { AnnexBAssembler } from "@lib/codecs/h26x/annexb_assembler.ts";
import type { VideoAccessUnit } from "@lib/codecs/h26x/au_info.ts";
import type { EsChunk } from "@lib/core/types.ts";
import { readFixture } from "@tests/_helpers.ts";
import { demux, pieces, trackOf } from "@tests/support/ts.ts";

/** Assembles `chunks`; returns the units, the drop counters and what the scan skipped. */
export function assemble(
  codec: "h264" | "h265",
  chunks: Iterable<EsChunk>,
  extra: { maxFrameBytes?: number; skipTails?: boolean } = {},
): {
  aus: VideoAccessUnit[];
  counts: Record<string, number>;
  skip: AnnexBAssembler["skip"];
} {
  const aus: VideoAccessUnit[] = [];
  const counts: Record<string, number> = {};
  const a = new AnnexBAssembler({
    codec,
    trackId: 1,
    clockRate: 90000,
    onUnit: (u) => aus.push(u),
    count: (r, n = 1) => counts[r] = (counts[r] ?? 0) + n,
    ...extra,
  });
  for (const c of chunks) a.push(c);
  a.flush();
  return { aus, counts, skip: a.skip };
}

/** The same units: timestamps, key and frame facts, bytes. */
export function sameUnits(
  a: { aus: VideoAccessUnit[] },
  b: { aus: VideoAccessUnit[] },
): void {
  assert.equal(a.aus.length, b.aus.length);
  a.aus.forEach((au, i) => {
    const o = b.aus[i];
    assert.deepEqual(
      [o.pts, o.dts, o.key, o.frameType, o.rap, o.rasl, o.paramSets],
      [au.pts, au.dts, au.key, au.frameType, au.rap, au.rasl, au.paramSets],
      `AU ${i}`,
    );
    assert.deepEqual(o.data, au.data, `AU ${i} bytes`);
  });
}

/** One chunk holding a whole file. */
export function whole(data: Uint8Array): EsChunk[] {
  return [{ trackId: 1, data, randomAccess: false, unitStart: true, arrivalMs: 0 }];
}

/** ffprobe packet oracle of an ES file: size and K flag per line (`...,size,flags`). */
export function esOracle(path: string): { size: number; key: boolean }[] {
  const text = new TextDecoder().decode(Deno.readFileSync(path));
  return text.trim().split("\n").map((l) => {
    const f = l.split(",");
    return { size: Number(f[f.length - 2]), key: f[f.length - 1].includes("K") };
  });
}

/** Path of an oracle file next to these tests. */
export function oraclePath(name: string): string {
  return new URL(`./oracle/${name}`, import.meta.url).pathname;
}

/** ffprobe -show_frames oracle: pts -> { key, type }. */
export function framesOracle(name: string): Map<number, { key: boolean; type: string }> {
  const text = new TextDecoder().decode(Deno.readFileSync(oraclePath(name)));
  const m = new Map<number, { key: boolean; type: string }>();
  for (const l of text.trim().split("\n")) {
    const [k, pts, type] = l.split(",");
    m.set(Number(pts), { key: k === "1", type });
  }
  return m;
}

/**
 * Video track of a TS fixture through the production demuxer: codec and its PES payloads
 * in 184-byte pieces (one TS packet's worth each, the first with the PES timestamps).
 */
export function tsVideo(name: string): { codec: "h264" | "h265"; chunks: EsChunk[] } {
  const t = trackOf(demux(readFixture(`ts/${name}`)), "h264", "h265");
  return { codec: t.info.codec as "h264" | "h265", chunks: pieces(t.chunks) };
}

/**
 * Encodes a small open-GOP H.264 stream with ffmpeg's libx264 (non-IDR I frames with a
 * recovery point SEI) and returns it with ffprobe's per-packet K flags.
 */
export function x264OpenGop(): { data: Uint8Array; keys: boolean[] } {
  const path = Deno.makeTempFileSync({ suffix: ".h264" });
  try {
    const enc = new Deno.Command("ffmpeg", {
      args: ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=128x72:rate=25", "-t", "2"]
        .concat(["-c:v", "libx264", "-x264-params"])
        .concat(["keyint=12:min-keyint=12:open-gop=1:bframes=2:scenecut=0", "-f", "h264", path]),
    }).outputSync();
    if (!enc.success) throw new Error(new TextDecoder().decode(enc.stderr));
    const probe = new Deno.Command("ffprobe", {
      args: ["-v", "error", "-show_entries", "packet=flags", "-of", "csv=p=0", path],
    }).outputSync();
    const keys = new TextDecoder().decode(probe.stdout).trim().split("\n").map((l) =>
      l.includes("K")
    );
    return { data: Deno.readFileSync(path), keys };
  } finally {
    Deno.removeSync(path);
  }
}

/**
 * Encodes a small multi-slice stream (4 slices per picture, GOP 10, B-frames) with ffmpeg's
 * libx264/libx265 and returns it with ffprobe's per-packet K flags and per-frame pict_type
 * (display order).
 */
export function multiSlice(codec: "h264" | "h265"): {
  data: Uint8Array;
  keys: boolean[];
  types: string[];
} {
  const path = Deno.makeTempFileSync({ suffix: codec === "h264" ? ".h264" : ".hevc" });
  const enc = codec === "h264"
    ? ["-c:v", "libx264", "-x264-params", "slices=4:keyint=10:bframes=2", "-f", "h264"]
    : ["-c:v", "libx265", "-x265-params", "slices=4:keyint=10:bframes=2:log-level=error"]
      .concat(["-f", "hevc"]);
  try {
    const args = ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=352x288:rate=25"]
      .concat(["-t", "1", ...enc, path]);
    const r = new Deno.Command("ffmpeg", { args }).outputSync();
    if (!r.success) throw new Error(new TextDecoder().decode(r.stderr));
    const probe = (what: string) =>
      new TextDecoder().decode(
        new Deno.Command("ffprobe", {
          args: ["-v", "error", "-show_entries", what, "-of", "csv=p=0", path],
        }).outputSync().stdout,
      ).trim().split("\n").filter((l) => l.length > 0);
    return {
      data: Deno.readFileSync(path),
      keys: probe("packet=flags").map((l) => l.includes("K")),
      types: probe("frame=pict_type").map((l) => l.split(",")[0]),
    };
  } finally {
    Deno.removeSync(path);
  }
}
