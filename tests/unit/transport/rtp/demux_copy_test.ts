import assert from "node:assert/strict";
import { RtpDemux, type RtpSourceSink } from "@lib/transport/rtp/demux.ts";
import { parseRtp } from "@lib/transport/rtp/packet.ts";
import type { RtpPacket } from "@lib/core/types.ts";
import { readCapture } from "@tests/support/replay.ts";

const CAPTURE = readCapture("rtp/rtp_h264_gst.bin").map((d) => d.data);

class Sink implements RtpSourceSink {
  pkts: RtpPacket[] = [];
  pushRtp(p: RtpPacket) {
    this.pkts.push(p);
  }
}

Deno.test("demux: every packet of a source, first and later, survives slot reuse", () => {
  const sink = new Sink();
  const demux = new RtpDemux<Sink>({ onNewSource: () => sink });
  const slot = new Uint8Array(2048);
  for (const d of CAPTURE) {
    slot.set(d);
    demux.onDatagram(slot.subarray(0, d.length), { hostname: "10.0.0.1", port: 5004 }, 0);
    slot.fill(0xee);
  }
  assert.equal(sink.pkts.length, CAPTURE.length);
  for (let i = 0; i < CAPTURE.length; i++) {
    const want = parseRtp(CAPTURE[i]);
    assert.ok(want.ok);
    assert.deepEqual(sink.pkts[i].payload, want.value.payload, `packet ${i}`);
    assert.equal(sink.pkts[i].seq, want.value.seq);
  }
  // the first packet (held while the source is new) does not share a slab
  assert.equal(sink.pkts[0].payload.buffer.byteLength, CAPTURE[0].length);
});
