/**
 * AV1 RTP depacketizer against real senders (FFmpeg 8.1 and libdatachannel captures
 * of es/av1_aom.ivf: 60 TUs, key TUs 0 and 30) and table-driven edge vectors.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { Av1Depacketizer } from "@lib/codecs/av1/depacketizer.ts";
import type { DepacketizerOptions, RtpPacket } from "@lib/core/types.ts";
import { runDropping } from "@tests/unit/codecs/_rtp.ts";
import { readFixture } from "@tests/_helpers.ts";
import { splitObus } from "./_obu.ts";
import { readIvf } from "@tests/unit/codecs/_stream_info.ts";
import { capturePackets } from "@tests/support/rtp.ts";

const CAPTURES = ["rtp_av1_ffmpeg81.bin", "rtp_av1_libdatachannel.bin"];
const IVF = readIvf(readFixture("es/av1_aom.ivf")).frames;

const run = (pkts: RtpPacket[], lost?: Set<number>, opts?: Partial<DepacketizerOptions>) =>
  runDropping((o) => new Av1Depacketizer(o), pkts, lost, opts);

/** Index of the first packet of each TU (by timestamp) in a capture. */
function tuStarts(pkts: RtpPacket[]): number[] {
  return pkts.flatMap((p, i) => (i === 0 || pkts[i - 1].timestamp !== p.timestamp ? [i] : []));
}

for (const cap of CAPTURES) {
  Deno.test(`av1 depacketizer: ${cap} gives the IVF temporal units byte for byte`, () => {
    const pkts = capturePackets(cap);
    equal(pkts.length, 130);
    const before = pkts.map((p) => p.payload.slice());
    const { units, counts } = run(pkts);
    deepEqual(counts, {});
    equal(units.length, 60);
    equal(IVF.length, 60);
    deepEqual(units.flatMap((u, i) => (u.key ? [i] : [])), [0, 30]);
    for (let i = 0; i < 60; i++) {
      const got = splitObus(units[i].data), want = splitObus(IVF[i]);
      equal(got[0].type, 2, "temporal delimiter restored first");
      deepEqual(got.map((o) => o.type), want.map((o) => o.type), `TU ${i} OBU types`);
      for (let k = 0; k < got.length; k++) deepEqual(got[k].payload, want[k].payload);
      deepEqual(units[i].data, IVF[i], `TU ${i} bytes`);
      equal(units[i].timestamp, (pkts[0].timestamp + 3000 * i) >>> 0);
    }
    pkts.forEach((p, i) => deepEqual(p.payload, before[i], "caller's buffer not mutated"));
  });

  Deno.test(`av1 depacketizer: ${cap} key TUs found without the N bit`, () => {
    const pkts = capturePackets(cap).map((p) => {
      const payload = p.payload.slice();
      payload[0] &= ~0x08;
      return { ...p, payload };
    });
    const { units } = run(pkts);
    deepEqual(units.flatMap((u, i) => (u.key ? [i] : [])), [0, 30]);
  });

  Deno.test(`av1 depacketizer: ${cap} loss drops the TU, then waits for the key TU`, () => {
    const pkts = capturePackets(cap);
    const s = tuStarts(pkts);
    equal(s.length, 60);
    // The first packet, the marker packet, and the whole of TU 5.
    for (const lost of [[s[5]], [s[6] - 1], [s[5], s[6] - 1]]) {
      const set = new Set(lost);
      const { units, counts } = run(pkts, set);
      deepEqual(counts, { frame_loss: 1, await_keyframe: 24 }, `lost ${lost}`);
      equal(units.length, 35);
      deepEqual(units[5].data, IVF[30]);
      const after = run(pkts, set, { emitAfterLoss: true });
      deepEqual(after.counts, { frame_loss: 1 });
      equal(after.units.length, 59);
      deepEqual(after.units[5].data, IVF[6]);
    }
    // A middle fragment of the first key TU: nothing until the second key TU.
    ok(s[1] - s[0] >= 3);
    const { units, counts } = run(pkts, new Set([s[0] + 1]));
    deepEqual(counts, { frame_loss: 1, await_keyframe: 29 });
    deepEqual(units.map((u) => u.data), IVF.slice(30));
  });
}

// ---- table-driven edge vectors ----

const SEQ = [0x08, 0x00, 0x00, 0x00, 0x42]; // sequence header, no size field, not reduced
const SEQ_REDUCED = [0x08, 0x18, 0x00, 0x00];
const frame = (
  type: number,
  n: number,
) => [0x30, type, ...Array.from({ length: n - 2 }, (_, i) => i & 0xff)];
const withSize = (obu: number[]) => {
  const out = [obu[0] | 0x02];
  let v = obu.length - 1;
  do {
    out.push((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
    v >>= 7;
  } while (v > 0);
  return [...out, ...obu.slice(1)];
};
const leb = (v: number) => withSize([0, ...new Array(v).fill(0)]).slice(1, -v || undefined);
const TU = (...obus: number[][]) => [0x12, 0x00, ...obus.flatMap(withSize)];

let seqNo = 0;
function pkt(bytes: number[], marker = true, timestamp = 1000): RtpPacket {
  const s = seqNo++ & 0xffff;
  return {
    version: 2,
    padding: false,
    extension: false,
    marker,
    payloadType: 98,
    seq: s,
    extSeq: s,
    timestamp,
    ssrc: 1,
    csrcs: [],
    payload: new Uint8Array(bytes),
    arrivalMs: 0,
  };
}

const big = frame(0x00, 300);
const f127 = frame(0x20, 128), f128 = frame(0x20, 129); // payload sizes 127 and 128
const cases: {
  name: string;
  pkts: RtpPacket[];
  units: number[][];
  keys?: boolean[];
  counts?: Record<string, number>;
}[] = [
  {
    name: "fragment across three packets",
    pkts: [
      pkt([0x50, ...big.slice(0, 100)], false),
      pkt([0xd0, ...big.slice(100, 200)], false),
      pkt([0x90, ...big.slice(200)]),
    ],
    units: [TU(big)],
  },
  {
    name: "LEB128 127/128 boundary, W=0",
    pkts: [pkt([0x00, ...leb(128), ...f127, ...leb(129), ...f128])],
    units: [TU(f127, f128)],
  },
  {
    name: "W=3 equals W=0",
    pkts: [
      pkt([0x30, ...leb(5), ...SEQ, ...leb(10), ...frame(0, 10), ...frame(0x20, 20)], true, 1),
      pkt(
        [0x00, ...leb(5), ...SEQ, ...leb(10), ...frame(0, 10), ...leb(20), ...frame(0x20, 20)],
        true,
        2,
      ),
    ],
    units: [TU(SEQ, frame(0, 10), frame(0x20, 20)), TU(SEQ, frame(0, 10), frame(0x20, 20))],
    keys: [true, true],
  },
  {
    name: "OBU with size field from the sender kept, without restored",
    pkts: [pkt([0x20, ...leb(6), ...withSize(SEQ), ...withSize(frame(0, 6))])],
    units: [TU(SEQ, frame(0, 6))],
    keys: [true],
  },
  {
    name: "TD, tile list, padding dropped; extension byte kept",
    pkts: [pkt([0x00, 1, 0x10, 3, 0x40, 1, 2, 3, 0x78, 9, 9, 4, 0x34, 0x28, 0x20, 7])],
    units: [[0x12, 0x00, 0x36, 0x28, 2, 0x20, 7]],
    keys: [false],
  },
  {
    name: "key: reduced still picture header; not key: inter, show_existing",
    pkts: [
      pkt([0x20, 4, ...SEQ_REDUCED, 0x30, 0x20, 1], true, 1),
      pkt([0x20, 5, ...SEQ, 0x30, 0x20, 1], true, 2),
      pkt([0x20, 5, ...SEQ, 0x30, 0x80, 1], true, 3),
    ],
    units: [TU(SEQ_REDUCED, [0x30, 0x20, 1]), TU(SEQ, [0x30, 0x20, 1]), TU(SEQ, [0x30, 0x80, 1])],
    keys: [true, false, false],
  },
  {
    name: "timestamp change ends a TU without marker",
    pkts: [pkt([0x10, 0x30, 0, 1], false, 1), pkt([0x10, 0x30, 0x20, 2], false, 2)],
    units: [TU([0x30, 0, 1]), TU([0x30, 0x20, 2])],
  },
  {
    name: "Z=1 without an open fragment",
    pkts: [pkt([0x90, 1, 2, 3], true, 1), pkt([0x10, 0x30, 0, 1], true, 2)],
    units: [],
    counts: { av1_z_without_fragment: 1, av1_invalid_unit: 1, await_keyframe: 1 },
  },
  {
    name: "Y=1 then Z=0",
    pkts: [pkt([0x50, 0x30, 1], false), pkt([0x10, 0x30, 2])],
    units: [],
    counts: { av1_fragment_incomplete: 1, av1_invalid_unit: 1 },
  },
  {
    name: "N=1 with Z=1, marker with Y=1, W mismatch, bad element length",
    pkts: [
      pkt([0x98, 0x30, 1], true, 1),
      pkt([0x50, 0x30, 1], true, 2),
      pkt([0x20, 2, 0x30, 0], true, 3),
      pkt([0x00, 9, 0x30, 0], true, 4),
    ],
    units: [],
    counts: {
      av1_n_with_z: 1,
      av1_marker_with_fragment: 1,
      av1_w_mismatch: 1,
      av1_bad_element_length: 1,
      av1_invalid_unit: 4,
    },
  },
];

for (const c of cases) {
  Deno.test(`av1 depacketizer edge: ${c.name}`, () => {
    const { units, counts } = run(c.pkts);
    deepEqual(units.map((u) => [...u.data]), c.units);
    if (c.keys) deepEqual(units.map((u) => u.key), c.keys);
    deepEqual(counts, c.counts ?? {});
  });
}

Deno.test("av1 depacketizer: maxUnitBytes cap drops and counts", () => {
  const { units, counts } = run(
    [pkt([0x50, ...big.slice(0, 200)], false), pkt([0x90, ...big.slice(200)])],
    new Set(),
    { maxUnitBytes: 250 },
  );
  equal(units.length, 0);
  ok(counts.frame_oversize === 1 && counts.av1_invalid_unit === 1);
});
