/**
 * bench/_ts_loop.ts: a capture played three times as one stream demuxes as one stream. The
 * ffmpeg fixture (tests/fixtures/ts/h264_aac.ts) looped by its own duration gives three
 * times its frames and audio, no continuity or PES error at the seams, and video decode
 * times that go on rising by exactly one frame duration across each seam.
 */
import assert from "node:assert/strict";
import { loopTs } from "../../../bench/_ts_loop.ts";
import { TsInput } from "@lib/pipeline/ts_input.ts";
import { readFixture } from "@tests/_helpers.ts";
import { RecordingSink } from "@tests/support/sink.ts";

function run(data: Uint8Array): RecordingSink {
  const sink = new RecordingSink();
  const input = new TsInput(sink, { frameTimeoutMs: 5000 });
  for (let o = 0, t = 0; o < data.length; o += 1316, t++) input.push(data.subarray(o, o + 1316), t);
  input.flush();
  return sink;
}

Deno.test("ts loop: a capture played 3 times demuxes as one stream, seams unseen", () => {
  const data = readFixture("ts/h264_aac.ts");
  const once = run(data);
  const v1 = once.framesOf("video");
  const step = v1[1].dts - v1[0].dts;
  const duration = v1[v1.length - 1].dts - v1[0].dts + step;
  const looped = run(loopTs(data, 3, duration));
  const v3 = looped.framesOf("video");
  assert.equal(v3.length, 3 * v1.length);
  assert.equal(looped.framesOf("audio").length, 3 * once.framesOf("audio").length);
  assert.deepEqual(looped.errors, once.errors);
  for (let i = 1; i < v3.length; i++) assert.equal(v3[i].dts - v3[i - 1].dts, step, `frame ${i}`);
  assert.deepEqual(
    v3.slice(v1.length, 2 * v1.length).map((f) => f.pts - duration),
    v1.map((f) => f.pts),
  );
});
