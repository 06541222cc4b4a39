import assert from "node:assert/strict";
import { GopBuffer } from "@lib/buffer/gop_buffer.ts";
import type { AccessUnit } from "@lib/core/types.ts";

function opus(pts: number, size = 100): AccessUnit {
  return {
    trackId: 97,
    codec: "opus",
    kind: "audio",
    pts,
    dts: pts,
    clockRate: 48000,
    key: true,
    data: new Uint8Array(size),
    arrivalMs: 0,
  };
}

Deno.test("gop buffer: an audio-only stream keeps a time window, rotation is not a drop", () => {
  const drops: Record<string, number> = {};
  const b = new GopBuffer({
    maxGops: 3,
    maxBytes: 1 << 20,
    count: (r, n = 1) => drops[r] = (drops[r] ?? 0) + n,
  });
  for (let i = 0; i < 500; i++) assert.notEqual(b.push(opus(i * 960)), undefined); // 10 s of 20 ms
  const frames = b.frames();
  const span = (frames.at(-1)!.pts - frames[0].pts) / 48000;
  assert.ok(span <= 3 && span > 2.9, `3 s window, got ${span}`);
  assert.equal(frames.length, 151);
  assert.deepEqual(drops, {});
  assert.equal(b.bytes, 151 * 100);
});

Deno.test("gop buffer: audio-only obeys the byte budget, counting evictions", () => {
  const drops: Record<string, number> = {};
  const b = new GopBuffer({
    maxGops: 3,
    maxBytes: 10_000,
    count: (r, n = 1) => drops[r] = (drops[r] ?? 0) + n,
  });
  for (let i = 0; i < 200; i++) b.push(opus(i * 960));
  assert.ok(b.bytes <= 10_000);
  assert.equal(b.frames().length, 100);
  assert.equal(drops.audio_evicted, 100, "the window would hold 151: the budget evicts first");
});
