import assert from "node:assert/strict";
import { splitAnnexB } from "@lib/core/bits.ts";
import { h264LevelName, parseH264Sps } from "@lib/codecs/h264/sps.ts";
import { missing, readFixture } from "@tests/_helpers.ts";
import {
  assertLikeProbe,
  ffprobeBytes,
  ffprobeStreams,
  firstNalInTs,
  pixFmt,
  type ProbeStream,
  rate,
  rtpToAnnexB,
} from "@tests/unit/codecs/_stream_info.ts";

const isSps = (n: Uint8Array) => (n[0] & 0x9f) === 7;
const hex = (s: string) => Uint8Array.from(s.match(/../g)!, (b) => parseInt(b, 16));

/** ffprobe -v error -show_streams -of json FILE, recorded 2026-11 with ffprobe 5.1.9. */
const ORACLE: Record<string, ProbeStream & { fps?: number }> = {
  "es/h264_aud.h264": o("High", 13, 320, 240, "yuv420p", "30/1"),
  "es/oracle_h264.h264": o("High", 13, 320, 240, "yuv420p", "30/1"),
  "ts/h264_aac.ts": o("High", 13, 320, 240, "yuv420p", "30/1"),
  "ts/srt_h264_aac_gst.ts": o("High", 13, 320, 240, "yuv420p", "30/1"),
  // r_frame_rate 90000/2999 is ffprobe's guess from timestamps: the SPS has no VUI timing.
  "ts/realworld_VID_20191220_170832.ts": o("High", 40, 1920, 1080, "yuv420p", "90000/2999"),
};
function o(profile: string, level: number, width: number, height: number, pix: string, r: string) {
  return { codec_name: "h264", profile, level, width, height, pix_fmt: pix, r_frame_rate: r };
}
const NO_SPS_TIMING = new Set(["ts/realworld_VID_20191220_170832.ts"]);

function spsOf(rel: string): Uint8Array {
  const bytes = readFixture(rel);
  const nal = rel.endsWith(".ts") ? firstNalInTs(bytes, isSps) : splitAnnexB(bytes).find(isSps);
  assert.ok(nal, `no SPS in ${rel}`);
  return nal;
}

function compare(rel: string, want: ProbeStream) {
  const r = parseH264Sps(spsOf(rel));
  assert.ok(r.ok, `${rel}: ${!r.ok && r.reason}`);
  const s = r.value;
  assertLikeProbe(s, want, rel);
  if (NO_SPS_TIMING.has(rel)) assert.equal(s.fps, undefined, rel);
  else assert.equal(s.fps, rate(want.r_frame_rate), rel);
}

Deno.test("h264 sps: every fixture matches the recorded ffprobe oracle", () => {
  for (const [rel, want] of Object.entries(ORACLE)) compare(rel, want);
});

Deno.test({
  name: "h264 sps: every fixture matches ffprobe run now",
  ignore: missing("ffprobe"),
  fn: async () => {
    for (const rel of Object.keys(ORACLE)) {
      const v = (await ffprobeStreams(rel)).find((s) => s.codec_name === "h264");
      assert.ok(v, rel);
      compare(rel, v);
    }
  },
});

Deno.test("h264 sps: libx264 4:4:4, 4:2:2 10-bit interlaced, Baseline, Main, and scaling lists", () => {
  // SPS bytes from libx264 (ffmpeg 5.1) streams; oracle: ffprobe on the same streams.
  const cases: [string, string, number, number, string, number, string, number, boolean][] = [
    [
      "67f4000b919b28589d80880000030008000003019078a14cb0",
      "High 4:4:4 Predictive",
      11,
      176,
      "yuv444p",
      144,
      "4:4:4",
      25,
      false,
    ],
    [
      "677a0028b6cd94078044fcb8088000000300800000190f8b16cb",
      "High 4:2:2",
      40,
      1920,
      "yuv422p10le",
      1080,
      "4:2:2",
      25,
      true,
    ],
    // -profile:v baseline / main, 640x360 (cropped from 368) at 30000/1001
    [
      "6742c01ed900a02ff9701100000303e90000ea600f162e48",
      "Constrained Baseline",
      30,
      640,
      "yuv420p",
      360,
      "4:2:0",
      30000 / 1001,
      false,
    ],
    [
      "674d401eeca05017fcb808800001f480007530078b16cb",
      "Main",
      30,
      640,
      "yuv420p",
      360,
      "4:2:0",
      30000 / 1001,
      false,
    ],
    // The libx264 176x144 High SPS with seq_scaling_matrix_present = 1 spliced in: lists
    // 0, 3 (16 coefficients), 6, 7 (64) explicit, list 1 "use default", the rest absent.
    // ffprobe on the spliced stream: High, level 11, 176x144, yuv420p, 25/1.
    [SCALING_SPS, "High", 11, 176, "yuv420p", 144, "4:2:0", 25, false],
  ];
  for (const [h, profile, level, width, pix, height, chroma, fps, interlaced] of cases) {
    const r = parseH264Sps(hex(h));
    assert.ok(r.ok, h);
    assert.deepEqual(
      [r.value.profile, r.value.levelIdc, r.value.width, r.value.height, r.value.chromaFormat],
      [profile, level, width, height, chroma],
    );
    assert.equal(pixFmt(r.value.chromaFormat, r.value.bitDepth), pix);
    assert.equal(r.value.fps, fps);
    assert.equal(r.value.interlaced, interlaced);
    assert.equal(r.value.frameMbsOnly, !interlaced);
  }
});

const SCALING_SPS =
  "6764000bad81181783e0660e0684868d0881040d00c41401141a422b1c70403819014424140720f01587c0b80" +
  "430d10d0d02c0d0661d026180be201f42e0a61103701bc340480249c0b405b0810220b01606ce0dca0420208" +
  "6058250586042c706411140841d604b0260a20310461e303c021858380c42609a0d03c045088683e05c06604" +
  "00760c40881e062741a04006b0700d40ac0450700dc5814808604a05e3c28150b02302102905e0f82842039" +
  "020012c1083205a100805870210e86048360a83b0e03005ec23b28589d80880000030008000003019078a14cb0";

Deno.test("h264 sps: a scaling list skipped wrongly would shift the picture size", () => {
  const good = parseH264Sps(hex(SCALING_SPS));
  assert.ok(good.ok);
  // Clear seq_scaling_list_present_flag[0] (bit 40 of the NAL): the 16 deltas are then
  // read as the following fields and the result must differ (or fail), never throw.
  const bad = hex(SCALING_SPS);
  bad[5] &= 0x7f;
  const r = parseH264Sps(bad);
  assert.ok(!r.ok || r.value.width !== 176 || r.value.height !== 144);
});

Deno.test("h264 sps: truncated, wrong type and empty inputs fail without throwing", () => {
  const sps = spsOf("es/h264_aud.h264");
  for (let n = 0; n < sps.length - 1; n++) {
    const r = parseH264Sps(sps.subarray(0, n));
    if (r.ok) {
      // A cut inside the VUI tail keeps the size but may lose the timing.
      assert.equal(r.value.width, 320);
    } else assert.match(r.reason, /^sps_(short|truncated|invalid)$/);
  }
  assert.deepEqual(parseH264Sps(sps.subarray(0, 6)), { ok: false, reason: "sps_truncated" });
  assert.deepEqual(parseH264Sps(new Uint8Array([0x68, 1, 2, 3])), {
    ok: false,
    reason: "sps_not_sps",
  });
  assert.deepEqual(parseH264Sps(new Uint8Array()), { ok: false, reason: "sps_short" });
});

Deno.test("h264 sps: the caller's buffer is not modified", () => {
  const sps = spsOf("es/oracle_h264.h264");
  const copy = sps.slice();
  parseH264Sps(sps);
  assert.deepEqual(sps, copy);
});

Deno.test("h264 level names", () => {
  assert.equal(h264LevelName(40, 100, 0), "4.0");
  assert.equal(h264LevelName(31, 77, 0), "3.1");
  assert.equal(h264LevelName(11, 66, 0x10), "1b");
  assert.equal(h264LevelName(11, 100, 0x10), "1.1");
  assert.equal(h264LevelName(9, 100, 0), "1b");
});

// The SDP fixtures carry no sprop-parameter-sets (ffmpeg adds them only with +global_header),
// so the parameter sets come in band. Oracle: ffprobe on the Annex B stream reassembled
// from each capture (recorded; rtp_h264_ffmpeg.bin reassembles to es/oracle_h264.h264).
const RTP_ORACLE: Record<string, ProbeStream> = {
  "rtp_h264_ffmpeg.bin": o("High", 13, 320, 240, "yuv420p", "30/1"),
  "rtp_h264_gst.bin": o("High", 13, 320, 240, "yuv420p", "30/1"),
  "av_rtp_15004.bin": o("High", 13, 320, 240, "yuv420p", "30/1"),
};

function compareRtp(bin: string, es: Uint8Array, want: ProbeStream) {
  const nal = splitAnnexB(es).find(isSps);
  assert.ok(nal, bin);
  const r = parseH264Sps(nal);
  assert.ok(r.ok, bin);
  assertLikeProbe(r.value, want, bin);
  assert.equal(r.value.fps, rate(want.r_frame_rate), bin);
}

Deno.test("h264 sps: in-band SPS of the RTP captures matches the recorded ffprobe oracle", () => {
  for (const [bin, want] of Object.entries(RTP_ORACLE)) {
    compareRtp(bin, rtpToAnnexB(bin, false, 10), want);
  }
  const oracle = splitAnnexB(readFixture("es/oracle_h264.h264")).find(isSps)!;
  const inBand = splitAnnexB(rtpToAnnexB("rtp_h264_ffmpeg.bin", false, 1)).find(isSps)!;
  assert.deepEqual(inBand, oracle);
});

Deno.test({
  name: "h264 sps: in-band SPS of the RTP captures matches ffprobe on the reassembled stream",
  ignore: missing("ffprobe"),
  fn: async () => {
    for (const bin of Object.keys(RTP_ORACLE)) {
      const es = rtpToAnnexB(bin, false);
      compareRtp(bin, es, await ffprobeBytes(es, "h264"));
    }
  },
});
