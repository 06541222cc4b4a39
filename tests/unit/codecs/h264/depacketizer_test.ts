/**
 * H.264 RTP depacketizer (RFC 6184) against real captures: the ffmpeg capture must equal
 * ffmpeg's own RTP receiver output (es/oracle_h264.h264 + its ffprobe CSV) byte for byte and
 * frame for frame; the GStreamer capture must equal ffmpeg 5.1's rtpdec reassembly of the
 * same packets (SHA-256 recorded below) and decode with ffprobe. Interleaved mode is
 * exercised by re-sending the oracle's own access units as STAP-B/FU-B/MTAP16/MTAP24.
 */
import assert from "node:assert/strict";
import { H264Depacketizer } from "@lib/codecs/h264/depacketizer.ts";
import { MAX_NALUS_PER_UNIT } from "@lib/codecs/h26x/rtp_unit.ts";
import type { DepacketizerOptions, RtpPacket } from "@lib/core/types.ts";
import { missing, readFixture } from "@tests/_helpers.ts";
import { concat, pkt } from "@tests/unit/codecs/_rtp.ts";
import {
  h264Mtap,
  h264StapB,
  oracleUnits,
  readEsCsv,
  sequence,
  swapPairs,
} from "@tests/unit/codecs/_h26x_pack.ts";
import {
  assertBytes,
  assertLossCases,
  assertRtpdecUnits,
  assertWithoutMarkers,
  ffprobeFrames,
  run,
} from "@tests/unit/codecs/_h26x_probe.ts";
import { capturePackets } from "@tests/support/rtp.ts";

const make = (o: DepacketizerOptions) => new H264Depacketizer(o);
const FF = "rtp_h264_ffmpeg.bin";
const GST = "rtp_h264_gst.bin";
/** ffmpeg 5.1.9 `-protocol_whitelist file,udp,rtp -i <sdp> -c copy out.h264` fed rtp_h264_gst.bin. */
const GST_FFMPEG_SHA256 = "5da9d8d9382b3080e97917e973f4fa5c23f4bf75a8fb5beede364d176c664a4c";
const GST_FFMPEG_BYTES = 199727;

Deno.test("h264 ffmpeg capture: units equal ffmpeg's RTP receiver output byte for byte, frame for frame", () => {
  const oracle = readFixture("es/oracle_h264.h264");
  const csv = readEsCsv("es/oracle_h264.h264.packets.csv");
  const { units, counts } = run(make, capturePackets(FF));
  assert.deepEqual(counts, {});
  assert.equal(units.length, 60);
  assert.deepEqual(units.map((u) => [u.data.length, u.key]), csv.map((r) => [r.size, r.key]));
  assertBytes(concat(units.map((u) => u.data)), oracle);
});

Deno.test("h264 gst capture: 60 units, 2 keys, equal to ffmpeg's rtpdec reassembly", async () => {
  await assertRtpdecUnits(make, capturePackets(GST), GST_FFMPEG_BYTES, GST_FFMPEG_SHA256);
});

Deno.test({
  name: "h264 gst capture: ffprobe decodes our units, a frame starts at every unit, keys agree",
  ignore: missing("ffprobe"),
  fn: async () => {
    const { units } = run(make, capturePackets(GST));
    const path = await Deno.makeTempFile({ suffix: ".h264" });
    try {
      await Deno.writeFile(path, concat(units.map((u) => u.data)));
      const frames = await ffprobeFrames(path, "h264");
      const byPos = new Map(frames.map((f) => [f.pos, f.key]));
      let pos = 0;
      for (const u of units) {
        assert.equal(byPos.get(pos), u.key, `unit at byte ${pos}`);
        pos += u.data.length;
      }
      // GStreamer repeats SPS/PPS before the second slice of each IDR picture; ffmpeg's
      // parser starts a new packet there, so the two key units read as two frames each.
      assert.equal(frames.length, 62);
    } finally {
      await Deno.remove(path);
    }
  },
});

Deno.test("h264: without marker bits a timestamp change ends the unit; input buffers untouched", () => {
  assertWithoutMarkers(make, capturePackets(FF), readFixture("es/oracle_h264.h264"));
});

Deno.test("h264 loss on the gst capture drops exactly the damaged unit, then waits for a key", async (t) => {
  // packets 5..8 are unit 1: STAP-A, FU start, FU middle, FU end.
  await assertLossCases(t, make, capturePackets(GST), [
    { name: "FU middle lost", drop: 7, flag: true, emitAfterLoss: false },
    { name: "FU middle lost, emitAfterLoss", drop: 7, flag: true, emitAfterLoss: true },
    { name: "last packet (marker) lost", drop: 8, flag: true, emitAfterLoss: false },
    {
      name: "FU start missing, loss not flagged",
      drop: 6,
      flag: false,
      emitAfterLoss: false,
      orphans: 1, // FU middle and end: one damaged unit, counted once
    },
  ]);
});

/** The ffmpeg capture with SPS/PPS removed from every STAP-A, and those sets as base64. */
function withoutParameterSets(): { packets: RtpPacket[]; sprop: string } {
  const sets = new Map<number, Uint8Array>();
  const packets = capturePackets(FF).map((p) => {
    if ((p.payload[0] & 0x1f) !== 24) return p;
    const keep: number[] = [p.payload[0]];
    for (let o = 1; o < p.payload.length;) {
      const n = (p.payload[o] << 8) | p.payload[o + 1];
      const nal = p.payload.subarray(o + 2, o + 2 + n);
      const type = nal[0] & 0x1f;
      if (type === 7 || type === 8) sets.set(type, nal);
      else keep.push(n >> 8, n & 0xff, ...nal);
      o += 2 + n;
    }
    return { ...p, payload: Uint8Array.from(keep) };
  }).filter((p) => p.payload.length > 1);
  const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
  return { packets, sprop: `${b64(sets.get(7)!)},${b64(sets.get(8)!)}` };
}

Deno.test("h264 sprop-parameter-sets are inserted ahead of key units lacking them (real SPS/PPS)", () => {
  const { packets, sprop } = withoutParameterSets();
  const oracle = readFixture("es/oracle_h264.h264");
  const bare = run(make, packets);
  assert.ok(concat(bare.units.map((u) => u.data)).length < oracle.length);
  const fmtp = { "packetization-mode": "1", "sprop-parameter-sets": sprop };
  const r = run(make, packets, { fmtp });
  assertBytes(concat(r.units.map((u) => u.data)), oracle);
  // In-band sets present: nothing is added.
  const inband = run(make, capturePackets(FF), { fmtp });
  assertBytes(concat(inband.units.map((u) => u.data)), oracle);
  // Broken base64 is counted, not thrown.
  const bad = run(make, packets.slice(0, 3), { fmtp: { "sprop-parameter-sets": "Z0I*,aM48gA==" } });
  assert.equal(bad.counts.sprop_invalid, 1);
});

Deno.test("h264 interleaved mode (STAP-B, FU-B, MTAP16, MTAP24) with DON wrap gives the oracle back", async (t) => {
  const units = oracleUnits("es/oracle_h264.h264", FF);
  const oracle = readFixture("es/oracle_h264.h264");
  const fmtp = (depth: number) => ({
    "packetization-mode": "2",
    "sprop-interleaving-depth": String(depth),
  });
  const cases = [
    { name: "STAP-B/FU-B in order", blocks: h264StapB(units, 65500), swap: false, depth: 0 },
    { name: "STAP-B/FU-B interleaved", blocks: h264StapB(units, 65500), swap: true, depth: 1 },
    { name: "MTAP16 interleaved", blocks: h264Mtap(units, 65450, 26), swap: true, depth: 2 },
    { name: "MTAP24 in order", blocks: h264Mtap(units, 65535, 27), swap: false, depth: 0 },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const packets = sequence(c.swap ? swapPairs(c.blocks) : c.blocks.flat());
      const r = run(make, packets, { fmtp: fmtp(c.depth) });
      assert.deepEqual(r.counts, {});
      assert.deepEqual(r.units.map((u) => [u.timestamp, u.key]), units.map((u) => [u.ts, u.key]));
      assertBytes(concat(r.units.map((u) => u.data)), oracle);
    });
  }
  await t.step("interleaved with too small a depth is detected, not silently reordered", () => {
    const packets = sequence(swapPairs(h264StapB(units, 65500)));
    const r = run(make, packets, { fmtp: fmtp(0) });
    assert.ok((r.counts.don_late ?? 0) > 0);
  });
  await t.step("a lost packet drops its unit and the dependent ones", () => {
    const packets = sequence(h264StapB(units, 100).flat());
    const r = run(make, packets.filter((_, i) => i !== 20), { fmtp: fmtp(0) }, (i) => i === 20);
    assert.ok(r.counts.frame_loss >= 1);
    assert.ok(r.units.length < 60 && r.units.length > 0);
    const whole = new Set(units.map((u) => u.data.join()));
    for (const u of r.units) {
      assert.ok(whole.has(u.data.join()), "every emitted unit is an oracle unit");
    }
  });
});

const SC = [0, 0, 0, 1];
const IDR = [0x65, 0x88, 0x84, 0x21];
const P1 = [0x41, 0x9a, 0x02];

Deno.test("h264 edge vectors", async (t) => {
  const cases: {
    name: string;
    packets: RtpPacket[];
    fmtp?: Record<string, string>;
    max?: number;
    units: number[][];
    counts?: Record<string, number>;
  }[] = [
    {
      name: "FU-A across three packets",
      packets: [
        pkt(1, 0, false, [0x7c, 0x85, 1, 2]),
        pkt(2, 0, false, [0x7c, 0x05, 3]),
        pkt(3, 0, true, [0x7c, 0x45, 4]),
      ],
      units: [[...SC, 0x65, 1, 2, 3, 4]],
    },
    {
      name: "FU-A without start drops the unit",
      packets: [
        pkt(1, 0, false, [0x7c, 0x05, 3]),
        pkt(2, 0, true, [0x7c, 0x45, 4]),
        pkt(3, 9, true, IDR),
      ],
      units: [[...SC, ...IDR]],
      counts: { fu_without_start: 1, frame_loss: 1 },
    },
    {
      name: "STAP-A with two NAL units",
      packets: [pkt(1, 0, true, [0x18, 0, 2, 0x09, 0xf0, 0, 4, ...IDR])],
      units: [[...SC, 0x09, 0xf0, ...SC, ...IDR]],
    },
    {
      name: "STAP-A with a truncated length drops the unit",
      packets: [pkt(1, 0, true, [0x18, 0, 2, 0x09, 0xf0, 0, 9, ...IDR]), pkt(2, 9, true, IDR)],
      units: [[...SC, ...IDR]],
      counts: { stap_truncated: 1, frame_loss: 1 },
    },
    {
      name: "invalid NAL types 0/30/31 are counted and skipped",
      packets: [
        pkt(1, 0, false, [0x00, 1]),
        pkt(2, 0, false, [0x1e]),
        pkt(3, 0, true, IDR),
        pkt(4, 5, true, []),
      ],
      units: [[...SC, ...IDR]],
      counts: { nal_type_invalid: 2, payload_empty: 1 },
    },
    {
      name: "interleaved-only types outside mode 2 drop the unit",
      packets: [pkt(1, 0, true, [0x19, 0, 1, 0, 1, 0x65]), pkt(2, 9, true, IDR)],
      units: [[...SC, ...IDR]],
      counts: { nal_type_not_in_mode: 1, frame_loss: 1 },
    },
    {
      name: "unit over maxUnitBytes is dropped, dependents wait for a key",
      packets: [
        pkt(1, 0, true, [0x65, ...new Array(40).fill(7)]),
        pkt(2, 9, true, P1),
        pkt(3, 18, true, IDR),
      ],
      max: 32,
      units: [[...SC, ...IDR]],
      counts: { frame_oversize: 1, await_keyframe: 1 },
    },
    {
      name: "sprop inserted after a leading AUD",
      packets: [pkt(1, 0, true, [0x18, 0, 2, 0x09, 0xf0, 0, 4, ...IDR])],
      fmtp: { "sprop-parameter-sets": "Z0IAHg==,aM4=" },
      units: [[...SC, 0x09, 0xf0, ...SC, 0x67, 0x42, 0, 0x1e, ...SC, 0x68, 0xce, ...SC, ...IDR]],
    },
    {
      name: "mode 2: STAP-B, MTAP16, MTAP24, FU-B out of order across the DON wrap",
      fmtp: { "packetization-mode": "2", "sprop-interleaving-depth": "2" },
      packets: [
        // DON 0 (ts 6000) and DON 1 (ts 9000) in an MTAP16 with DONB 0, TS offsets 0/3000
        pkt(1, 6000, false, [0x1a, 0, 0, 0, 6, 0, 0, 0, ...P1, 0, 6, 1, 0x0b, 0xb8, ...P1]),
        // DON 65534 (ts 0): IDR in a STAP-B
        pkt(2, 0, false, [0x19, 0xff, 0xfe, 0, 4, ...IDR]),
        // DON 65535 (ts 3000): FU-B + FU-A
        pkt(3, 3000, false, [0x5d, 0x81, 0xff, 0xff, 0x9a]),
        pkt(4, 3000, false, [0x5c, 0x41, 0x03]),
        // DON 2 (ts 12000) in an MTAP24 with DONB 2
        pkt(5, 12000, true, [0x1b, 0, 2, 0, 7, 0, 0, 0, 0, ...P1]),
      ],
      units: [[...SC, ...IDR], [...SC, 0x41, 0x9a, 0x03], [...SC, ...P1], [...SC, ...P1], [
        ...SC,
        ...P1,
      ]],
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const r = run(make, c.packets, { fmtp: c.fmtp, maxUnitBytes: c.max });
      assert.deepEqual(r.units.map((u) => [...u.data]), c.units);
      assert.deepEqual(r.counts, c.counts ?? {});
    });
  }
  await t.step(
    "mode 2: a DON jump far outside the window restarts ordering instead of sticking",
    () => {
      const fmtp = { "packetization-mode": "2", "sprop-interleaving-depth": "0" };
      const stapB = (
        don: number,
        nal: number[],
      ) => [0x19, don >> 8, don & 0xff, 0, nal.length, ...nal];
      const packets = [
        pkt(1, 0, true, stapB(100, IDR)),
        pkt(2, 9, true, stapB(40000, P1)),
        pkt(3, 18, true, stapB(40001, P1)),
      ];
      const r = run(make, packets, { fmtp });
      assert.deepEqual(r.units.map((u) => [...u.data]), [[...SC, ...IDR], [...SC, ...P1], [
        ...SC,
        ...P1,
      ]]);
      assert.deepEqual(r.counts, { don_discontinuity: 1 });
    },
  );
  await t.step("more than MAX_NALUS_PER_UNIT NAL units drop the unit", () => {
    const packets = Array.from({ length: MAX_NALUS_PER_UNIT + 1 }, (_, i) => pkt(i, 0, false, P1));
    const r = run(make, packets);
    assert.equal(r.units.length, 0);
    assert.equal(r.counts.unit_too_many_nalus, 1);
  });
});
