/**
 * PesBuffer: PES packets collected from TS payloads into slab reservations. What was
 * handed out keeps its bytes while later PES are collected (reservations never overlap),
 * an unbounded keyframe PES is reserved from the last keyframe's size (not a delta
 * frame's), bounded PES get an exact reservation, and the cap holds.
 */
import assert from "node:assert/strict";
import { PES_SLAB_BYTES, PesBuffer } from "@lib/container/mpegts/pes.ts";
import { prng } from "@tests/support/prng.ts";

/** An unbounded video PES (PES_packet_length 0) of `size` bytes, fill byte `fill`. */
function unboundedPes(size: number, fill: number): Uint8Array {
  const p = new Uint8Array(size).fill(fill);
  p.set([0, 0, 1, 0xe0, 0, 0, 0x80, 0, 0]);
  return p;
}

/** Feeds `pes` in 184-byte payloads; returns what take() hands out. */
function collect(b: PesBuffer, pes: Uint8Array, rai: boolean): Uint8Array {
  assert.ok(b.start(pes, 0, Math.min(184, pes.length), rai));
  for (let o = 184; o < pes.length; o += 184) {
    assert.ok(b.append(pes, o, Math.min(o + 184, pes.length)));
  }
  return b.take();
}

Deno.test("PesBuffer: handed-out PES keep their bytes across slabs (sizes 9 B - 300 KB)", () => {
  const r = prng(7);
  const b = new PesBuffer(16 << 20);
  const kept: { bytes: Uint8Array; fill: number; size: number }[] = [];
  let total = 0;
  for (let i = 0; total < 6 * PES_SLAB_BYTES; i++) {
    const size = 9 + Math.floor(r() ** 3 * 300_000);
    const fill = 1 + (i % 250);
    const bytes = collect(b, unboundedPes(size, fill), i % 30 === 0);
    assert.equal(bytes.length, size);
    kept.push({ bytes, fill, size });
    total += size;
  }
  for (const k of kept) {
    assert.equal(k.bytes.length, k.size);
    for (let j = 9; j < k.size; j += 97) assert.equal(k.bytes[j], k.fill);
  }
});

Deno.test("PesBuffer: an unbounded keyframe PES is reserved from the last keyframe's size", () => {
  const b = new PesBuffer(16 << 20);
  collect(b, unboundedPes(150_000, 1), true); // keyframe
  for (let i = 0; i < 5; i++) collect(b, unboundedPes(20_000, 2), false); // delta frames
  assert.ok(b.start(unboundedPes(184, 3), 0, 184, true));
  assert.ok(b.buf.length >= 150_000, `keyframe reservation ${b.buf.length} < 150,000`);
  b.clear();
  assert.ok(b.start(unboundedPes(184, 3), 0, 184, false));
  assert.ok(b.buf.length >= 20_000 && b.buf.length < 150_000, `delta reservation ${b.buf.length}`);
});

Deno.test("PesBuffer: a bounded PES gets an exact reservation and completes; the cap holds", () => {
  const b = new PesBuffer(4096);
  const pes = unboundedPes(1000, 5);
  pes[4] = (994 >> 8) & 0xff; // PES_packet_length: 1000 - 6
  pes[5] = 994 & 0xff;
  assert.ok(b.start(pes, 0, 184));
  assert.equal(b.buf.length, 1000);
  for (let o = 184; o < 1000; o += 184) b.append(pes, o, Math.min(o + 184, 1000));
  assert.ok(b.complete);
  assert.equal(b.take().length, 1000);
  const big = unboundedPes(5000, 6);
  assert.ok(b.start(big, 0, 184));
  let ok = true;
  for (let o = 184; o < 5000 && ok; o += 184) ok = b.append(big, o, Math.min(o + 184, 5000));
  assert.equal(ok, false, "over the cap: refused");
  assert.equal(b.len, 0, "and nothing kept");
});

Deno.test("PesBuffer: payloads at any alignment, after a first payload of any length, keep every byte", () => {
  const r = prng(11);
  const b = new PesBuffer(16 << 20);
  for (let shift = 0; shift < 4; shift++) {
    for (let first = 170; first <= 184; first++) {
      // a PES of random bytes sent as TS payloads: `first` bytes, then 184 each
      const size = 9 + Math.floor(r() * 40_000);
      const pes = new Uint8Array(size);
      for (let i = 0; i < size; i++) pes[i] = (r() * 256) | 0;
      pes.set([0, 0, 1, 0xe0, 0, 0, 0x80, 0, 0]);
      // the payloads sit in a buffer `shift` bytes off a word boundary, as a receiver's may
      const src = new Uint8Array(size + shift).subarray(shift);
      src.set(pes);
      const f = Math.min(first, size);
      assert.ok(b.start(src, 0, f, false));
      for (let o = f; o < size; o += 184) assert.ok(b.append(src, o, Math.min(o + 184, size)));
      assert.deepEqual(b.take(), pes, `shift ${shift}, first ${first}`);
    }
  }
});
