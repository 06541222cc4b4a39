import assert from "node:assert/strict";
import { GopDetector, type GopSummary } from "@lib/buffer/gop_detector.ts";
import { missing, readPacketsCsv } from "@tests/_helpers.ts";
import { assemble, tsVideo, whole, x264OpenGop } from "@tests/unit/codecs/h26x/_util.ts";
import type { VideoAccessUnit } from "@lib/codecs/h26x/au_info.ts";

function run(aus: VideoAccessUnit[]) {
  const det = new GopDetector(1);
  const ended: GopSummary[] = [];
  const starts: number[] = [];
  aus.forEach((au, i) => {
    const step = det.push(au);
    if (step?.start) starts.push(i);
    if (step?.ended) ended.push(step.ended);
  });
  const last = det.flush();
  if (last) ended.push(last);
  return { det, ended, starts };
}

for (const name of ["h264_aac", "hevc_aac", "realworld_VID_20191220_170832", "srt_h264_aac_gst"]) {
  Deno.test(`gop detector: ts/${name}.ts boundaries at ffprobe's K packets`, () => {
    const { codec, chunks } = tsVideo(`${name}.ts`);
    const { aus } = assemble(codec, chunks);
    const csv = readPacketsCsv(`ts/${name}.ts.v.packets.csv`);
    const keys = csv.flatMap((r, i) => r.key ? [i] : []);
    const { det, ended, starts } = run(aus);
    assert.deepEqual(starts, keys);
    assert.equal(det.stats.gops, keys.length);
    const lengths = keys.map((k, i) => (keys[i + 1] ?? csv.length) - k);
    assert.deepEqual(ended.map((g) => g.frames), lengths);
    assert.deepEqual(ended.map((g) => g.startPts), keys.map((k) => csv[k].pts));
    // the first GOP's duration is the distance between the two key frames' pts
    assert.equal(ended[0].duration, csv[keys[1]].pts - csv[keys[0]].pts);
    assert.equal(det.stats.lastLengthFrames, lengths[lengths.length - 1]);
    assert.equal(det.stats.avgLengthFrames, csv.length / keys.length);
    assert.ok(ended.every((g) => g.complete));
  });
}

Deno.test("gop detector: hevc_aac.ts IDR GOP closed, CRA GOP open (RASL follow)", () => {
  const { codec, chunks } = tsVideo("hevc_aac.ts");
  const { ended } = run(assemble(codec, chunks).aus);
  assert.deepEqual(ended.map((g) => [g.rap, g.closed]), [["idr", true], ["cra", false]]);
});

Deno.test("gop detector: h264 IDR GOPs are closed; frames before the first key are counted", () => {
  const { codec, chunks } = tsVideo("h264_aac.ts");
  const { aus } = assemble(codec, chunks);
  const { det, ended } = run(aus.slice(3));
  assert.equal(det.stats.framesBeforeKey, 27);
  assert.deepEqual(ended.map((g) => [g.rap, g.closed, g.frames]), [["idr", true, 30]]);
  assert.equal(det.stats.openGops, 0);
});

Deno.test({
  name: "gop detector: x264 open-GOP recovery points start open GOPs",
  ignore: missing("ffmpeg", "ffprobe"),
  fn() {
    const { data, keys } = x264OpenGop();
    const { ended, det } = run(assemble("h264", whole(data)).aus);
    assert.equal(ended.length, keys.filter(Boolean).length);
    assert.deepEqual(ended[0].closed, true);
    assert.ok(ended.slice(1).every((g) => !g.closed && g.rap === "recovery"));
    assert.equal(det.stats.openGops, ended.length - 1);
    // raw ES: pts extrapolated at 90000 / 30 per frame in decode order
    assert.equal(ended[1].duration, 12 * 3000);
    assert.equal(ended[1].frames, 12);
  },
});
