/**
 * SlabPool (lib/core/slabs.ts): slabs older than a released frame's go back and are handed
 * out again; the released frame's own slab and newer ones are not; a pinned slab never
 * is; the free list and the tracked window are bounded, a pool nobody releases holds
 * nothing, and the window grows when a GOP buffer spans more slabs than it.
 */
import assert from "node:assert/strict";
import { arm, pin, releaseBefore, retire, SlabPool, SpareSlabs } from "@lib/core/slabs.ts";

/** A frame view inside slab `s` (as PesBuffer hands them out). */
const frameIn = (s: Uint8Array, at = 0) => s.subarray(at, at + 100);

/** A pool that has heard its first release (a GOP buffer drops its frames); spares of its own. */
function armed(keep?: number, spare = new SpareSlabs()): SlabPool {
  const pool = new SlabPool(1024, keep, spare);
  releaseBefore(frameIn(pool.take()));
  return pool;
}

Deno.test("slabs: the slabs before a released frame's come back; its own and newer stay", () => {
  const pool = armed();
  const a = pool.take(), b = pool.take(), c = pool.take();
  assert.equal(pool.fresh, 4);
  releaseBefore(frameIn(b, 500)); // the arming slab's and a's frames are all gone
  assert.equal(pool.free, 2);
  const d = pool.take();
  assert.equal(d.buffer, a.buffer, "the oldest slab is handed out again");
  assert.equal(pool.reused, 1);
  releaseBefore(frameIn(c)); // b comes back, c (current) stays
  const e = pool.take();
  assert.equal(e.buffer, b.buffer);
  assert.notEqual(e.buffer, c.buffer);
  // a release naming the newest slab gives back everything before it, nothing else
  releaseBefore(frameIn(e));
  assert.equal(pool.free, 3);
  assert.ok([pool.take(), pool.take()].every((s) => s.buffer !== e.buffer));
});

Deno.test("slabs: a pinned slab is never handed out again", () => {
  const pool = armed();
  const a = pool.take(), b = pool.take(), c = pool.take();
  pin(frameIn(a, 10));
  releaseBefore(frameIn(c));
  assert.equal(pool.free, 2, "the arming slab and b come back, a does not");
  assert.equal(pool.take().buffer, b.buffer);
  assert.notEqual(pool.take().buffer, a.buffer);
});

Deno.test("slabs: frames not from a pool are ignored; a second release changes nothing", () => {
  pin(new Uint8Array(8));
  releaseBefore(new Uint8Array(8));
  const pool = armed();
  pool.take();
  const b = pool.take();
  releaseBefore(frameIn(b));
  releaseBefore(frameIn(b));
  assert.equal(pool.free, 2);
});

Deno.test("slabs: at most `keep` free slabs wait; the rest go to the GC", () => {
  const pool = armed(2);
  const s = Array.from({ length: 6 }, () => pool.take());
  releaseBefore(frameIn(s[5]));
  assert.equal(pool.free, 2);
});

Deno.test("slabs: a pool never released holds only its current slab", () => {
  const pool = new SlabPool(1024, 64, new SpareSlabs());
  const s = Array.from({ length: 20 }, () => pool.take());
  assert.equal(pool.tracked, 1, "slabs whose frames nobody releases are not kept alive");
  // the first release finds nothing to give back, and arms the pool
  releaseBefore(frameIn(s[19]));
  assert.equal(pool.free, 0);
  const t = Array.from({ length: 4 }, () => pool.take());
  releaseBefore(frameIn(t[3]));
  assert.equal(pool.free, 4, "s[19] and t[0..2] come back");
});

Deno.test("slabs: an armed pool tracks 8 slabs; a wider GOP buffer widens it", () => {
  const pool = armed(64);
  const s = Array.from({ length: 20 }, () => pool.take());
  assert.equal(pool.tracked, 8);
  // the buffer spans 12 slabs: its release names a slab the pool already forgot
  releaseBefore(frameIn(s[8]));
  assert.equal(pool.free, 0);
  const t = Array.from({ length: 20 }, () => pool.take());
  assert.equal(pool.tracked, 16);
  releaseBefore(frameIn(t[10]));
  assert.equal(pool.free, 6, "t[4..9] come back once the window covers them");
});

Deno.test("slabs: a keyframe stored in a GOP buffer arms the pool (arm)", () => {
  const pool = new SlabPool(1024, 64, new SpareSlabs());
  for (let i = 0; i < 5; i++) pool.take();
  assert.equal(pool.tracked, 1);
  const key = pool.take();
  arm(frameIn(key, 40));
  const after = Array.from({ length: 6 }, () => pool.take());
  assert.equal(pool.tracked, 7, "the keyframe's slab and every slab after it");
  releaseBefore(frameIn(after[5]));
  assert.equal(pool.free, 6);
  arm(new Uint8Array(4)); // not a pool's: nothing happens
});

Deno.test("slabs: a closed pool's free slabs and later releases go spare; a new pool takes them first", () => {
  const spare = new SpareSlabs();
  const old = armed(4, spare);
  const s = Array.from({ length: 5 }, () => old.take());
  releaseBefore(frameIn(s[2])); // the arming slab, s[0] and s[1] come back to its free list
  assert.equal(old.free, 3);
  pin(frameIn(s[3], 8)); // an API reader holds a frame of s[3]
  old.close(); // the connection closed: nothing writes s[4] any more
  assert.equal(old.free, 0);
  assert.equal(spare.count, 3, "the free slabs went spare");
  // the GOP buffer goes on dropping the old session's frames
  releaseBefore(frameIn(s[4]));
  assert.equal(spare.count, 4, "s[2] came back; the pinned s[3] did not");
  assert.equal(old.free, 0, "a closed pool keeps nothing for itself");
  const next = new SlabPool(1024, 4, spare);
  const got = Array.from({ length: 5 }, () => next.take());
  assert.deepEqual([next.reused, next.fresh], [4, 1]);
  assert.ok(got.every((g) => g.buffer !== s[3].buffer && g.buffer !== s[4].buffer));
  assert.equal(new Set(got.map((g) => g.buffer)).size, 5, "no slab handed out twice");
});

Deno.test("slabs: retire gives a discarded buffer's slabs spare only once their pool is closed, once each", () => {
  const spare = new SpareSlabs();
  const pool = armed(4, spare);
  const a = pool.take(), b = pool.take();
  const frames = [frameIn(a, 0), frameIn(a, 200), frameIn(b, 0)];
  for (const f of frames) retire(f); // the input still writes: nothing goes spare
  assert.equal(spare.count, 0);
  pin(frames[2]);
  pool.close();
  for (const f of frames) retire(f);
  for (const f of frames) retire(f);
  assert.equal(spare.count, 1, "a once (two frames, two calls each); b is pinned");
  // a later release through the closed pool does not give a second time
  releaseBefore(frameIn(b, 500));
  assert.equal(spare.count, 2, "the arming slab; a not again");
  const next = new SlabPool(1024, 4, spare);
  const got = [next.take(), next.take(), next.take()];
  assert.equal(next.reused, 2);
  assert.ok(got.every((g) => g.buffer !== b.buffer));
  // past its bound a spare list leaves slabs to the GC
  const small = new SpareSlabs(1);
  small.put(new ArrayBuffer(1024));
  small.put(new ArrayBuffer(1024));
  assert.equal(small.count, 1);
  assert.equal(small.take(2048), undefined, "only slabs of the size asked");
});
