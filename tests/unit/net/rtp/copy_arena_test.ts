import assert from "node:assert/strict";
import { readCapture } from "../../../_helpers.ts";
import {
  ARENA_MAX_COPY_BYTES,
  ARENA_SLAB_BYTES,
  CopyArena,
} from "../../../../lib/net/rtp/copy_arena.ts";
import { RtpDemux, type RtpSourceSink } from "../../../../lib/net/rtp/demux.ts";
import { parseRtp } from "../../../../lib/net/rtp/packet.ts";
import type { RtpPacket } from "../../../../lib/media/types.ts";

const CAPTURE = readCapture("rtp/rtp_h264_gst.bin").map((d) => d.data);

Deno.test("arena copies of a real capture through one reused slot stay intact", () => {
  const arena = new CopyArena(64 * 1024);
  const slot = new Uint8Array(2048);
  const copies: Uint8Array[] = [];
  let bytes = 0;
  for (const d of CAPTURE) {
    slot.set(d);
    copies.push(arena.copy(slot.subarray(0, d.length)));
    slot.fill(0xee); // the receiver reuses its slot
    bytes += d.length;
  }
  assert.equal(copies.length, CAPTURE.length);
  for (let i = 0; i < CAPTURE.length; i++) assert.deepEqual(copies[i], CAPTURE[i], `datagram ${i}`);
  // a new slab only when the current one is full: no more slabs than bytes need
  assert.ok(arena.slabs > 1 && arena.slabs <= Math.ceil(bytes / (64 * 1024 - 2048)) + 1);
  assert.ok(copies.every((c) => c.byteOffset % 8 === 0));
});

Deno.test("arena: large datagrams get their own buffer; slab size has a floor", () => {
  const arena = new CopyArena();
  const big = new Uint8Array(ARENA_MAX_COPY_BYTES + 1).fill(7);
  const c = arena.copy(big);
  assert.equal(c.byteOffset, 0);
  assert.equal(c.buffer.byteLength, big.length);
  const small = arena.copy(new Uint8Array([1, 2, 3]));
  assert.equal(small.buffer.byteLength, ARENA_SLAB_BYTES);
  assert.throws(() => new CopyArena(1024), RangeError);
});

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
