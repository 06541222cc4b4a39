import assert from "node:assert/strict";
import { ARENA_SLAB_BYTES, CopyArena } from "@lib/core/copy_arena.ts";
import { readCapture } from "@tests/support/replay.ts";

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
  assert.equal(arena.maxCopyBytes, ARENA_SLAB_BYTES / 16);
  const big = new Uint8Array(arena.maxCopyBytes + 1).fill(7);
  const c = arena.copy(big);
  assert.equal(c.byteOffset, 0);
  assert.equal(c.buffer.byteLength, big.length);
  const small = arena.copy(new Uint8Array([1, 2, 3]));
  assert.equal(small.buffer.byteLength, ARENA_SLAB_BYTES);
  assert.throws(() => new CopyArena(1024), RangeError);
  assert.throws(() => new CopyArena(8192, 8193), RangeError);
});
