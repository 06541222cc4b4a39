import assert from "node:assert/strict";
import { hexBytes, readStreamMuxConfig } from "@lib/codecs/aac/latm.ts";
import { parseLatmConfig, splitLoas } from "@lib/codecs/aac/loas.ts";
import { BitReader } from "@lib/core/bits.ts";
import { latmInBand } from "@tests/unit/codecs/_rtp_audio.ts";
import { capturePackets, sdpMedia } from "@tests/support/rtp.ts";

const SDP = sdpMedia("rtp_aac_latm_ffmpeg.sdp");

/** AudioSyncStream frame (1.7.2): syncword 0x2B7, audioMuxLengthBytes(13), the element. */
function loas(element: Uint8Array): Uint8Array {
  return Uint8Array.of(0x56, 0xe0 | (element.length >> 8), element.length & 255, ...element);
}

/** A LOAS frame around ffmpeg's StreamMuxConfig (its SDP config, 44 bits) and one real AU. */
function frames(): Uint8Array[] {
  const smc = hexBytes(SDP.fmtp.config);
  // Each RTP payload of the capture is PayloadLengthInfo + one AU (cpresent=0).
  const aus = capturePackets("rtp_aac_latm_ffmpeg.bin").slice(0, 3).map((p) =>
    p.payload.subarray(p.payload[0] === 255 ? 2 : 1)
  );
  return aus.map((au, i) => loas(latmInBand(au, i === 0 ? smc : undefined, 44)));
}

Deno.test("loas: the StreamMuxConfig of a LOAS frame is ffmpeg's SDP config (48 kHz stereo LC)", () => {
  const [first, next] = frames();
  const c = parseLatmConfig(first);
  assert.ok(c.ok);
  // Oracle: a=rtpmap:99 MP4A-LATM/48000/2 of the same ffmpeg session.
  assert.deepEqual(
    [c.value.sampleRate, c.value.channels, c.value.profile, c.value.frameSamples],
    [SDP.clockRate, SDP.channels, "LC", 1024],
  );
  assert.equal(c.value.subFrames, 1);
  // One StreamMuxConfig reader: the same as the RTP depacketizer's.
  const rtp = readStreamMuxConfig(new BitReader(hexBytes(SDP.fmtp.config)));
  assert.deepEqual(c, rtp);
  assert.deepEqual(parseLatmConfig(next), { ok: false, reason: "latm_same_mux" });
});

Deno.test("loas: frames split at their length fields, garbage counted once per run", () => {
  const f = frames();
  const joined = Uint8Array.of(1, 2, 3, ...f[0], ...f[1], ...f[2].subarray(0, 5));
  const before = joined.slice();
  const s = splitLoas(joined);
  assert.deepEqual(s.frames, [f[0], f[1]]);
  assert.equal(s.rest, 3 + f[0].length + f[1].length);
  assert.equal(s.resyncs, 1);
  assert.deepEqual(joined, before, "input not mutated");
});

Deno.test("loas: unsupported or short StreamMuxConfigs fail without throwing", () => {
  // audioMuxVersion 0, allStreamsSameTimeFraming 0: more than one time framing.
  assert.equal(parseLatmConfig(loas(Uint8Array.of(0x00, 0x00))).ok, false);
  assert.equal(parseLatmConfig(loas(Uint8Array.of(0x20))).ok, false); // cut after numSubFrames
  assert.equal(parseLatmConfig(Uint8Array.of(0x56, 0xe0)).ok, false);
});
