/**
 * H.265 RTP depacketizer (RFC 7798) against real captures. es/oracle_h265.hevc (+ CSV) is
 * ffmpeg's RTP receiver output for rtp_h265_gst.bin: the fixtures README names
 * rtp_h265_ffmpeg.bin, but the bytes say otherwise (235,465 bytes, equal to the gst
 * capture's reassembly; ffmpeg 5.1 fed rtp_h265_ffmpeg.bin writes 75,290 bytes, recorded
 * below as a digest). DONL/DOND and PACI are exercised by re-sending real units.
 */
import assert from "node:assert/strict";
import { H265Depacketizer } from "@lib/codecs/h265/depacketizer.ts";
import type { DepacketizerOptions, RtpPacket } from "@lib/core/types.ts";
import { missing, readFixture } from "@tests/_helpers.ts";
import { concat, pkt } from "@tests/unit/codecs/_rtp.ts";
import {
  h265Donl,
  h265Paci,
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
  sha256,
} from "@tests/unit/codecs/_h26x_probe.ts";
import { capturePackets } from "@tests/support/rtp.ts";

const make = (o: DepacketizerOptions) => new H265Depacketizer(o);
const FF = "rtp_h265_ffmpeg.bin";
const GST = "rtp_h265_gst.bin";
const ORACLE = "es/oracle_h265.hevc";
/** ffmpeg 5.1.9 `-protocol_whitelist file,udp,rtp -i rtp_h265_ffmpeg.sdp -c copy out.hevc` fed rtp_h265_ffmpeg.bin. */
const FF_FFMPEG_SHA256 = "0c6269fa95d13bd05e9df83c8d3c282ce2a8f4f3f0e49d20142d8a670ba1d3f8";
const FF_FFMPEG_BYTES = 75290;

Deno.test("h265 gst capture: units equal ffmpeg's RTP receiver output byte for byte, frame for frame", () => {
  const csv = readEsCsv(`${ORACLE}.packets.csv`);
  const { units, counts } = run(make, capturePackets(GST));
  assert.deepEqual(counts, {});
  assert.equal(units.length, 60);
  // ffmpeg's HEVC parser cuts packets at the 3-byte start code 00 00 01, so the leading 00
  // of each unit's 4-byte start code is counted in the previous packet's size.
  const sizes = units.map((u, i) => u.data.length + (i < 59 ? 1 : 0) - (i > 0 ? 1 : 0));
  assert.deepEqual(units.map((u, i) => [sizes[i], u.key]), csv.map((r) => [r.size, r.key]));
  assertBytes(concat(units.map((u) => u.data)), readFixture(ORACLE));
});

Deno.test("h265 ffmpeg capture: 60 units, keys at 0 (IDR) and 30 (CRA), equal to ffmpeg's rtpdec reassembly", async () => {
  await assertRtpdecUnits(make, capturePackets(FF), FF_FFMPEG_BYTES, FF_FFMPEG_SHA256);
});

Deno.test({
  name: "h265 ffmpeg capture: ffprobe decodes 60 frames, one at every unit start, keys agree",
  ignore: missing("ffprobe"),
  fn: async () => {
    const { units } = run(make, capturePackets(FF));
    const path = await Deno.makeTempFile({ suffix: ".hevc" });
    try {
      await Deno.writeFile(path, concat(units.map((u) => u.data)));
      const frames = await ffprobeFrames(path, "hevc");
      assert.equal(frames.length, 60);
      let pos = 0;
      const starts = units.map((u, i) => {
        const s = { pos: pos + (i > 0 ? 1 : 0), key: u.key }; // 3-byte cut, as above
        pos += u.data.length;
        return s;
      });
      assert.deepEqual(frames, starts);
    } finally {
      await Deno.remove(path);
    }
  },
});

Deno.test("h265: without marker bits a timestamp change ends the unit; input buffers untouched", () => {
  assertWithoutMarkers(make, capturePackets(GST), readFixture(ORACLE));
});

Deno.test("h265 loss on the gst capture drops exactly the damaged unit, then waits for a key", async (t) => {
  // packets 8..11 are unit 1: FU start, two FU middles, FU end (marker).
  await assertLossCases(t, make, capturePackets(GST), [
    { name: "FU middle lost", drop: 9, flag: true, emitAfterLoss: false },
    { name: "FU middle lost, emitAfterLoss", drop: 9, flag: true, emitAfterLoss: true },
    { name: "last packet (marker) lost", drop: 11, flag: true, emitAfterLoss: false },
    {
      name: "FU start missing, loss not flagged",
      drop: 8,
      flag: false,
      emitAfterLoss: false,
      orphans: 1,
    },
  ]);
});

Deno.test("h265 sprop-vps/sps/pps are inserted ahead of key units lacking them (real sets)", async () => {
  const sets: Record<string, string> = {};
  const key = ["sprop-vps", "sprop-sps", "sprop-pps"];
  const packets = capturePackets(FF).filter((p) => {
    if (((p.payload[0] >> 1) & 0x3f) !== 48) return true;
    for (let o = 2; o < p.payload.length;) {
      const n = (p.payload[o] << 8) | p.payload[o + 1];
      const nal = p.payload.subarray(o + 2, o + 2 + n);
      sets[key[((nal[0] >> 1) & 0x3f) - 32]] = btoa(String.fromCharCode(...nal));
      o += 2 + n;
    }
    return false; // the APs carry exactly VPS, SPS, PPS
  });
  assert.deepEqual(Object.keys(sets).sort(), [...key].sort());
  const bare = run(make, packets);
  assert.equal(bare.units.length, 60);
  assert.ok(concat(bare.units.map((u) => u.data)).length < FF_FFMPEG_BYTES);
  const r = run(make, packets, { fmtp: sets });
  assert.equal(await sha256(concat(r.units.map((u) => u.data))), FF_FFMPEG_SHA256);
  const inband = run(make, capturePackets(FF), { fmtp: sets });
  assert.equal(await sha256(concat(inband.units.map((u) => u.data))), FF_FFMPEG_SHA256);
});

Deno.test("h265 DONL/DOND (sprop-max-don-diff > 0) and PACI re-sent from real units give the oracle back", async (t) => {
  const units = oracleUnits(ORACLE, GST);
  const oracle = readFixture(ORACLE);
  const maxNals = Math.max(...units.map((u) => u.nals.length));
  const cases = [
    { name: "DONL in order", swap: false, depth: 1, don0: 65500 },
    { name: "DONL interleaved", swap: true, depth: maxNals, don0: 65400 },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const blocks = h265Donl(units, c.don0);
      const packets = sequence(c.swap ? swapPairs(blocks) : blocks.flat());
      const fmtp = {
        "sprop-max-don-diff": String(2 * maxNals),
        "sprop-depack-buf-nalus": String(c.depth),
      };
      const r = run(make, packets, { fmtp });
      assert.deepEqual(r.counts, {});
      assert.deepEqual(r.units.map((u) => [u.timestamp, u.key]), units.map((u) => [u.ts, u.key]));
      assertBytes(concat(r.units.map((u) => u.data)), oracle);
    });
  }
  await t.step("interleaved with too small a buffer is detected", () => {
    const packets = sequence(swapPairs(h265Donl(units, 7)));
    const r = run(make, packets, {
      fmtp: { "sprop-max-don-diff": "1", "sprop-depack-buf-nalus": "0" },
    });
    assert.ok((r.counts.don_late ?? 0) > 0);
  });
  for (const phes of [[], [0xaa, 0xbb, 0xcc]]) {
    await t.step(`every packet in PACI with a ${phes.length}-byte PHES`, () => {
      const packets = capturePackets(GST).map((p) => ({
        ...p,
        payload: h265Paci(p.payload, phes),
      }));
      const r = run(make, packets);
      assert.deepEqual(r.counts, {});
      assertBytes(concat(r.units.map((u) => u.data)), oracle);
    });
  }
});

const SC = [0, 0, 0, 1];
const IDR = [0x26, 0x01, 0xaf, 0x10];
const TRAIL = [0x02, 0x01, 0xd0, 0x21];

Deno.test("h265 edge vectors", async (t) => {
  const cases: {
    name: string;
    packets: RtpPacket[];
    fmtp?: Record<string, string>;
    units: number[][];
    counts?: Record<string, number>;
  }[] = [
    {
      name: "FU across three packets",
      packets: [
        pkt(1, 0, false, [0x62, 0x01, 0x93, 1, 2]),
        pkt(2, 0, false, [0x62, 0x01, 0x13, 3]),
        pkt(3, 0, true, [0x62, 0x01, 0x53, 4]),
      ],
      units: [[...SC, 0x26, 0x01, 1, 2, 3, 4]],
    },
    {
      name: "FU without start drops the unit",
      packets: [pkt(1, 0, false, [0x62, 0x01, 0x13, 3]), pkt(2, 9, true, IDR)],
      units: [[...SC, ...IDR]],
      counts: { fu_without_start: 1, frame_loss: 1 },
    },
    {
      name: "AP with a truncated size drops the unit",
      packets: [pkt(1, 0, true, [0x60, 0x01, 0, 4, ...IDR, 0, 9, ...TRAIL]), pkt(2, 9, true, IDR)],
      units: [[...SC, ...IDR]],
      counts: { ap_truncated: 1, frame_loss: 1 },
    },
    {
      name: "PACI with PHESsize past the end; nested PACI; reserved type 51; 1-byte payload",
      packets: [
        pkt(1, 0, false, [0x64, 0x01, 0x26, 0x50, 1]),
        pkt(2, 9, true, IDR),
        pkt(3, 18, false, [0x64, 0x01, 0x64, 0x00, 0x26, 0x01]),
        pkt(4, 18, false, [0x66, 0x01, 0]),
        pkt(5, 18, true, TRAIL),
        pkt(6, 27, true, [0x26]),
      ],
      units: [[...SC, ...IDR], [...SC, ...TRAIL]],
      counts: { paci_truncated: 1, frame_loss: 2, nal_type_invalid: 2, payload_truncated: 1 },
    },
    {
      name: "AP with DONL/DOND across the DON wrap, then a single NAL with DONL sent early",
      fmtp: { "sprop-max-don-diff": "2" },
      packets: [
        pkt(1, 3000, true, [0x02, 0x01, 0x00, 0x00, 0xd0, 0x21]), // DON 0, ts 3000
        pkt(2, 0, true, [0x60, 0x01, 0xff, 0xfe, 0, 4, ...IDR, 0, 0, 4, 0x4e, 0x01, 5, 0x80]), // 65534, 65535
      ],
      units: [[...SC, ...IDR, ...SC, 0x4e, 0x01, 5, 0x80], [...SC, ...TRAIL]],
    },
    {
      name: "sprop sets after a leading AUD",
      fmtp: { "sprop-vps": "QAEM", "sprop-sps": "QgEB", "sprop-pps": "RAHA" },
      packets: [pkt(1, 0, true, [0x60, 0x01, 0, 3, 0x46, 0x01, 0x10, 0, 4, ...IDR])],
      units: [[
        ...SC,
        0x46,
        0x01,
        0x10,
        ...SC,
        0x40,
        1,
        12,
        ...SC,
        0x42,
        1,
        1,
        ...SC,
        0x44,
        1,
        0xc0,
        ...SC,
        ...IDR,
      ]],
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const r = run(make, c.packets, { fmtp: c.fmtp });
      assert.deepEqual(r.units.map((u) => [...u.data]), c.units);
      assert.deepEqual(r.counts, c.counts ?? {});
    });
  }
});
