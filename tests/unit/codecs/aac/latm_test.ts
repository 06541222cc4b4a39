import assert from "node:assert/strict";
import { hexBytes, LatmDepacketizer, readStreamMuxConfig } from "@lib/codecs/aac/latm.ts";
import { BitReader } from "@lib/core/bits.ts";
import type { RtpPacket } from "@lib/core/types.ts";
import { missing } from "@tests/_helpers.ts";
import {
  adtsWrap,
  ffprobeAudio,
  latmInBand,
  latmLengthInfo,
  snapshot,
  withPayload,
} from "@tests/unit/codecs/_rtp_audio.ts";
import { collector } from "@tests/unit/codecs/_rtp.ts";
import { capturePackets, sdpMedia } from "@tests/support/rtp.ts";

const BIN = "rtp_aac_latm_ffmpeg.bin";
const SDP = sdpMedia("rtp_aac_latm_ffmpeg.sdp");

function run(pkts: RtpPacket[], fmtp = SDP.fmtp) {
  const c = collector();
  const d = new LatmDepacketizer({ onUnit: c.onUnit, count: c.count, fmtp });
  pkts.forEach((p) => d.push(p, false));
  d.flush();
  return { ...c, d };
}

Deno.test("latm: fmtp config is AAC-LC 48 kHz stereo, one subframe", () => {
  const c = readStreamMuxConfig(new BitReader(hexBytes(SDP.fmtp.config)));
  assert.ok(c.ok);
  const { objectType, sampleRate, channels, frameSamples, profile, subFrames, otherDataBits } =
    c.value;
  assert.deepEqual(
    { objectType, sampleRate, channels, frameSamples, profile, subFrames, otherDataBits },
    {
      objectType: 2,
      sampleRate: 48000,
      channels: 2,
      frameSamples: 1024,
      profile: "LC",
      subFrames: 1,
      otherDataBits: 0,
    },
  );
  assert.equal(SDP.clockRate, c.value.sampleRate);
});

Deno.test("latm capture: one AU per AudioMuxElement, lengths from PayloadLengthInfo", () => {
  const pkts = capturePackets(BIN);
  const before = snapshot(pkts);
  const { units, counts } = run(pkts);
  assert.deepEqual(counts, {});
  assert.equal(pkts.length, 95);
  assert.equal(units.length, 95);
  // Each payload = length info + AU, nothing else (cpresent=0, no other data).
  pkts.forEach((p, i) => {
    assert.equal(
      p.payload.length,
      latmLengthInfo(units[i].data.length).length + units[i].data.length,
    );
    assert.equal(units[i].timestamp, p.timestamp);
  });
  assert.deepEqual(pkts.map((p) => p.payload), before, "input not mutated");
});

Deno.test({
  name: "latm capture: ffprobe decodes our AUs (ADTS-wrapped): same frames, rate, channels",
  ignore: missing("ffprobe"),
  fn: async () => {
    const { units, d } = run(capturePackets(BIN));
    const cfg = d.config!;
    const path = await Deno.makeTempFile({ suffix: ".aac" });
    try {
      await Deno.writeFile(
        path,
        adtsWrap(units.map((u) => u.data), cfg.objectType, cfg.sampleRate, cfg.channels),
      );
      const probe = await ffprobeAudio(path);
      assert.equal(probe.stderr, "");
      assert.equal(probe.frames, units.length);
      assert.equal(probe.sampleRate, cfg.sampleRate);
      assert.equal(probe.channels, cfg.channels);
    } finally {
      await Deno.remove(path);
    }
  },
});

Deno.test("latm: an AudioMuxElement fragmented over two packets; loss drops it", () => {
  const pkts = capturePackets(BIN);
  const ref = run(pkts.slice(0, 3)).units;
  const p = pkts[1];
  const half = p.payload.length >> 1;
  const a = withPayload(p, p.payload.subarray(0, half), false);
  const b = withPayload(p, p.payload.subarray(half), true, p.seq + 1);
  const ok1 = run([pkts[0], a, b, pkts[2]]);
  assert.deepEqual(ok1.units.map((u) => u.data), ref.map((u) => u.data));
  const c = collector();
  const d = new LatmDepacketizer({ onUnit: c.onUnit, count: c.count, fmtp: SDP.fmtp });
  d.push(a, false);
  d.push(pkts[2], true);
  assert.equal(c.units.length, 1);
  assert.equal(c.counts.frame_loss, 1);
  d.push(a, false);
  d.flush();
  assert.equal(c.counts.latm_fragment_incomplete, 1);
});

Deno.test("latm: two AudioMuxElements in one packet get ts and ts + 1024", () => {
  const pkts = capturePackets(BIN);
  const both = new Uint8Array(pkts[3].payload.length + pkts[4].payload.length);
  both.set(pkts[3].payload);
  both.set(pkts[4].payload, pkts[3].payload.length);
  const { units } = run([withPayload(pkts[3], both)]);
  const ref = run(pkts.slice(3, 5)).units;
  assert.deepEqual(units.map((u) => u.data), ref.map((u) => u.data));
  assert.deepEqual(units.map((u) => u.timestamp), [
    pkts[3].timestamp,
    (pkts[3].timestamp + 1024) >>> 0,
  ]);
});

Deno.test("latm cpresent=1: in-band StreamMuxConfig, unaligned PayloadMux copied", () => {
  const pkts = capturePackets(BIN).slice(0, 4);
  const ref = run(pkts).units;
  // StreamMuxConfig of the fmtp config (44 bits) in the first element, then the AUs.
  const smc = hexBytes(SDP.fmtp.config);
  const remade = pkts.map((p, i) =>
    withPayload(p, latmInBand(ref[i].data, i === 0 ? smc : undefined, 44))
  );
  const { units, counts } = run(remade, { cpresent: "1" });
  assert.deepEqual(counts, {});
  assert.deepEqual(units.map((u) => u.data), ref.map((u) => u.data));
  // Without any config yet, an element that says "same config" is counted.
  const none = run(remade.slice(1), { cpresent: "1" });
  assert.equal(none.units.length, 0);
  assert.equal(none.counts.latm_no_config, 3);
});
