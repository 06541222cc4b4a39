import assert from "node:assert/strict";
import { RtpSession } from "@lib/transport/rtp/session.ts";
import type { RtpDepacketizer, RtpPacket } from "@lib/core/types.ts";
import { CAPTURES } from "./_captures.ts";
import { capturePackets } from "@tests/support/rtp.ts";
import { prng } from "@tests/support/prng.ts";

function recorder() {
  const got: { seq: number; ext: number; lost: boolean; pt: number }[] = [];
  const depack: RtpDepacketizer = {
    push: (p, lost) => got.push({ seq: p.seq, ext: p.extSeq, lost, pt: p.payloadType }),
    flush: () => {},
  };
  return { got, factory: () => depack };
}

Deno.test("captures through a session: every packet in order, nothing lost", () => {
  for (const [name, count, rate] of CAPTURES) {
    const pkts = capturePackets(name);
    const { got, factory } = recorder();
    const s = new RtpSession({ ssrc: pkts[0].ssrc, clockRate: rate, createDepacketizer: factory });
    for (const p of pkts) s.pushRtp(p, p.arrivalMs);
    s.flush();
    assert.deepEqual(got.map((g) => g.seq), pkts.map((p) => p.seq), name);
    assert.ok(got.every((g) => !g.lost), name);
    assert.ok(got.every((g, i) => i === 0 || g.ext === got[i - 1].ext + 1), name);
    const st = s.stats();
    assert.equal(st.packets, count);
    assert.equal(st.expected, count);
    assert.equal(st.lost + st.duplicated + st.reordered + st.late, 0);
    assert.equal(st.bytes, pkts.reduce((a, p) => a + p.payload.length, 0));
  }
});

/** Applies seeded loss, reordering and duplication; returns arrival order and what was injected. */
function impair(n: number, seed: number) {
  const rnd = prng(seed);
  const dropped = new Set<number>();
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    // keep the two probation packets and the last one (so every gap has a successor)
    if (i >= 2 && i < n - 1 && rnd() < 0.06) dropped.add(i);
    else order.push(i);
  }
  for (let j = 2; j < order.length - 1; j++) {
    if (rnd() < 0.08) {
      const k = Math.min(order.length - 1, j + 1 + Math.floor(rnd() * 3));
      [order[j], order[k]] = [order[k], order[j]];
    }
  }
  let duplicates = 0;
  for (let j = 2; j < order.length; j++) {
    if (rnd() < 0.04) {
      order.splice(j + 1 + Math.floor(rnd() * 3), 0, order[j]);
      duplicates++;
      j++;
    }
  }
  // reordered: first arrival of a packet after a higher one arrived
  const seen = new Set<number>();
  let max = -1;
  let reordered = 0;
  for (const i of order) {
    if (seen.has(i)) continue;
    seen.add(i);
    if (i < max) reordered++;
    max = Math.max(max, i);
  }
  return { order, dropped, duplicates, reordered };
}

Deno.test("seeded loss, reordering and duplication: counters equal what was injected", () => {
  let injected = 0;
  for (const [name, , rate] of CAPTURES) {
    for (const seed of [1, 2, 3]) {
      const pkts = capturePackets(name);
      const { order, dropped, duplicates, reordered } = impair(pkts.length, seed * 7919);
      injected += dropped.size + duplicates + reordered;
      const { got, factory } = recorder();
      const s = new RtpSession({
        ssrc: pkts[0].ssrc,
        clockRate: rate,
        jitterLatencyMs: 500,
        createDepacketizer: factory,
      });
      // arrival k happens at the k-th recorded arrival time (monotonic)
      order.forEach((i, k) => {
        const now = pkts[Math.min(k, pkts.length - 1)].arrivalMs;
        s.poll(now);
        s.pushRtp({ ...pkts[i], arrivalMs: now }, now);
      });
      s.flush();
      const survivors = pkts.map((_, i) => i).filter((i) => !dropped.has(i));
      const tag = `${name} seed ${seed}`;
      assert.deepEqual(got.map((g) => g.seq), survivors.map((i) => pkts[i].seq), tag);
      assert.deepEqual(
        got.filter((g) => g.lost).map((g) => g.seq),
        survivors.filter((i) => dropped.has(i - 1)).map((i) => pkts[i].seq),
        `${tag}: lostBefore marks exactly the gaps`,
      );
      const st = s.stats();
      assert.equal(st.lost, dropped.size, `${tag} lost`);
      assert.equal(st.gapPackets, dropped.size, `${tag} gap packets`);
      assert.equal(st.duplicated, duplicates, `${tag} duplicated`);
      assert.equal(st.reordered, reordered, `${tag} reordered`);
      assert.equal(st.late, 0, tag);
      assert.equal(st.packets, survivors.length, tag);
      assert.equal(st.expected, pkts.length, tag);
    }
  }
  assert.ok(injected > 100, `the impairments did something (${injected})`);
});

function mk(seq: number, ts = seq * 3000, ssrc = 7, pt = 96): RtpPacket {
  return {
    version: 2,
    padding: false,
    extension: false,
    marker: false,
    payloadType: pt,
    seq: seq & 0xffff,
    extSeq: 0,
    timestamp: ts >>> 0,
    ssrc,
    csrcs: [],
    payload: new Uint8Array(10),
    arrivalMs: 0,
  };
}

Deno.test("wrap-around, large jump re-sync and SSRC change keep counters and mark discontinuities", () => {
  const { got, factory } = recorder();
  const s = new RtpSession({ ssrc: 7, createDepacketizer: factory });
  for (let q = 65530; q < 65540; q++) s.pushRtp(mk(q), 0);
  assert.deepEqual(got.map((g) => g.ext), [...Array(10)].map((_, i) => 65530 + i));
  s.pushRtp(mk(20000), 0); // jump: dropped
  s.pushRtp(mk(20001), 0); // confirmed: re-sync
  s.pushRtp(mk(20002), 0);
  assert.deepEqual(got.slice(10).map((g) => [g.seq, g.lost]), [[20001, true], [20002, false]]);
  s.changeSsrc(8);
  s.pushRtp(mk(500, 0, 8), 0);
  s.pushRtp(mk(501, 0, 8), 0);
  assert.deepEqual(got.slice(12).map((g) => [g.seq, g.lost]), [[500, true], [501, false]]);
  const st = s.stats();
  assert.equal(st.ssrc, 8);
  assert.equal(st.ssrcChanges, 1);
  assert.equal(st.resyncs, 1);
  assert.equal(st.packets, 14);
  assert.equal(st.expected, 14);
  assert.equal(st.lost, 0);
  const rb = s.reportBlock();
  assert.equal(rb.ssrc, 8);
  assert.equal(rb.fractionLost, 0);
});

Deno.test("SR, CNAME and payload type change", () => {
  const made: number[] = [];
  const got: [number, boolean][] = [];
  const s = new RtpSession({
    ssrc: 7,
    createDepacketizer: (pt) => {
      made.push(pt);
      return { push: (p, l) => got.push([p.seq, l]), flush: () => {} };
    },
  });
  s.pushRtcp({ type: "sdes", chunks: [{ ssrc: 7, cname: "cam" }] }, 0);
  s.pushRtcp({
    type: "sr",
    ssrc: 7,
    ntpSec: 2208988800 + 10,
    ntpFrac: 0,
    rtpTimestamp: 90000,
    packetCount: 1,
    octetCount: 2,
    reports: [],
  }, 5);
  assert.equal(s.wallClockOf(180000), 11000);
  assert.equal(s.stats().cname, "cam");
  s.pushRtp(mk(1), 0);
  s.pushRtp(mk(2), 0);
  s.pushRtp(mk(3, 0, 7, 97), 0);
  assert.deepEqual(made, [96, 97]);
  assert.deepEqual(got, [[1, false], [2, false], [3, true]]);
});
