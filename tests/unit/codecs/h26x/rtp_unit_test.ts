import assert from "node:assert/strict";
import { capturePackets } from "@tests/support/rtp.ts";
import { H264Depacketizer } from "@lib/codecs/h264/depacketizer.ts";
import { UNIT_MAX_SLAB_COPY_BYTES, UNIT_SLAB_BYTES } from "@lib/codecs/h26x/rtp_unit.ts";
import type { RtpUnit } from "@lib/core/types.ts";

Deno.test("emitted units are the receiver's to keep across many slabs (rtp_h264_gst x8)", () => {
  const pkts = capturePackets("rtp_h264_gst.bin"); // 242 packets, 60 access units
  const kept: RtpUnit[] = [];
  const copies: Uint8Array[] = [];
  const dp = new H264Depacketizer({
    count: () => {},
    onUnit: (u) => {
      kept.push(u); // no copy: later units must not overwrite this one
      copies.push(u.data.slice());
    },
  });
  const passes = 8;
  let bytes = 0;
  for (let p = 0; p < passes; p++) {
    for (const k of pkts) {
      dp.push({ ...k, timestamp: (k.timestamp + p * 900_000) >>> 0 }, false);
      bytes += k.payload.length;
    }
  }
  dp.flush();
  assert.equal(kept.length, 60 * passes, "fixture README: 60 access units per pass");
  assert.ok(bytes > 2 * UNIT_SLAB_BYTES, "the run spans several slabs");
  for (let i = 0; i < kept.length; i++) assert.deepEqual(kept[i].data, copies[i], `unit ${i}`);
  // the same pass gives the same bytes (a slab reused too early would break this)
  for (let i = 60; i < kept.length; i++) assert.deepEqual(kept[i].data, kept[i % 60].data);
  const shared = kept.filter((u) => u.data.buffer.byteLength === UNIT_SLAB_BYTES);
  const own = kept.filter((u) => u.data.buffer.byteLength === u.data.length);
  assert.equal(shared.length + own.length, kept.length);
  assert.ok(shared.length > kept.length / 2, "most units share slabs");
  assert.ok(own.every((u) => u.data.length > UNIT_MAX_SLAB_COPY_BYTES));
  assert.ok(shared.every((u) => u.data.length <= UNIT_MAX_SLAB_COPY_BYTES));
});
