import assert from "node:assert/strict";
import { splitAnnexB } from "@lib/core/bits.ts";
import { findRecoveryPoint, parseH264Sei } from "@lib/codecs/h264/sei.ts";
import { readFixture } from "@tests/_helpers.ts";

const hex = (s: string) => Uint8Array.from(s.match(/../g)!, (b) => parseInt(b, 16));

// Recovery point SEI written by libx264 (intra-refresh=1, ffmpeg 5.1). Oracle: ffmpeg's
// trace_headers bitstream filter on that stream: recovery_frame_cnt 12, exact_match_flag 1,
// broken_link_flag 0.
const X264_RECOVERY = "0606021b1080";

Deno.test("h264 sei: libx264 recovery point matches ffmpeg trace_headers", () => {
  const r = findRecoveryPoint(hex(X264_RECOVERY));
  assert.deepEqual(r, {
    ok: true,
    value: { recoveryFrameCnt: 12, exactMatch: true, brokenLink: false },
  });
});

Deno.test("h264 sei: fixture SEIs (x264 user data unregistered) carry no recovery point", () => {
  const sei = splitAnnexB(readFixture("es/h264_aud.h264")).find((n) => (n[0] & 0x1f) === 6);
  assert.ok(sei);
  const msgs = parseH264Sei(sei);
  assert.ok(msgs.ok);
  assert.deepEqual(msgs.value.map((m) => m.payloadType), [5]);
  assert.equal(msgs.value[0].payload.length >= 16, true); // 16-byte UUID first
  assert.deepEqual(findRecoveryPoint(sei), { ok: true, value: null });
});

Deno.test("h264 sei: truncated and foreign NAL units fail without throwing", () => {
  const rp = hex(X264_RECOVERY);
  assert.deepEqual(findRecoveryPoint(rp.subarray(0, 2)), { ok: false, reason: "sei_truncated" });
  assert.deepEqual(findRecoveryPoint(rp.subarray(0, 3)), { ok: false, reason: "sei_truncated" });
  assert.deepEqual(findRecoveryPoint(new Uint8Array([0x67, 6])), {
    ok: false,
    reason: "sei_not_sei",
  });
  // A recovery point whose ue(v) runs off the end.
  assert.deepEqual(findRecoveryPoint(hex("06060100")), { ok: false, reason: "sei_invalid" });
  // payloadType coded with 0xFF extension bytes: 255 + 1 = 256, size 1.
  const ext = parseH264Sei(hex("06ff0101aa80"));
  assert.deepEqual(ext.ok && ext.value.map((m) => [m.payloadType, m.payload.length]), [[256, 1]]);
});
