import assert from "node:assert/strict";
import { OpusDepacketizer, opusPacketSamples } from "@lib/codecs/opus/depacketizer.ts";
import { snapshot, withPayload } from "@tests/unit/codecs/_rtp_audio.ts";
import { collector } from "@tests/unit/codecs/_rtp.ts";
import { capturePackets, sdpMedia } from "@tests/support/rtp.ts";

function run(bin: string) {
  const pkts = capturePackets(bin);
  const before = snapshot(pkts);
  const c = collector();
  const d = new OpusDepacketizer({ onUnit: c.onUnit, count: c.count });
  pkts.forEach((p) => d.push(p, false));
  d.flush();
  return { pkts, before, ...c };
}

for (const bin of ["rtp_libopus_ffmpeg.bin", "av_rtp_15008.bin"]) {
  Deno.test(`opus ${bin}: one frame per packet, TOC duration = ffmpeg's timestamp step`, () => {
    const { pkts, before, units, counts } = run(bin);
    if (bin === "rtp_libopus_ffmpeg.bin") assert.equal(pkts.length, 101);
    assert.equal(units.length, pkts.length);
    assert.deepEqual(counts, {});
    units.forEach((u, i) => {
      assert.deepEqual(u.data, pkts[i].payload);
      assert.equal(u.timestamp, pkts[i].timestamp);
      const s = opusPacketSamples(u.data);
      assert.ok(s.ok);
      if (i + 1 < pkts.length) {
        assert.equal((pkts[i + 1].timestamp - pkts[i].timestamp) >>> 0, s.value, `packet ${i}`);
      }
    });
    assert.deepEqual(pkts.map((p) => p.payload), before);
  });
}

Deno.test("opus: TOC stereo bit agrees with sprop-stereo=1 in the SDP", () => {
  const sdp = sdpMedia("rtp_libopus_ffmpeg.sdp");
  assert.equal(sdp.fmtp["sprop-stereo"], "1");
  assert.equal(sdp.clockRate, 48000);
  assert.ok(run("rtp_libopus_ffmpeg.bin").units.every((u) => (u.data[0] & 4) !== 0));
});

Deno.test("opus: RFC 6716 3.4 packet checks", () => {
  const cases: [number[], number | string][] = [
    [[], "opus_empty"],
    [[0xfc], 960], // CELT FB 20 ms, code 0, DTX-like empty frame
    [[0x01, 1, 2, 3], "opus_invalid"], // code 1 needs an even body (R3)
    [[0x01, 1, 2, 3, 4], 960], // code 1: two 10 ms SILK frames
    [[0x02, 5, 1, 2], "opus_invalid"], // code 2 first frame longer than the packet (R4)
    [[0x02, 1, 9, 8, 7], 960],
    [[0x03], "opus_invalid"], // code 3 without a count byte (R6)
    [[0x03, 0x00], "opus_invalid"], // zero frames (R5)
    [[0x83, 49], "opus_invalid"], // 49 x 2.5 ms > 120 ms (R5)
    [[0x83, 48], 5760],
    [[0x03, 0x02, 1, 2, 3], "opus_invalid"], // CBR body not a multiple of M (R6)
    [[0x03, 0x42, 2, 1, 2, 3, 4, 0, 0], 960], // padding of 2 bytes (R7)
    [[0x03, 0x42, 9, 1, 2], "opus_invalid"], // padding past the end
    [[0x03, 0x82, 2, 1, 2, 3, 4], 960], // VBR: first frame 2 bytes, second 2
    [[0x03, 0x82, 9, 1, 2], "opus_invalid"],
  ];
  for (const [bytes, want] of cases) {
    const r = opusPacketSamples(new Uint8Array(bytes));
    assert.deepEqual(r.ok ? r.value : r.reason, want, JSON.stringify(bytes));
  }
  const c = collector();
  const d = new OpusDepacketizer({ onUnit: c.onUnit, count: c.count });
  const p = capturePackets("rtp_libopus_ffmpeg.bin")[0];
  d.push(withPayload(p, new Uint8Array([0x01, 1, 2, 3])), false);
  d.push(withPayload(p, new Uint8Array(0)), false);
  d.push(p, true);
  assert.equal(c.units.length, 1);
  assert.deepEqual(c.counts, { opus_invalid: 1, opus_empty: 1 });
});
