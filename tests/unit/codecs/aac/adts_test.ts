/**
 * ADTS header parsing and frame splitting on ffmpeg-extracted ADTS streams of the TS
 * fixtures; frame sizes and count must equal ffprobe's .a.packets.csv, parameters its
 * stream info (48000 Hz, LC, 2 or 1 channels).
 */
import assert from "node:assert/strict";
import { adtsAudioParams, parseAdtsHeader, splitAdts } from "@lib/codecs/aac/adts.ts";
import { fixture, missing, readPacketsCsv } from "@tests/_helpers.ts";

function extractAdts(ts: string): Uint8Array {
  const r = new Deno.Command("ffmpeg", {
    args: ["-v", "error", "-i", fixture(ts), "-map", "0:a:0", "-c", "copy", "-f", "adts", "-"],
    stdout: "piped",
  }).outputSync();
  assert.ok(r.success);
  return r.stdout;
}

for (
  const [file, channels] of [["h264_aac.ts", 2], ["hevc_aac.ts", 1], [
    "srt_h264_aac_gst.ts",
    2,
  ]] as const
) {
  Deno.test({
    name: `adts: ${file} audio splits into ffprobe's frames`,
    ignore: missing("ffmpeg"),
    fn() {
      const es = extractAdts(`ts/${file}`);
      const copy = es.slice();
      const csv = readPacketsCsv(`ts/${file}.a.packets.csv`);
      const s = splitAdts(es);
      assert.equal(s.rest, es.length);
      assert.equal(s.resyncs, 0);
      assert.deepEqual(s.frames.map((f) => f.data.length), csv.map((r) => r.size));
      assert.deepEqual(adtsAudioParams(s.frames[0].header), {
        sampleRate: 48000,
        channels,
        profile: "LC",
        frameSamples: 1024,
      });
      assert.deepEqual(es, copy, "input not mutated");
      // Garbage in front and between frames, and a torn last frame.
      const junk = Uint8Array.from([0xff, 0x00, 0x12, 0xff, 0xf1]);
      const first = s.frames[0].data;
      const second = s.frames[1].data;
      const mixed = Uint8Array.from([
        ...junk,
        ...first,
        0x33,
        0x44,
        ...second,
        ...second.subarray(0, 9),
      ]);
      const m = splitAdts(mixed);
      assert.deepEqual(m.frames.map((f) => f.data), [first, second]);
      assert.equal(m.resyncs, 2);
      assert.equal(m.rest, mixed.length - 9);
    },
  });
}

Deno.test("adts: header fields and rejects (ISO/IEC 14496-3 1.A.3.2)", () => {
  // AAC-LC, 44100 Hz (index 4), 2 channels, CRC present, frame_length 400, 2 raw blocks.
  const h = Uint8Array.of(0xff, 0xf0, 0x50, 0x80, 0x32, 0x00, 0x01);
  const r = parseAdtsHeader(h);
  assert.ok(r.ok);
  assert.deepEqual(r.value, {
    objectType: 2,
    sampleRate: 44100,
    samplingIndex: 4,
    channels: 2,
    frameLength: 400,
    headerLength: 9,
    samples: 2048,
  });
  const bad = (patch: (b: Uint8Array) => void) => {
    const b = h.slice();
    patch(b);
    return parseAdtsHeader(b);
  };
  assert.deepEqual(bad((b) => (b[1] = 0xf2)), { ok: false, reason: "adts_invalid" }); // layer 1
  assert.deepEqual(bad((b) => (b[2] = 0x7c)), { ok: false, reason: "adts_invalid" }); // sf index 15
  assert.deepEqual(bad((b) => (b[3] = 0x80, b[4] = 0x01)), { ok: false, reason: "adts_invalid" }); // length 8 < 9
  assert.deepEqual(parseAdtsHeader(h.subarray(0, 6)), { ok: false, reason: "adts_short" });
  assert.deepEqual(splitAdts(new Uint8Array(0)), { frames: [], rest: 0, resyncs: 0 });
});
