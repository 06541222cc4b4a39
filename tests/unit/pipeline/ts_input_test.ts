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
import { join, pat, pesPackets, pmt } from "@tests/support/ts.ts";

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

// A PMT version change that keeps a track's codec keeps its Annex B assembler (the
// access unit in progress is not flushed early); a codec change replaces it.

/** The first access unit of the fixture: up to the second access unit delimiter. */
function firstAu(): Uint8Array {
  const es = readFixture("es/h264_aud.h264");
  for (let i = 4; i + 4 < es.length; i++) {
    if (es[i] === 0 && es[i + 1] === 0 && es[i + 2] === 1 && (es[i + 3] & 0x1f) === 9) {
      return es.subarray(0, es[i - 1] === 0 ? i - 1 : i);
    }
  }
  throw new Error("no second AUD");
}

const H264 = 0x1b, AAC = 0x0f, HEVC = 0x24;

Deno.test("ts_input: a PMT version change with the same codec keeps the assembler", () => {
  const s = new RecordingSink();
  const frames = s.frames;
  const input = new TsInput(s, { frameTimeoutMs: 5000 });
  const au = firstAu();
  input.push(join([pat(0x1000), pmt(0x1000, [{ pid: 0x100, type: H264 }], 0)]), 0);
  input.push(join(pesPackets(0x100, 0xe0, au, 90000)), 1);
  assert.equal(frames.length, 0, "the access unit is still open (no next AU yet)");
  // version 1 adds an audio stream; the video PID keeps its codec
  const v1 = pmt(0x1000, [{ pid: 0x100, type: H264 }, { pid: 0x101, type: AAC }], 1);
  input.push(v1, 2);
  assert.equal(frames.length, 0, "not flushed by the PMT change");
  input.flush();
  assert.equal(frames.length, 1);
  assert.equal(frames[0].codec, "h264");
  assert.equal(frames[0].key, true);
});

Deno.test("ts_input: a PMT that changes the codec replaces the assembler (flushes it)", () => {
  const s = new RecordingSink();
  const frames = s.frames;
  const input = new TsInput(s, { frameTimeoutMs: 5000 });
  input.push(join([pat(0x1000), pmt(0x1000, [{ pid: 0x100, type: H264 }], 0)]), 0);
  input.push(join(pesPackets(0x100, 0xe0, firstAu(), 90000)), 1);
  input.push(pmt(0x1000, [{ pid: 0x100, type: HEVC }], 1), 2);
  assert.equal(frames.length, 1, "the H.264 unit in progress is emitted at the change");
  assert.equal(frames[0].codec, "h264");
});
