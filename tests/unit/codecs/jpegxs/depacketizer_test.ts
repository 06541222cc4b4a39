/**
 * JPEG XS RTP depacketizer (RFC 9134): the 10 real SVT codestreams packetized in
 * both packetization modes, sequential and shuffled transmission, progressive and
 * interlaced (pairs of codestreams as fields), recovered byte for byte; seeded loss
 * drops exactly the damaged frames and counts them.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { JpegXsDepacketizer } from "@lib/codecs/jpegxs/depacketizer.ts";
import { JpegXsPacketizer } from "@lib/codecs/jpegxs/packetizer.ts";
import type { DepacketizerOptions, RtpPacket } from "@lib/core/types.ts";
import { runDropping } from "@tests/unit/codecs/_rtp.ts";
import { codestreams } from "./_jxs.ts";
import { prng } from "@tests/support/prng.ts";

const CS = codestreams();
/** A video support box (jpvs) holding nothing, then a colour specification box (colr). */
const BOXES = new Uint8Array([
  ...[0, 0, 0, 8, 0x6a, 0x70, 0x76, 0x73],
  ...[0, 0, 0, 18, 0x63, 0x6f, 0x6c, 0x72, 5, 0, 0, 0, 1, 0, 1, 0, 1, 0],
]);

interface Cfg {
  name: string;
  sliceMode: boolean;
  outOfOrder: boolean;
  interlaced: boolean;
}
const CFGS: Cfg[] = [false, true].flatMap((interlaced) => [
  { name: "codestream", sliceMode: false, outOfOrder: false, interlaced },
  { name: "slice sequential", sliceMode: true, outOfOrder: false, interlaced },
  { name: "slice shuffled", sliceMode: true, outOfOrder: true, interlaced },
]).map((c) => ({ ...c, name: `${c.name} ${c.interlaced ? "interlaced" : "progressive"}` }));

/** Packets of the whole fixture, the output frame of each packet, the expected units. */
function packetize(cfg: Cfg, maxPayloadBytes: number, seed = 1, ts2 = 0) {
  const pz = new JpegXsPacketizer({
    sliceMode: cfg.sliceMode,
    outOfOrder: cfg.outOfOrder,
    rng: prng(seed),
    maxPayloadBytes,
    boxes: BOXES,
    seq: 65000,
  });
  const pkts: RtpPacket[] = [], frameOf: number[] = [], expected: Uint8Array[] = [];
  const step = cfg.interlaced ? 2 : 1;
  for (let i = 0; i < CS.length; i += step) {
    const ts = 0xfffff000 + 3000 * i; // wraps past 2^32
    const r = cfg.interlaced
      ? pz.interlacedFrame(CS[i], CS[i + 1], ts, ts + ts2)
      : pz.frame(CS[i], ts);
    ok(r.ok);
    for (const p of r.value) {
      pkts.push(p);
      frameOf.push(expected.length);
    }
    expected.push(cfg.interlaced ? new Uint8Array([...CS[i], ...CS[i + 1]]) : CS[i]);
  }
  return { pkts, frameOf, expected };
}

const run = (pkts: RtpPacket[], lost?: Set<number>, opts?: Partial<DepacketizerOptions>) =>
  runDropping((o) => new JpegXsDepacketizer(o), pkts, lost, opts);

for (const cfg of CFGS) {
  Deno.test(`jxs depacketizer: ${cfg.name} recovers every codestream`, () => {
    for (const mtu of [1400, 333]) {
      const { pkts, expected } = packetize(cfg, mtu);
      const before = pkts.map((p) => p.payload.slice());
      // Shuffled transmission really sends a frame's packets out of payload order (T=0).
      const sep = (p: RtpPacket) => ((p.payload[1] & 0x3f) * 32 + (p.payload[2] >> 3) + 1) % 2048;
      const back = pkts.some((p, i) =>
        i > 0 && p.timestamp === pkts[i - 1].timestamp &&
        (p.payload[0] & 0x18) === (pkts[i - 1].payload[0] & 0x18) && sep(p) < sep(pkts[i - 1])
      );
      equal(back, cfg.outOfOrder);
      equal(pkts.every((p) => (p.payload[0] & 0x80) === (cfg.outOfOrder ? 0 : 0x80)), true);
      const { units, counts } = run(pkts);
      deepEqual(counts, {});
      equal(units.length, cfg.interlaced ? 5 : 10);
      units.forEach((u, k) => {
        deepEqual(u.data, expected[k], `frame ${k}`);
        equal(u.key, true);
        equal(u.timestamp, (0xfffff000 + 3000 * k * (cfg.interlaced ? 2 : 1)) >>> 0);
      });
      pkts.forEach((p, i) => deepEqual(p.payload, before[i], "caller's buffer not mutated"));
    }
  });

  Deno.test(`jxs depacketizer: ${cfg.name} seeded loss drops exactly the damaged frames`, () => {
    for (let seed = 1; seed <= 6; seed++) {
      const { pkts, frameOf, expected } = packetize(cfg, 1000, seed);
      const rnd = prng(seed * 7919);
      const lost = new Set<number>();
      const n = 1 + Math.floor(rnd() * 4);
      while (lost.size < n) lost.add(Math.floor(rnd() * pkts.length));
      const damaged = new Set([...lost].map((i) => frameOf[i]));
      const { units, counts } = run(pkts, lost);
      deepEqual(counts, { frame_loss: damaged.size }, `seed ${seed} lost ${[...lost]}`);
      deepEqual(units.map((u) => u.data), expected.filter((_, k) => !damaged.has(k)));
    }
  });

  Deno.test(`jxs depacketizer: ${cfg.name} whole frame, first field and marker lost`, () => {
    const { pkts, frameOf, expected } = packetize(cfg, 1000, 3);
    const all = (k: number) => pkts.flatMap((_, i) => (frameOf[i] === k ? [i] : []));
    const marker = (k: number) => all(k).find((i) => pkts[i].marker)!;
    const firstField = (k: number) => all(k).slice(0, all(k).indexOf(marker(k)) + 1);
    const cases: [number[], number[]][] = [
      [all(2), [2]],
      [[marker(1)], [1]],
      [[...all(1), marker(3)], [1, 3]],
      [[pkts.length - 1], [expected.length - 1]],
    ];
    if (cfg.interlaced) cases.push([firstField(2), [2]], [[marker(2), all(2).at(-1)!], [2]]);
    for (const [lost, frames] of cases) {
      const { units, counts } = run(pkts, new Set(lost));
      deepEqual(counts, { frame_loss: frames.length }, `lost ${lost}`);
      deepEqual(units.map((u) => u.data), expected.filter((_, k) => !frames.includes(k)));
    }
  });
}

Deno.test("jxs depacketizer: second field with its own timestamp, first field's kept", () => {
  const { pkts, expected } = packetize(CFGS[3], 1400, 1, 1500);
  const { units, counts } = run(pkts);
  deepEqual(counts, {});
  deepEqual(units.map((u) => u.data), expected);
  equal(units[1].timestamp, (0xfffff000 + 6000) >>> 0);
});

Deno.test("jxs depacketizer: complete frames without marker still emitted, counted", () => {
  const { pkts, expected } = packetize(CFGS[1], 1400);
  const { units, counts } = run(pkts.map((p) => ({ ...p, marker: false })));
  deepEqual(counts, { jxs_missing_marker: 10 });
  deepEqual(units.map((u) => u.data), expected);
});

Deno.test("jxs depacketizer: caps, short payloads, reserved I", () => {
  const { pkts } = packetize(CFGS[0], 1400);
  const capped = run(pkts, new Set(), { maxUnitBytes: 20000 });
  deepEqual(capped.counts, { frame_oversize: 10 });
  equal(capped.units.length, 0);
  const odd = pkts.slice(0, 21).map((p) => ({ ...p, payload: p.payload.slice() }));
  odd[0].payload[0] |= 0x08; // I = 1 (reserved) on frame 0
  odd[20] = { ...odd[20], payload: new Uint8Array(3) }; // a short marker packet
  const r = run(odd);
  equal(r.counts.jxs_reserved_interlace, 1);
  equal(r.counts.jxs_short_payload, 1);
  equal(r.units.length, 0);
});
