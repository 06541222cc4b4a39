/** TsFramer: packet alignment from any chunking, sync loss and re-acquisition. */
import assert from "node:assert/strict";
import { MAX_CARRY_BYTES, TsFramer } from "@lib/container/mpegts/framer.ts";
import { readFixture } from "@tests/_helpers.ts";
import { join, packets } from "@tests/support/ts.ts";

function frame(parts: Uint8Array[], flush = true) {
  const out: Uint8Array[] = [];
  const counts: string[] = [];
  let maxCarry = 0;
  let lockedCarry = 0;
  const f = new TsFramer((p) => out.push(p.slice()), (r) => counts.push(r));
  for (const p of parts) {
    f.push(p);
    maxCarry = Math.max(maxCarry, f.carriedBytes);
    if (out.length > 0) lockedCarry = Math.max(lockedCarry, f.carriedBytes);
  }
  if (flush) f.flush();
  return { out, counts, maxCarry, lockedCarry };
}

const pk = packets(readFixture("ts/hevc_aac.ts")).slice(0, 40);
const data = join(pk);

Deno.test("framer: byte-by-byte equals whole", () => {
  const bytes = Array.from(data, (b) => Uint8Array.of(b));
  const r = frame(bytes);
  assert.deepEqual(r.out, pk);
  assert.deepEqual(r.counts, []);
  assert.ok(r.lockedCarry < 188, "once locked, less than a packet is carried");
  assert.ok(r.maxCarry <= MAX_CARRY_BYTES);
});

Deno.test("framer: leading garbage and a torn packet are counted once each", () => {
  const junk = Uint8Array.from([0x47, 1, 2, 0x47, 9, 9, 9]);
  const torn = join([junk, ...pk.slice(0, 10), pk[10].subarray(0, 50), ...pk.slice(11)]);
  const r = frame([torn.subarray(0, 500), torn.subarray(500)]);
  assert.deepEqual(r.counts, ["sync_loss", "sync_loss"]);
  assert.deepEqual(r.out, [...pk.slice(0, 10), ...pk.slice(11)]);
  assert.ok(r.maxCarry <= MAX_CARRY_BYTES);
});

Deno.test("framer: the last packets after a resync come out at flush", () => {
  const tail = join([Uint8Array.of(1, 2, 3), pk[0], pk[1]]);
  assert.deepEqual(frame([tail], false).out, []);
  assert.deepEqual(frame([tail]).out, [pk[0], pk[1]]);
});

Deno.test("framer: pure noise keeps the carry bounded and emits nothing", () => {
  let x = 12345;
  const noise = new Uint8Array(50000).map(() => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
  const parts = Array.from({ length: 50 }, (_, i) => noise.subarray(i * 1000, i * 1000 + 1000));
  const r = frame(parts);
  assert.ok(r.maxCarry <= MAX_CARRY_BYTES);
  assert.ok(r.counts.length >= 1 && r.counts.every((c) => c === "sync_loss"));
});
