import assert from "node:assert/strict";
import { BitReader } from "@lib/core/bits.ts";
import {
  hexToBytes,
  parseAudioSpecificConfig,
  readAudioSpecificConfig,
} from "@lib/codecs/aac/asc.ts";
import { missing, readFixture } from "@tests/_helpers.ts";
import {
  ffprobeStreams,
  firstAdtsInTs,
  type ProbeStream,
} from "@tests/unit/codecs/_stream_info.ts";

/** ffprobe -v error -show_streams -of json FILE (audio stream), recorded with ffprobe 5.1.9. */
const ORACLE: Record<string, ProbeStream> = {
  "ts/h264_aac.ts": { codec_name: "aac", profile: "LC", sample_rate: "48000", channels: 2 },
  "ts/hevc_aac.ts": { codec_name: "aac", profile: "LC", sample_rate: "48000", channels: 1 },
  "ts/srt_h264_aac_gst.ts": { codec_name: "aac", profile: "LC", sample_rate: "48000", channels: 2 },
  "ts/realworld_VID_20191220_170832.ts": {
    codec_name: "aac",
    profile: "LC",
    sample_rate: "48000",
    channels: 2,
  },
};

/** The 2-byte AudioSpecificConfig equivalent of an ADTS header (ISO/IEC 14496-3 1.A.3.2). */
function ascFromAdts(h: Uint8Array): Uint8Array {
  const aot = (h[2] >> 6) + 1, sfi = (h[2] >> 2) & 15, ch = ((h[2] & 1) << 2) | (h[3] >> 6);
  const v = (aot << 11) | (sfi << 7) | (ch << 3);
  return Uint8Array.of(v >> 8, v & 255);
}

function compare(rel: string, want: ProbeStream) {
  const adts = firstAdtsInTs(readFixture(rel));
  assert.ok(adts, rel);
  const r = parseAudioSpecificConfig(ascFromAdts(adts));
  assert.ok(r.ok, rel);
  assert.deepEqual([r.value.profile, r.value.sampleRate, r.value.channels], [
    want.profile,
    Number(want.sample_rate),
    want.channels,
  ], rel);
  assert.equal(r.value.frameSamples, 1024);
}

Deno.test("aac asc: the ADTS configs of every TS fixture match the recorded ffprobe oracle", () => {
  for (const [rel, want] of Object.entries(ORACLE)) compare(rel, want);
});

Deno.test({
  name: "aac asc: the ADTS configs of every TS fixture match ffprobe run now",
  ignore: missing("ffprobe"),
  fn: async () => {
    for (const rel of Object.keys(ORACLE)) {
      const a = (await ffprobeStreams(rel)).find((s) => s.codec_name === "aac");
      assert.ok(a, rel);
      compare(rel, a);
    }
  },
});

Deno.test("aac asc: SDP config= of the RTP fixtures agrees with their rtpmap (48000/2)", () => {
  // rtp_aac_ffmpeg.sdp: AAC LC with the backward-compatible extension 0x2B7, SBR absent.
  const ff = parseAudioSpecificConfig(hexToBytes("119056E500")!);
  assert.ok(ff.ok);
  assert.deepEqual([ff.value.objectType, ff.value.sampleRate, ff.value.channels, ff.value.sbr], [
    2,
    48000,
    2,
    false,
  ]);
  const gst = parseAudioSpecificConfig(hexToBytes("1190")!);
  assert.ok(gst.ok);
  assert.deepEqual([gst.value.profile, gst.value.sampleRate, gst.value.channels], ["LC", 48000, 2]);
  // rtp_aac_latm_ffmpeg.sdp config=400023203fc0 is a StreamMuxConfig (RFC 6416, ISO/IEC
  // 14496-3 1.7.3): audioMuxVersion 0, allStreamsSameTimeFraming, numSubFrames, numProgram,
  // numLayer take 15 bits, then the AudioSpecificConfig.
  const r = new BitReader(hexToBytes("400023203fc0")!);
  r.skip(15);
  const latm = readAudioSpecificConfig(r, r.left);
  assert.ok(latm.ok);
  assert.deepEqual([latm.value.profile, latm.value.sampleRate, latm.value.channels], [
    "LC",
    48000,
    2,
  ]);
});

function bits(s: string): Uint8Array {
  const b = s.replaceAll(" ", "");
  const padded = b + "0".repeat((8 - (b.length % 8)) % 8);
  return Uint8Array.from(padded.match(/.{8}/g)!, (x) => parseInt(x, 2));
}

Deno.test("aac asc: HE-AAC, HE-AACv2, explicit rate, 960 frames and PCE (1.6.2.1 vectors)", () => {
  // Explicit hierarchical HE-AAC: AOT 5, 24 kHz core, stereo, extension 48 kHz, core AOT 2.
  const he = parseAudioSpecificConfig(bits("00101 0110 0010 0011 00010 000"));
  assert.ok(he.ok);
  assert.deepEqual(
    [
      he.value.profile,
      he.value.sampleRate,
      he.value.coreSampleRate,
      he.value.channels,
      he.value.frameSamples,
    ],
    ["HE-AAC", 48000, 24000, 2, 2048],
  );
  // HE-AACv2: AOT 29, mono core with parametric stereo -> 2 channels out.
  const v2 = parseAudioSpecificConfig(bits("11101 0110 0001 0011 00010 000"));
  assert.ok(v2.ok);
  assert.deepEqual([v2.value.profile, v2.value.sampleRate, v2.value.channels, v2.value.ps], [
    "HE-AACv2",
    48000,
    2,
    true,
  ]);
  // Backward-compatible SBR + PS: LC 24 kHz mono, 0x2B7 AOT 5 sbr 1 ext 48 kHz, 0x548 ps 1.
  const bc = parseAudioSpecificConfig(
    bits("00010 0110 0001 000 01010110111 00101 1 0011 10101001000 1"),
  );
  assert.ok(bc.ok);
  assert.deepEqual([bc.value.profile, bc.value.sampleRate, bc.value.channels], [
    "HE-AACv2",
    48000,
    2,
  ]);
  // samplingFrequencyIndex 15: explicit 24-bit rate 22050, frameLengthFlag 1 (960 samples).
  const ex = parseAudioSpecificConfig(
    bits("00010 1111" + (22050).toString(2).padStart(24, "0") + "0001 100"),
  );
  assert.ok(ex.ok);
  assert.deepEqual([ex.value.sampleRate, ex.value.channels, ex.value.frameSamples], [
    22050,
    1,
    960,
  ]);
  // channelConfiguration 0: program_config_element with 2 front CPEs, 1 back SCE, 1 LFE.
  const pce = "0000 01 0011 0010 0000 0001 01 000 0000 0 0 0 1 0000 1 0001 0 0010 0000";
  const p = parseAudioSpecificConfig(bits("00010 0011 0000 000 " + pce));
  assert.ok(p.ok);
  assert.equal(p.value.channels, 6);
  // 5-bit escape: AOT 31 + 6 bits -> 32 + n (here 42, USAC-style; no GASpecificConfig).
  const esc = parseAudioSpecificConfig(bits("11111 001010 0011 0010"));
  assert.ok(esc.ok);
  assert.equal(esc.value.objectType, 42);
});

Deno.test("aac asc: short, reserved rate index and garbage fail without throwing", () => {
  assert.deepEqual(parseAudioSpecificConfig(Uint8Array.of(0x12)), {
    ok: false,
    reason: "asc_short",
  });
  assert.deepEqual(parseAudioSpecificConfig(bits("00010 1101 0010 000")), {
    ok: false,
    reason: "asc_invalid",
  });
  assert.deepEqual(parseAudioSpecificConfig(bits("00010 1111 0000")), {
    ok: false,
    reason: "asc_truncated",
  });
  assert.equal(hexToBytes("12x0"), null);
  assert.equal(hexToBytes("123"), null);
});
