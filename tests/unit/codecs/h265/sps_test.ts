import assert from "node:assert/strict";
import { splitAnnexB } from "@lib/core/bits.ts";
import { h265LevelName } from "@lib/codecs/h265/profile_tier_level.ts";
import { parseH265Sps } from "@lib/codecs/h265/sps.ts";
import { parseH265Vps } from "@lib/codecs/h265/vps.ts";
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

const typeOf = (n: Uint8Array) => (n[0] >> 1) & 0x3f;
const hex = (s: string) => Uint8Array.from(s.match(/../g)!, (b) => parseInt(b, 16));

/** ffprobe -v error -show_streams -of json FILE, recorded 2026-11 with ffprobe 5.1.9. */
const ORACLE: Record<string, ProbeStream> = {
  "es/h265_aud.h265": o("Main", 60, 320, 240, "yuv420p", "30/1"),
  "es/oracle_h265.hevc": o("Main", 60, 320, 240, "yuv420p", "30/1"),
  "ts/hevc_aac.ts": o("Main", 60, 320, 240, "yuv420p", "30/1"),
};
function o(profile: string, level: number, width: number, height: number, pix: string, r: string) {
  return { codec_name: "hevc", profile, level, width, height, pix_fmt: pix, r_frame_rate: r };
}

function nalOf(rel: string, type: number): Uint8Array {
  const bytes = readFixture(rel);
  const pick = (n: Uint8Array) => typeOf(n) === type && (n[0] & 0x81) === 0;
  const nal = rel.endsWith(".ts") ? firstNalInTs(bytes, pick) : splitAnnexB(bytes).find(pick);
  assert.ok(nal, `no NAL type ${type} in ${rel}`);
  return nal;
}

function compare(rel: string, want: ProbeStream) {
  const vps = parseH265Vps(nalOf(rel, 32));
  assert.ok(vps.ok, rel);
  assert.equal(vps.value.ptl.levelIdc, want.level, rel);
  const r = parseH265Sps(nalOf(rel, 33), vps.value);
  assert.ok(r.ok, `${rel}: ${!r.ok && r.reason}`);
  const s = r.value;
  assertLikeProbe(s, want, rel);
  assert.equal(s.fps, rate(want.r_frame_rate), rel);
}

Deno.test("h265 vps/sps: every fixture matches the recorded ffprobe oracle", () => {
  for (const [rel, want] of Object.entries(ORACLE)) compare(rel, want);
});

Deno.test({
  name: "h265 vps/sps: every fixture matches ffprobe run now",
  ignore: missing("ffprobe"),
  fn: async () => {
    for (const rel of Object.keys(ORACLE)) {
      const v = (await ffprobeStreams(rel)).find((s) => s.codec_name === "hevc");
      assert.ok(v, rel);
      compare(rel, v);
    }
  },
});

// VPS + SPS from libx265 (ffmpeg 5.1) streams; oracle: ffprobe on the same streams.
const X265 = {
  // -pix_fmt yuv420p10le, 1280x720 at 50 fps, scaling-list=default (flag on, no data)
  main10: [
    "40010c01ffff022000000300900000030000030078959809",
    "420101022000000300900000030000030078a00280802d1365959a49395e02d0100000030010000003032080",
    ["Main 10", 120, 1280, 720, "yuv420p10le", 50],
  ],
  // -pix_fmt yuv444p, 352x288 at 24 fps: range extensions profile
  rext444: [
    "40010c01ffff0408000003009e0800000300003c959809",
    "4201010408000003009e0800000300003c9001610090b2cacd24995e02d0100000030010000003018080",
    ["Rext", 60, 352, 288, "yuv444p", 24],
  ],
  // 416x240 at 30 fps with a custom scaling list file: scaling_list_data() explicit for
  // 4x4 and 32x32, predicted (pred_mode_flag 0) elsewhere, per ffmpeg trace_headers.
  scaling: [
    "40010c01ffff01600000030090000003000003003c959409",
    "42010101600000030090000003000003003ca00d080f1659596493e1e0b88181d05c40d82482b0541d28200564" +
    "4445060301e90160290700c41302387070d05e0e02a40987826c300c414054223c100501684106848d0f0d12" +
    "2c4143612089c3808c1903183004e1420231c2c483005e60441f2222286030301e90160290700c41302387070" +
    "d05e0e02a40987826c300c414054223c100501684106848d0f0d122c4143612089c3808c1903183004e14202" +
    "31c2c483005e60441f2222286030301e90160290700c41302387070d05e0e02a40987826c300c414054223c10" +
    "0501684106848d0f0d122c4143612089c3808c1903183004e1420231c2c483005e60441f25780b4040000003" +
    "004000000782",
    ["Main", 60, 416, 240, "yuv420p", 30],
  ],
} as const;

Deno.test("h265 vps/sps: libx265 Main 10, Rext 4:4:4 and explicit scaling lists", () => {
  for (const [name, [v, s, want]] of Object.entries(X265)) {
    const vps = parseH265Vps(hex(v));
    assert.ok(vps.ok, name);
    const r = parseH265Sps(hex(s), vps.value);
    assert.ok(r.ok, name);
    const [profile, level, width, height, pix, fps] = want;
    assert.deepEqual([r.value.profile, r.value.levelIdc, r.value.width, r.value.height], [
      profile,
      level,
      width,
      height,
    ], name);
    assert.equal(pixFmt(r.value.chromaFormat, r.value.bitDepth), pix, name);
    assert.equal(r.value.fps, fps, name);
    assert.equal(r.value.level, h265LevelName(level));
  }
});

// The libx265 "scaling" stream above with two edits: vps_timing_info (1001 / 60000) added
// to the VPS, vui_parameters_present_flag cleared in the SPS. ffprobe on that stream:
// r_frame_rate 60000/1001, 416x240, Main, level 60; ffmpeg trace_headers reads both edits.
const VPS_TIMING = "40010c01ffff01600000030090000003000003003c95940c00000fa40003a98140";
const SPS_NO_VUI_TAIL = "1f2564";

Deno.test("h265 sps: without VUI timing, the VPS timing gives the frame rate (as ffprobe)", () => {
  const vps = parseH265Vps(hex(VPS_TIMING));
  assert.ok(vps.ok);
  assert.deepEqual([vps.value.numUnitsInTick, vps.value.timeScale], [1001, 60000]);
  const full = X265.scaling[1];
  const spsHex = full.slice(0, full.lastIndexOf("1f2578")) + SPS_NO_VUI_TAIL;
  const alone = parseH265Sps(hex(spsHex));
  assert.ok(alone.ok);
  assert.equal(alone.value.fps, undefined);
  assert.equal(alone.value.width, 416);
  const r = parseH265Sps(hex(spsHex), vps.value);
  assert.ok(r.ok);
  assert.equal(r.value.fps, 60000 / 1001);
  assert.equal(r.value.timeScale, 60000);
});

Deno.test("h265 sps/vps: truncated and foreign inputs fail without throwing", () => {
  const sps = nalOf("es/h265_aud.h265", 33);
  for (let n = 0; n < sps.length - 1; n++) {
    const r = parseH265Sps(sps.subarray(0, n));
    if (r.ok) assert.equal(r.value.width, 320);
    else assert.match(r.reason, /^sps_(short|truncated|invalid)$/);
  }
  assert.deepEqual(parseH265Sps(sps.subarray(0, 10)), { ok: false, reason: "sps_truncated" });
  const vps = nalOf("es/h265_aud.h265", 32);
  assert.deepEqual(parseH265Vps(vps.subarray(0, 8)), { ok: false, reason: "vps_truncated" });
  assert.deepEqual(parseH265Sps(vps), { ok: false, reason: "sps_not_sps" });
  assert.deepEqual(parseH265Vps(sps), { ok: false, reason: "vps_not_vps" });
  assert.deepEqual(parseH265Sps(new Uint8Array()), { ok: false, reason: "sps_short" });
});

Deno.test("h265 level names are general_level_idc / 30", () => {
  assert.deepEqual([60, 93, 120, 153, 186].map(h265LevelName), ["2.0", "3.1", "4.0", "5.1", "6.2"]);
});

// No sprop-vps/sps in the SDP fixtures: parameter sets come in band (AP packets). Oracle:
// ffprobe on the Annex B stream reassembled from each capture (recorded, and live below).
const RTP_ORACLE: Record<string, ProbeStream> = {
  "rtp_h265_ffmpeg.bin": o("Main", 60, 320, 240, "yuv420p", "30/1"),
  "rtp_h265_gst.bin": o("Main", 60, 320, 240, "yuv420p", "30/1"),
};

function compareRtp(bin: string, es: Uint8Array, want: ProbeStream) {
  const nals = splitAnnexB(es);
  const vps = parseH265Vps(nals.find((n) => typeOf(n) === 32)!);
  const sps = nals.find((n) => typeOf(n) === 33);
  assert.ok(vps.ok && sps, bin);
  const r = parseH265Sps(sps, vps.value);
  assert.ok(r.ok, bin);
  assertLikeProbe(r.value, want, bin);
  assert.equal(r.value.fps, rate(want.r_frame_rate), bin);
}

Deno.test("h265 vps/sps: in-band parameter sets of the RTP captures match the recorded oracle", () => {
  for (const [bin, want] of Object.entries(RTP_ORACLE)) {
    compareRtp(bin, rtpToAnnexB(bin, true, 10), want);
  }
});

Deno.test({
  name: "h265 vps/sps: in-band parameter sets match ffprobe on the reassembled stream",
  ignore: missing("ffprobe"),
  fn: async () => {
    for (const bin of Object.keys(RTP_ORACLE)) {
      const es = rtpToAnnexB(bin, true);
      compareRtp(bin, es, await ffprobeBytes(es, "hevc"));
    }
  },
});
