import assert from "node:assert/strict";
import { JitterBuffer } from "@lib/transport/rtp/jitter.ts";
import type { RtpPacket } from "@lib/core/types.ts";

function pkt(ext: number, size = 100): RtpPacket {
  return {
    version: 2,
    padding: false,
    extension: false,
    marker: false,
    payloadType: 96,
    seq: ext & 0xffff,
    extSeq: ext,
    timestamp: 0,
    ssrc: 1,
    csrcs: [],
    payload: new Uint8Array(size),
    arrivalMs: 0,
  };
}

function harness(opts: { latencyMs?: number; maxBytes?: number; maxPackets?: number } = {}) {
  const out: [number, boolean][] = [];
  const counts: Record<string, number> = {};
  const jb = new JitterBuffer({
    ...opts,
    onPacket: (p, lost) => out.push([p.extSeq, lost]),
    count: (r, n = 1) => counts[r] = (counts[r] ?? 0) + n,
  });
  return { jb, out, counts };
}

Deno.test("in-order packets are released at once; no deadline pending", () => {
  const { jb, out } = harness();
  for (let i = 0; i < 5; i++) jb.push(pkt(10 + i), i);
  assert.deepEqual(out.map((o) => o[0]), [10, 11, 12, 13, 14]);
  assert.equal(jb.nextDeadline(), undefined);
  assert.equal(jb.packets, 0);
  assert.equal(jb.bytes, 0);
});

Deno.test("reorders within the window; a gap is declared lost when the window passes", () => {
  const { jb, out } = harness({ latencyMs: 50 });
  jb.push(pkt(1), 0);
  jb.push(pkt(3), 5); // 2 is missing
  jb.push(pkt(2), 20); // arrives in time
  assert.deepEqual(out, [[1, false], [2, false], [3, false]]);
  jb.push(pkt(5), 30); // 4 missing
  jb.push(pkt(6), 31);
  assert.equal(jb.nextDeadline(), 80);
  jb.poll(79);
  assert.equal(out.length, 3);
  jb.poll(80);
  assert.deepEqual(out.slice(3), [[5, true], [6, false]]);
  assert.equal(jb.lost, 1);
  jb.push(pkt(4), 90); // too late now
  assert.equal(jb.late, 1);
  jb.push(pkt(6), 91); // already released: late as well
  jb.push(pkt(8), 92);
  jb.push(pkt(8), 93); // duplicate while held
  assert.equal(jb.duplicated, 1);
  jb.flush();
  assert.deepEqual(out.slice(5), [[8, true]]);
  assert.equal(jb.lost, 2);
});

Deno.test("push also releases gaps whose deadline passed (no poll needed)", () => {
  const { jb, out } = harness({ latencyMs: 10 });
  jb.push(pkt(1), 0);
  jb.push(pkt(3), 0);
  jb.push(pkt(4), 50);
  assert.deepEqual(out, [[1, false], [3, true], [4, false]]);
});

Deno.test("byte cap and packet cap force the head out, counted", () => {
  const a = harness({ maxBytes: 1000 });
  a.jb.push(pkt(0, 100), 0);
  for (let i = 2; i < 20; i++) a.jb.push(pkt(i, 188), 0); // 200 bytes each held behind gap 1
  assert.ok(a.jb.bytes <= 1000);
  assert.ok(a.counts.jitter_overflow > 0);
  assert.deepEqual(a.out.slice(0, 2), [[0, false], [2, true]]);
  const b = harness({ maxPackets: 8 });
  b.jb.push(pkt(0), 0);
  b.jb.push(pkt(100), 0); // span > 8 slots: gap declared at once
  assert.deepEqual(b.out, [[0, false], [100, true]]);
  assert.equal(b.jb.lost, 99);
  for (let i = 102; i < 120; i++) b.jb.push(pkt(i), 0);
  assert.ok(b.jb.packets <= 8);
  assert.equal(b.out[2][0], 102);
  assert.equal(b.out[2][1], true);
});
