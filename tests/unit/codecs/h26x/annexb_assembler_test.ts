import assert from "node:assert/strict";
// deno-lint-ignore no-import-prefix -- test-only dependency, kept out of the runtime import map
import fc from "npm:fast-check@^3";
import { AnnexBAssembler } from "@lib/codecs/h26x/annexb_assembler.ts";
import type { EsChunk } from "@lib/core/types.ts";
import { fixture, missing, readFixture, readPacketsCsv } from "@tests/_helpers.ts";
import {
  assemble,
  esOracle,
  framesOracle,
  multiSlice,
  oraclePath,
  sameUnits,
  tsVideo,
  whole,
  x264OpenGop,
} from "./_util.ts";
import { forEachNal } from "@lib/core/bits.ts";

const TS = ["h264_aac", "hevc_aac", "realworld_VID_20191220_170832", "srt_h264_aac_gst"];

/**
 * ffmpeg's HEVC parser leaves the zero_byte of a 4-byte start code on the previous packet;
 * H.265 B.2 (and we, and ffmpeg's H.264 parser) give it to the NAL unit that follows.
 */
function sameStart(codec: string, data: Uint8Array, ours: number, theirs: number): boolean {
  return ours === theirs || (codec === "h265" && ours === theirs - 1 && data[ours] === 0);
}

for (
  const [file, codec, oracle] of [
    ["es/oracle_h264.h264", "h264", fixture("es/oracle_h264.h264.packets.csv")],
    ["es/oracle_h265.hevc", "h265", fixture("es/oracle_h265.hevc.packets.csv")],
    ["es/h264_aud.h264", "h264", oraclePath("h264_aud.h264.packets.csv")],
    ["es/h265_aud.h265", "h265", oraclePath("h265_aud.h265.packets.csv")],
  ] as const
) {
  Deno.test(`assembler: ${file} gives ffprobe's packets (count, boundaries, K flags)`, () => {
    const data = readFixture(file);
    const want = esOracle(oracle);
    const { aus, counts } = assemble(codec, whole(data));
    assert.deepEqual(counts, {});
    assert.equal(aus.length, want.length);
    let ours = 0;
    let theirs = 0;
    for (let i = 0; i < aus.length; i++) {
      assert.ok(sameStart(codec, data, ours, theirs), `AU ${i} starts at ${ours}, not ${theirs}`);
      assert.deepEqual(aus[i].data, data.subarray(ours, ours + aus[i].data.length));
      assert.equal(aus[i].key, want[i].key, `AU ${i} key`);
      if (aus[i].key) assert.equal(aus[i].rap, i === 0 || codec === "h264" ? "idr" : "cra");
      ours += aus[i].data.length;
      theirs += want[i].size;
    }
    assert.equal(ours, data.length);
    assert.equal(aus[0].frameType, "I");
  });
}

for (const name of TS) {
  Deno.test(`assembler: ts/${name}.ts video equals ffprobe (pts, dts, K, size, type)`, () => {
    const { codec, chunks } = tsVideo(`${name}.ts`);
    const want = readPacketsCsv(`ts/${name}.ts.v.packets.csv`);
    const frames = framesOracle(`${name}.ts.frames.csv`);
    const { aus, counts } = assemble(codec, chunks);
    assert.deepEqual(counts, {});
    assert.equal(aus.length, want.length);
    let sumOurs = 0;
    let sumTheirs = 0;
    aus.forEach((au, i) => {
      const w = want[i];
      assert.equal(au.pts, w.pts, `AU ${i} pts`);
      assert.equal(au.dts, w.dts, `AU ${i} dts`);
      assert.equal(au.key, w.key, `AU ${i} key`);
      const d = au.data.length - w.size;
      assert.ok(d === 0 || (codec === "h265" && Math.abs(d) === 1), `AU ${i} size ${d}`);
      sumOurs += au.data.length;
      sumTheirs += w.size;
      const f = frames.get(au.pts);
      assert.ok(f, `no decoded frame with pts ${au.pts}`);
      assert.equal(au.frameType, f.type, `AU ${i} frame type`);
      assert.equal(au.key, f.key, `AU ${i} key_frame`);
      assert.equal(au.codec, codec);
      assert.equal(au.trackId, 1);
    });
    assert.equal(sumOurs, sumTheirs);
  });
}

Deno.test("assembler: hevc_aac.ts keeps its CRA as a key frame, RASL pictures follow it", () => {
  const { codec, chunks } = tsVideo("hevc_aac.ts");
  const { aus } = assemble(codec, chunks);
  const keys = aus.flatMap((a, i) => a.key ? [i] : []);
  assert.deepEqual(keys, [0, 26]);
  assert.equal(aus[0].rap, "idr");
  assert.equal(aus[26].rap, "cra");
  assert.ok(aus[26].paramSets);
  assert.ok(aus[27].rasl, "the picture after the CRA is RASL");
  assert.ok(aus[27].pts < aus[26].pts);
});

/** Re-chunks a chunk list: each chunk split at the given cut points (pts stays on the first). */
function rechunk(chunks: EsChunk[], cuts: number[]): EsChunk[] {
  const out: EsChunk[] = [];
  let k = 0;
  for (const c of chunks) {
    let at = 0;
    while (at < c.data.length) {
      const len = Math.max(1, cuts[k++ % cuts.length] % (c.data.length - at + 1));
      out.push({ ...c, data: c.data.subarray(at, at + len), ...(at > 0 ? noTs : {}) });
      at += len;
    }
  }
  return out;
}
const noTs = { pts: undefined, dts: undefined, unitStart: false };

Deno.test("assembler property: any chunking of the same bytes gives the same AUs", () => {
  const sources = [
    { codec: "h264" as const, chunks: tsVideo("h264_aac.ts").chunks },
    { codec: "h265" as const, chunks: tsVideo("hevc_aac.ts").chunks },
    { codec: "h264" as const, chunks: whole(readFixture("es/oracle_h264.h264")) },
    { codec: "h265" as const, chunks: whole(readFixture("es/h265_aud.h265")) },
  ];
  const refs = sources.map((s) => assemble(s.codec, s.chunks));
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: sources.length - 1 }),
      fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 40 }),
      (si, cuts) => {
        const s = sources[si];
        sameUnits(refs[si], assemble(s.codec, rechunk(s.chunks, cuts)));
      },
    ),
    { seed: 42, numRuns: 60 },
  );
});

Deno.test("assembler: start codes split at every byte position across two chunks", () => {
  const data = readFixture("es/h264_aud.h264").subarray(0, 12000);
  const ref = assemble("h264", whole(data));
  const boundary = ref.aus[0].data.length; // start of AU 1 (00 00 00 01 09 ...)
  for (let cut = boundary - 3; cut <= boundary + 8; cut++) {
    const chunks = [whole(data.subarray(0, cut))[0], whole(data.subarray(cut))[0]];
    chunks[1].unitStart = false;
    sameUnits(ref, assemble("h264", chunks));
  }
  // one byte per chunk
  const bytes = Array.from(data.subarray(0, 7000), (_, i) => whole(data.subarray(i, i + 1))[0]);
  sameUnits(assemble("h264", whole(data.subarray(0, 7000))), assemble("h264", bytes));
});

Deno.test("assembler: never mutates the caller's buffers, copies each AU once", () => {
  const { codec, chunks } = tsVideo("h264_aac.ts");
  const before = chunks.map((c) => c.data.slice());
  const { aus } = assemble(codec, chunks);
  chunks.forEach((c, i) => assert.deepEqual(c.data, before[i]));
  const buffers = new Set(aus.map((a) => a.data.buffer));
  assert.equal(buffers.size, aus.length);
  for (const a of aus) assert.equal(a.data.byteLength, a.data.buffer.byteLength);
});

Deno.test("assembler: frames over maxFrameBytes are dropped and counted", () => {
  const { codec, chunks } = tsVideo("h264_aac.ts");
  const all = assemble(codec, chunks).aus;
  const max = 3000;
  const big = all.filter((a) => a.data.length > max).length;
  assert.ok(big > 0 && big < all.length);
  const { aus, counts } = assemble(codec, chunks, { maxFrameBytes: max });
  assert.equal(counts.frame_oversize, big);
  assert.deepEqual(
    aus.map((a) => a.pts),
    all.filter((a) => a.data.length <= max).map((a) => a.pts),
  );
});

Deno.test("assembler: a partial AU older than frame_timeout is dropped on tick()", () => {
  const { chunks } = tsVideo("h264_aac.ts");
  const aus: number[] = [];
  const counts: Record<string, number> = {};
  const a = new AnnexBAssembler({
    codec: "h264",
    trackId: 1,
    clockRate: 90000,
    onUnit: (u) => aus.push(u.pts),
    count: (r) => counts[r] = (counts[r] ?? 0) + 1,
    frameTimeoutMs: 5000,
  });
  // PES 0 and the first packet of PES 1 arrive at t=0; the stream stalls.
  const firstPes = chunks.findIndex((c, i) => i > 0 && c.unitStart);
  const upTo = firstPes + 2;
  for (let i = 0; i < upTo; i++) a.push({ ...chunks[i], arrivalMs: 0 });
  a.tick(4999);
  assert.deepEqual(counts, {});
  a.tick(5001);
  assert.deepEqual(counts, { frame_timeout: 1 });
  a.tick(20000);
  assert.deepEqual(counts, { frame_timeout: 1 });
  for (let i = upTo; i < chunks.length; i++) a.push({ ...chunks[i], arrivalMs: 20000 });
  a.flush();
  const want = readPacketsCsv("ts/h264_aac.ts.v.packets.csv").map((r) => r.pts);
  assert.deepEqual(aus, [want[0], ...want.slice(2)]);
});

Deno.test("assembler: random bytes never throw (fixed seed)", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), fc.boolean(), (bytes, h265) => {
      const junk = bytes.map((b) => (b < 40 ? 0 : b < 60 ? 1 : b));
      assemble(h265 ? "h265" : "h264", rechunk(whole(junk), [7, 300, 1, 64]));
    }),
    { seed: 7, numRuns: 200 },
  );
});

Deno.test({
  name: "assembler: x264 open-GOP recovery-point I frames are key frames, as ffprobe says",
  ignore: missing("ffmpeg", "ffprobe"),
  fn() {
    const { data, keys } = x264OpenGop();
    const { aus } = assemble("h264", whole(data));
    assert.deepEqual(aus.map((a) => a.key), keys);
    assert.equal(aus[0].rap, "idr");
    const later = aus.filter((a, i) => i > 0 && a.key);
    assert.ok(later.length >= 3);
    for (const a of later) {
      assert.equal(a.rap, "recovery");
      assert.equal(a.frameType, "I");
    }
  },
});

for (const codec of ["h264", "h265"] as const) {
  Deno.test({
    name: `assembler: ${codec} pictures of 4 slices are one AU each (libx26x vs ffprobe)`,
    ignore: missing("ffmpeg", "ffprobe"),
    fn() {
      const { data, keys, types } = multiSlice(codec);
      const { aus, counts } = assemble(codec, rechunk(whole(data), [1000, 3, 77]));
      assert.deepEqual(counts, {});
      assert.deepEqual(aus.map((a) => a.key), keys);
      // frame types in display order, as ffprobe decoded them
      const display = [...aus].sort((a, b) => a.pts - b.pts);
      assert.equal(aus.length, types.length);
      let slices = 0;
      for (const au of aus) {
        forEachNal(au.data, (n) => {
          const t = codec === "h264" ? n[0] & 0x1f : (n[0] >> 1) & 0x3f;
          if (codec === "h264" ? t === 1 || t === 5 : t < 32) slices++;
        });
      }
      assert.equal(slices, aus.length * 4);
      // raw ES: pts are extrapolated in decode order, so compare the multiset of types
      assert.deepEqual(display.map((a) => a.frameType).sort(), [...types].sort());
    },
  });
}
