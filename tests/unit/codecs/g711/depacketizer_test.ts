import assert from "node:assert/strict";
import { G711Depacketizer, g711Samples } from "@lib/codecs/g711/depacketizer.ts";
import { snapshot, withPayload } from "@tests/unit/codecs/_rtp_audio.ts";
import { collector } from "@tests/unit/codecs/_rtp.ts";
import { capturePackets, sdpMedia } from "@tests/support/rtp.ts";

Deno.test("g711 PCMU capture: one frame per packet, samples = bytes = ffmpeg's ts step", () => {
  const sdp = sdpMedia("rtp_pcm_mulaw_ffmpeg.sdp");
  const pkts = capturePackets("rtp_pcm_mulaw_ffmpeg.bin");
  assert.ok(pkts.length > 50);
  assert.ok(pkts.every((p) => p.payloadType === 0), "static PT 0 = PCMU/8000");
  assert.equal(sdp.encoding, "", "PT 0 needs no rtpmap");
  const before = snapshot(pkts);
  const c = collector();
  const d = new G711Depacketizer({ onUnit: c.onUnit, count: c.count });
  pkts.forEach((p) => d.push(p, false));
  d.flush();
  assert.equal(c.units.length, pkts.length);
  assert.deepEqual(c.counts, {});
  c.units.forEach((u, i) => {
    assert.deepEqual(u.data, pkts[i].payload);
    assert.equal(u.timestamp, pkts[i].timestamp);
    if (i + 1 < pkts.length) {
      const step = (pkts[i + 1].timestamp - pkts[i].timestamp) >>> 0;
      assert.equal(g711Samples(u.data), step, `packet ${i}`);
    }
  });
  assert.deepEqual(pkts.map((p) => p.payload), before);
  // Empty payloads are counted, not emitted.
  d.push(withPayload(pkts[0], new Uint8Array(0)), false);
  assert.equal(c.counts.g711_empty, 1);
  assert.equal(c.units.length, pkts.length);
});
