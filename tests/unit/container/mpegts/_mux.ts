/**
 * Test helpers for the muxer: TS bytes -> frames through sluice's own input path
 * (TsInput into a Stream), frames -> TS through TsMuxer, and ffprobe's packet list.
 */
import { Stream } from "../../../../lib/stream/stream.ts";
import { TsInput } from "../../../../lib/pipeline/ts_input.ts";
import { TsMuxer, type TsMuxerOptions } from "../../../../lib/container/mpegts/muxer.ts";
import type { AccessUnit } from "../../../../lib/core/types.ts";
import { concatBytes } from "../../../../lib/core/bits.ts";

/** A stream whose frame sink collects every access unit. */
export function collectingStream(name = "t"): { stream: Stream; frames: AccessUnit[] } {
  const frames: AccessUnit[] = [];
  const stream = new Stream({ protocol: "srt", name, remote: "test" }, undefined, {
    frameSink: () => ({ push: (au) => void frames.push(au), bytes: 0 }),
  });
  return { stream, frames };
}

/** Frames (and the stream with its counters) sluice's TS input gets from `ts`. */
export function framesOf(ts: Uint8Array, chunk = 1316): { stream: Stream; frames: AccessUnit[] } {
  const r = collectingStream();
  const input = new TsInput(r.stream, { frameTimeoutMs: 5000 });
  for (let o = 0; o < ts.length; o += chunk) input.push(ts.subarray(o, o + chunk), o / 1000);
  input.flush();
  return r;
}

/** Muxes frames in order into one TS. */
export function muxAll(
  frames: AccessUnit[],
  o: TsMuxerOptions = {},
  m = new TsMuxer(o),
): Uint8Array {
  return concatBytes(frames.map((au) => m.mux(au)));
}

/** One ffprobe packet row. */
export interface ProbePacket {
  pts: number;
  dts: number;
  key: boolean;
}

/** ffprobe's packets of stream `sel` ("v:0", "a:0") in a TS file. */
export function probePackets(file: string, sel: string): ProbePacket[] {
  const r = new Deno.Command("ffprobe", {
    args: [
      "-v",
      "error",
      "-select_streams",
      sel,
      "-show_entries",
      "packet=pts,dts,flags",
      "-of",
      "csv=p=0",
      file,
    ],
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  return new TextDecoder().decode(r.stdout).trim().split("\n").filter((l) => l).map((l) => {
    const [pts, dts, flags] = l.split(",");
    return { pts: Number(pts), dts: Number(dts), key: flags.includes("K") };
  });
}

/** Decodes a file with ffmpeg; returns exit code, stderr and decoded frames per stream type. */
export function decode(
  file: string,
): { code: number; stderr: string; video: number; audio: number } {
  const r = new Deno.Command("ffprobe", {
    args: [
      "-v",
      "error",
      "-count_frames",
      "-show_entries",
      "stream=codec_type,nb_read_frames",
      "-of",
      "json",
      file,
    ],
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  let video = 0, audio = 0;
  const streams = JSON.parse(new TextDecoder().decode(r.stdout) || "{}").streams ?? [];
  for (const s of streams as { codec_type: string; nb_read_frames: string }[]) {
    if (s.codec_type === "video") video += Number(s.nb_read_frames);
    if (s.codec_type === "audio") audio += Number(s.nb_read_frames);
  }
  return { code: r.code, stderr: new TextDecoder().decode(r.stderr), video, audio };
}

/** Writes bytes to a temp file that `fn` uses; removes it afterwards. */
export function withFile<T>(bytes: Uint8Array, fn: (path: string) => T): T {
  const p = Deno.makeTempFileSync({ suffix: ".ts" });
  try {
    Deno.writeFileSync(p, bytes);
    return fn(p);
  } finally {
    Deno.removeSync(p);
  }
}
