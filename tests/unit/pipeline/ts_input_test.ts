/**
 * The MPEG-TS side of the pipeline wired as an SRT connection feeds it, without sockets:
 * fixture bytes in 1316-byte messages -> TsInput (demuxer, Annex B assembler, key rules
 * from the codec registry) -> a recording StreamSink. Checked against the fixture table
 * (tests/fixtures/README.md) and ffprobe's packet oracle (*.v.packets.csv).
 */
import assert from "node:assert/strict";
import { TsInput } from "@lib/pipeline/ts_input.ts";
import { readFixture, readPacketsCsv } from "@tests/_helpers.ts";
import { RecordingSink } from "@tests/support/sink.ts";

/**
 * tests/fixtures/README.md, "MPEG-TS files": video AUs, keyframes, audio frames; and the
 * errors counted (the SRT capture was cut by the receiver inside its last PES).
 */
const TABLE: [string, string, number, number, number, Record<string, number>][] = [
  ["h264_aac.ts", "h264", 60, 2, 95, {}],
  ["hevc_aac.ts", "h265", 60, 2, 95, {}],
  ["srt_h264_aac_gst.ts", "h264", 57, 2, 88, { pes_length_mismatch: 1 }],
  ["realworld_VID_20191220_170832.ts", "h264", 41, 2, 75, {}],
];

function run(name: string): RecordingSink {
  const sink = new RecordingSink();
  const input = new TsInput(sink, { frameTimeoutMs: 5000 });
  const data = readFixture(`ts/${name}`);
  for (let o = 0, t = 0; o < data.length; o += 1316, t++) input.push(data.subarray(o, o + 1316), t);
  input.flush();
  return sink;
}

for (const [name, codec, frames, keys, audio, errors] of TABLE) {
  Deno.test(`ts input: ${name} gives the fixture table's frames, keyframes and audio`, () => {
    const sink = run(name);
    const video = sink.framesOf("video");
    assert.equal(video.length, frames);
    assert.ok(video.every((f) => f.codec === codec));
    assert.equal(video.filter((f) => f.key).length, keys);
    assert.equal(sink.framesOf("audio").length, audio);
    assert.deepEqual(sink.errors, errors);
  });
}

Deno.test("ts input: h264_aac.ts frames match ffprobe's packets (pts, dts, size, key)", () => {
  const want = readPacketsCsv("ts/h264_aac.ts.v.packets.csv");
  const got = run("h264_aac.ts").framesOf("video");
  assert.deepEqual(
    got.map((f) => [f.pts, f.dts, f.key]),
    want.map((w) => [w.pts, w.dts, w.key]),
  );
  assert.deepEqual([...new Set(got.map((f) => f.trackId))].length, 1);
});
