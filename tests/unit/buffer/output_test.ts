import assert from "node:assert/strict";
import { OutputQueue } from "@lib/buffer/output.ts";
import type { AccessUnit } from "@lib/core/types.ts";
import { assemble, tsVideo } from "@tests/unit/codecs/h26x/_util.ts";

/** Real access units of h264_aac.ts (GOP 30), repeated with shifted pts to reach `n`. */
function frames(n: number): AccessUnit[] {
  const { codec, chunks } = tsVideo("h264_aac.ts");
  const base = assemble(codec, chunks).aus;
  return Array.from({ length: n }, (_, i) => {
    const au = base[i % base.length];
    const shift = Math.floor(i / base.length) * 180000;
    return { ...au, pts: au.pts + shift, dts: au.dts + shift };
  });
}

Deno.test("output: a stalled consumer never delays the publisher; it resumes at a key frame", () => {
  const aus = frames(10_000);
  const q = new OutputQueue();
  const counted: Record<string, number> = {};
  const stalled = q.subscribe({
    maxFrames: 100,
    maxBytes: 1 << 30,
    count: (r, n = 1) => counted[r] = (counted[r] ?? 0) + n,
  });
  const fast = q.subscribe({ maxFrames: 4 });
  const got: AccessUnit[] = [];
  const t0 = performance.now();
  for (const au of aus) {
    q.publish(au);
    for (let f = fast.next(); f; f = fast.next()) got.push(f);
  }
  const ms = performance.now() - t0;
  assert.ok(ms < 2000, `publish of 10k frames took ${ms} ms`);
  assert.equal(q.published, 10_000);
  // the fast consumer got everything, in order
  assert.equal(got.length, 10_000);
  assert.ok(got.every((a, i) => a === aus[i]));
  assert.deepEqual(fast.stats.drops, {});
  // the stalled one holds at most 100 frames, starting at a key frame
  const s = stalled.stats;
  assert.ok(s.queuedFrames <= 100 && s.queuedFrames > 0);
  const first = stalled.next()!;
  assert.ok(first.key, "resumes at a key frame");
  const firstIdx = aus.indexOf(first);
  assert.equal(firstIdx % 30, 0);
  // drops are whole GOPs: everything before the queue head, and nothing after it
  assert.equal(s.drops.consumer_overflow, firstIdx);
  assert.equal(counted.consumer_overflow, firstIdx);
  assert.equal(s.queuedFrames + 1 + firstIdx, 10_000);
  const rest: AccessUnit[] = [];
  for (let f = stalled.next(); f; f = stalled.next()) rest.push(f);
  assert.ok(rest.every((a, i) => a === aus[firstIdx + 1 + i]), "the rest is contiguous");
  assert.equal(s.queuedFrames, 0);
  assert.equal(s.queuedBytes, 0);
});

Deno.test("output: byte cap overflow drops to the next queued key frame", () => {
  const aus = frames(120);
  const q = new OutputQueue();
  const gopBytes = aus.slice(0, 30).reduce((s, a) => s + a.data.length, 0);
  const c = q.subscribe({ maxBytes: gopBytes + 100, maxFrames: 10_000 });
  for (const au of aus.slice(0, 35)) q.publish(au);
  // GOP 0 (30 frames) + 5 frames of GOP 1 exceed the cap: GOP 0 went, GOP 1 stays
  assert.equal(c.stats.drops.consumer_overflow, 30);
  assert.equal(c.next(), aus[30]);
  assert.equal(c.stats.queuedFrames, 4);
});

Deno.test("output: no key frame queued -> queue emptied, skip until the next key frame", () => {
  const aus = frames(90);
  const q = new OutputQueue();
  const c = q.subscribe({ maxFrames: 10 });
  for (const au of aus.slice(0, 11)) q.publish(au); // 11th frame overflows GOP 0
  assert.equal(c.stats.queuedFrames, 0);
  assert.equal(c.stats.drops.consumer_overflow, 11);
  for (const au of aus.slice(11, 30)) q.publish(au); // rest of GOP 0: skipped
  assert.equal(c.stats.drops.consumer_overflow, 30);
  q.publish(aus[30]);
  assert.equal(c.next(), aus[30]);
});

Deno.test("output: a new consumer starts at the next key frame; async iteration; close", async () => {
  const aus = frames(62);
  const q = new OutputQueue();
  q.publish(aus[0]);
  const c = q.subscribe({ maxFrames: 100 });
  for (const au of aus.slice(1, 30)) q.publish(au);
  assert.equal(c.stats.queuedFrames, 0);
  assert.deepEqual(c.stats.drops, {});
  const seen: AccessUnit[] = [];
  const reader = (async () => {
    for await (const au of c) seen.push(au);
  })();
  for (const au of aus.slice(30)) {
    q.publish(au);
    await Promise.resolve();
  }
  await new Promise((r) => setTimeout(r, 0));
  q.close();
  await reader;
  assert.deepEqual(seen, aus.slice(30));
  assert.equal(q.consumers, 0);
  q.publish(aus[0]); // no consumers: fine
});

Deno.test("output: audio key frames do not resync a video consumer", () => {
  const aus = frames(40);
  const q = new OutputQueue();
  const c = q.subscribe({ maxFrames: 5 });
  const audio: AccessUnit = { ...aus[1], kind: "audio", codec: "aac", key: true, trackId: 2 };
  q.publish(aus[0]);
  for (let i = 1; i < 10; i++) {
    q.publish(aus[i]);
    q.publish(audio);
  }
  // overflowed inside GOP 0: everything dropped, audio included, until the next video key
  assert.equal(c.stats.queuedFrames, 0);
  for (const au of aus.slice(10, 31)) q.publish(au);
  assert.equal(c.next(), aus[30]);
});
