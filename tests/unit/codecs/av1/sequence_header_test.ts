import assert from "node:assert/strict";
import { ObuType, splitObus } from "@lib/codecs/av1/obu.ts";
import { av1LevelName, parseAv1SequenceHeader } from "@lib/codecs/av1/sequence_header.ts";
import { missing, readFixture } from "@tests/_helpers.ts";
import {
  ffprobeStreams,
  pixFmt,
  type ProbeStream,
  rate,
  readIvf,
} from "@tests/unit/codecs/_stream_info.ts";

const hex = (s: string) => Uint8Array.from(s.match(/../g)!, (b) => parseInt(b, 16));

/** ffprobe -v error -show_streams -of json es/av1_aom.ivf, recorded with ffprobe 5.1.9. */
const ORACLE: ProbeStream = {
  codec_name: "av1",
  profile: "Main",
  level: 0,
  width: 320,
  height: 240,
  pix_fmt: "yuv420p",
  r_frame_rate: "30/1",
};

function seqHeaderOf(tu: Uint8Array): Uint8Array {
  const obus = splitObus(tu);
  assert.ok(obus.ok);
  const sh = obus.value.find((o) => o.type === ObuType.SEQUENCE_HEADER);
  assert.ok(sh);
  return sh.payload;
}

function compare(want: ProbeStream) {
  const ivf = readIvf(readFixture("es/av1_aom.ivf"));
  const r = parseAv1SequenceHeader(seqHeaderOf(ivf.frames[0]));
  assert.ok(r.ok);
  const s = r.value;
  assert.deepEqual([s.width, s.height, s.profile, s.seqLevelIdx], [
    want.width,
    want.height,
    want.profile,
    want.level,
  ]);
  assert.equal(pixFmt(s.chromaFormat, s.bitDepth), want.pix_fmt);
  // No timing_info in this sequence header: ffprobe's 30/1 comes from the IVF header.
  assert.equal(s.timingInfoPresent, false);
  assert.equal(s.fps, undefined);
  assert.equal(ivf.fps, rate(want.r_frame_rate));
}

Deno.test("av1 sequence header: es/av1_aom.ivf matches the recorded ffprobe oracle", () => {
  compare(ORACLE);
});

Deno.test({
  name: "av1 sequence header: es/av1_aom.ivf matches ffprobe run now",
  ignore: missing("ffprobe"),
  fn: async () => {
    const v = (await ffprobeStreams("es/av1_aom.ivf")).find((s) => s.codec_name === "av1");
    assert.ok(v);
    compare(v);
  },
});

Deno.test("av1 sequence header: libaom 10-bit and 4:4:4 (High) vectors", () => {
  // Sequence header OBUs from libaom-av1 (ffmpeg 5.1) 200x100 IVF files; oracle: ffprobe on
  // the same files (Main / yuv420p10le and High / yuv444p, level 0).
  const cases: [string, string, string][] = [
    ["0a0a00000003b63e336be501", "Main", "yuv420p10le"],
    ["0a0a20000003b63e336be408", "High", "yuv444p"],
  ];
  for (const [h, profile, pix] of cases) {
    const r = parseAv1SequenceHeader(seqHeaderOf(hex(h)));
    assert.ok(r.ok, h);
    assert.deepEqual([r.value.width, r.value.height, r.value.profile, r.value.seqLevelIdx], [
      200,
      100,
      profile,
      0,
    ]);
    assert.equal(pixFmt(r.value.chromaFormat, r.value.bitDepth), pix);
  }
});

Deno.test("av1 sequence header: timing_info and reduced still picture header", () => {
  // Hand-assembled (AV1 5.5): profile 0, timing_info 1/30 with equal_picture_interval and
  // num_ticks_per_picture_minus_1 = 0, no decoder model, one operating point at level 8 (4.0)
  // tier 1, 16-bit size fields 1920x1080, no order hints, 8-bit 4:2:0.
  const bits = "000" + "0" + "0" + "1" + "0".repeat(31) + "1" + "0".repeat(27) + "11110" + "1" +
    "1" + "0" + "0" + "00000" + "000000000000" + "01000" + "1" +
    "1111" + "1111" + (1919).toString(2).padStart(16, "0") + (1079).toString(2).padStart(16, "0") +
    "0" + "000" + "0000" + "0" + "1" + "000" + "000" + "0" + "0" + "0" + "0" + "0" + "0";
  const r = parseAv1SequenceHeader(pack(bits));
  assert.ok(r.ok, !r.ok ? r.reason : "");
  assert.deepEqual([r.value.width, r.value.height, r.value.fps, r.value.level, r.value.seqTier], [
    1920,
    1080,
    30,
    "4.0",
    1,
  ]);
  // reduced_still_picture_header: seq_level_idx(5) right after the 3 flags bits.
  const still = "000" + "1" + "1" + "00101" + "0011" + "0011" + "1111" + "1111" + "000" + "000" +
    "0" + "0" + "0" + "0" + "0";
  const s = parseAv1SequenceHeader(pack(still));
  assert.ok(s.ok, !s.ok ? s.reason : "");
  assert.deepEqual([s.value.width, s.value.height, s.value.stillPicture, s.value.level], [
    16,
    16,
    true,
    "3.1",
  ]);
});

function pack(bits: string): Uint8Array {
  const b = bits + "1" + "0".repeat((8 - ((bits.length + 1) % 8)) % 8);
  return Uint8Array.from(b.match(/.{8}/g)!, (x) => parseInt(x, 2));
}

Deno.test("av1 sequence header: truncation fails without throwing", () => {
  const sh = seqHeaderOf(readIvf(readFixture("es/av1_aom.ivf")).frames[0]);
  for (let n = 0; n < sh.length - 1; n++) {
    const r = parseAv1SequenceHeader(sh.subarray(0, n));
    assert.ok(!r.ok, `length ${n}`);
    assert.match(r.reason, /^seq_(truncated|invalid)$/);
  }
  assert.deepEqual(parseAv1SequenceHeader(new Uint8Array([0xe0, 0, 0])), {
    ok: false,
    reason: "seq_invalid",
  });
  assert.deepEqual(["2.0", "3.1", "5.3", "max"], [0, 5, 15, 31].map(av1LevelName));
});
