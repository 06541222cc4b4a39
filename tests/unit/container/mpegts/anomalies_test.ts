/**
 * Damaged real streams (ffmpeg's h264_aac.ts, edited packet by packet): every anomaly
 * is counted by its reason, parsing goes on, and what is intact still matches ffprobe.
 */
import assert from "node:assert/strict";
import { readFixture, readPacketsCsv } from "@tests/_helpers.ts";
import {
  chunksOf,
  demux,
  join,
  packets,
  payloadAt,
  pesPackets,
  pidOf,
  pmt,
  psiPacket,
  pusiOf,
  resign,
  section,
  sectionAt,
} from "@tests/support/ts.ts";
import { writeTimestamp33 } from "@lib/container/mpegts/ts_writer.ts";

const FILE = "ts/h264_aac.ts";
const data = readFixture(FILE);
const V = readPacketsCsv(`${FILE}.v.packets.csv`);
const A = readPacketsCsv(`${FILE}.a.packets.csv`);
const VPID = 256;
const PMT_PID = 4096;
const clean = demux(data, [1316]);

/** Index of a video packet that continues (not starts) a PES, after `from`. */
function midVideo(pk: Uint8Array[], from: number): number {
  let i = from;
  while (
    !(pidOf(pk[i]) === VPID && !pusiOf(pk[i]) && pidOf(pk[i + 1]) === VPID && !pusiOf(pk[i + 1]))
  ) i++;
  return i;
}
/** Decode-order index of the video PES that packet `i` belongs to. */
function pesIndex(pk: Uint8Array[], i: number): number {
  return pk.slice(0, i + 1).filter((p) => pidOf(p) === VPID && pusiOf(p)).length - 1;
}

Deno.test("anomaly: garbage between packets -> one sync_loss, nothing lost", () => {
  const pk = packets(data);
  const junk = new Uint8Array(333).map((_, i) => (i * 7 === 188 ? 0x47 : (i * 31) & 0xff));
  const run = demux(join([...pk.slice(0, 200), junk, ...pk.slice(200)]), [1000]);
  assert.deepEqual(run.counts, { sync_loss: 1 });
  assert.deepEqual(chunksOf(run, "video").map((c) => c.pts), V.map((r) => r.pts));
  assert.deepEqual(chunksOf(run, "audio").map((c) => c.pts), A.map((r) => r.pts));
});

Deno.test("anomaly: truncated packet -> sync_loss, cc_error, that PES dropped", () => {
  const pk = packets(data);
  const i = midVideo(pk, 100);
  const k = pesIndex(pk, i);
  const run = demux(join([...pk.slice(0, i), pk[i].subarray(0, 100), ...pk.slice(i + 1)]), [
    7,
    1316,
  ]);
  assert.deepEqual(run.counts, { sync_loss: 1, cc_error: 1, pes_dropped: 1 });
  const expect = V.filter((_, j) => j !== k).map((r) => r.dts);
  assert.deepEqual(chunksOf(run, "video").map((c) => c.dts), expect);
  assert.equal(chunksOf(run, "audio").length, A.length);
});

Deno.test("anomaly: lost, duplicated and TEI packets (ISO 13818-1 2.4.3.3)", () => {
  const pk = packets(data);
  const i = midVideo(pk, 150);
  const k = pesIndex(pk, i);
  const lost = demux(join([...pk.slice(0, i), ...pk.slice(i + 1)]));
  assert.deepEqual(lost.counts, { cc_error: 1, pes_dropped: 1 });
  assert.equal(chunksOf(lost, "video").length, V.length - 1);
  assert.deepEqual(
    chunksOf(lost, "video").map((c) => c.pts),
    V.filter((_, j) => j !== k).map((r) => r.pts),
  );

  const dup = demux(join([...pk.slice(0, i + 1), pk[i], ...pk.slice(i + 1)]));
  assert.deepEqual(dup.counts, {});
  assert.deepEqual(
    chunksOf(dup, "video").map((c) => c.data),
    chunksOf(clean, "video").map((c) => c.data),
  );

  const bad = pk.slice();
  bad[i] = pk[i].slice();
  bad[i][1] |= 0x80;
  const tei = demux(join(bad));
  assert.deepEqual(tei.counts, { tei: 1, cc_error: 1, pes_dropped: 1 });
  assert.equal(chunksOf(tei, "video").length, V.length - 1);
});

Deno.test("anomaly: PMT with a bad CRC is ignored and counted (psi_crc)", () => {
  const pk = packets(data);
  const pmts = pk.map((p, i) => (pidOf(p) === PMT_PID ? i : -1)).filter((i) => i >= 0);
  const first = pk.slice();
  first[pmts[0]] = pk[pmts[0]].slice();
  first[pmts[0]][sectionAt(pk[pmts[0]])[1] - 1] ^= 1;
  const once = demux(join(first));
  assert.deepEqual(once.counts, { psi_crc: 1 });
  assert.ok(chunksOf(once, "video").length > 0);

  const all = pk.map((p) => {
    if (pidOf(p) !== PMT_PID) return p;
    const q = p.slice();
    q[sectionAt(q)[0] + 4] ^= 0x10; // program_number changed, CRC now wrong
    return q;
  });
  const none = demux(join(all));
  assert.deepEqual(none.counts, { psi_crc: pmts.length });
  assert.equal(none.tracks.length, 0);
  assert.equal(none.chunks.size, 0);
});

Deno.test("anomaly: PMT version change re-announces tracks; unknown type is announced", () => {
  const pk = packets(data);
  const pmts = pk.map((p, i) => (pidOf(p) === PMT_PID ? i : -1)).filter((i) => i >= 0);
  const cut = pmts[10];
  const edited = pk.map((p, i) => {
    if (i < cut || pidOf(p) !== PMT_PID) return p;
    const q = p.slice();
    const [s, e] = sectionAt(q);
    q[s + 5] = (q[s + 5] & 0xc1) | (((((q[s + 5] >> 1) & 0x1f) + 1) & 0x1f) << 1);
    for (let o = s + 12 + (((q[s + 10] & 0x0f) << 8) | q[s + 11]); o + 5 <= e - 4;) {
      if (q[o] === 0x0f) q[o] = 0x99;
      o += 5 + (((q[o + 3] & 0x0f) << 8) | q[o + 4]);
    }
    resign(q);
    return q;
  });
  const run = demux(join(edited), [1316]);
  assert.deepEqual(run.counts, {});
  const after = run.tracks.slice(-2);
  assert.deepEqual(after.map((t) => [t.id, t.codec, t.supported]), [[256, "h264", true], [
    257,
    "unknown",
    false,
  ]]);
  assert.equal(run.tracks.filter((t) => t.id === 256).length, 2, "video re-announced");
  const audio = run.chunks.get(257)!;
  assert.ok(audio.length > 0 && audio.length < A.length);
  assert.deepEqual(audio.map((c) => c.pts), A.slice(0, audio.length).map((r) => r.pts));
  assert.equal(run.chunks.get(256)!.length, V.length);
});

Deno.test("anomaly: PES without PTS is counted and delivered without timestamps", () => {
  const pk = packets(data).map((p) => p.slice());
  const i = pk.findIndex((p) => pidOf(p) === 257 && pusiOf(p));
  pk[i][payloadAt(pk[i]) + 7] &= 0x3f;
  const run = demux(join(pk));
  assert.deepEqual(run.counts, { pes_no_pts: 1 });
  const audio = chunksOf(run, "audio");
  assert.equal(audio.length, A.length);
  const firstPes = audio.filter((c) => c.pts === undefined).length;
  assert.ok(firstPes > 0);
  assert.deepEqual(audio.slice(firstPes).map((c) => c.pts), A.slice(firstPes).map((r) => r.pts));
});

Deno.test("anomaly: PES over maxPesBytes is dropped and counted; buffers stay under the cap", () => {
  const cap = 3000;
  const run = demux(data, [1316], { maxPesBytes: cap });
  const big = V.filter((r) => r.size + 14 > cap).length;
  assert.ok(big > 0);
  assert.deepEqual(run.counts, { pes_oversize: big });
  assert.equal(chunksOf(run, "video").length, V.length - big);
  assert.ok(run.maxBuffered <= 2 * cap + 1316, `buffered ${run.maxBuffered}`);
});

Deno.test("33-bit PTS/DTS wrap is unwrapped to monotonic values", () => {
  const off = 2 ** 33 - 200000;
  const pk = packets(data).map((p) => {
    if (!pusiOf(p) || (pidOf(p) !== 256 && pidOf(p) !== 257)) return p;
    const q = p.slice();
    const o = payloadAt(q);
    const read = (at: number) =>
      ((q[at] >> 1) & 7) * 2 ** 30 + ((q[at + 1] << 7) | (q[at + 2] >> 1)) * 2 ** 15 +
      ((q[at + 3] << 7) | (q[at + 4] >> 1));
    const flags = q[o + 7] >> 6;
    writeTimestamp33(q, o + 9, flags === 3 ? 3 : 2, (read(o + 9) + off) % 2 ** 33);
    if (flags === 3) writeTimestamp33(q, o + 14, 1, (read(o + 14) + off) % 2 ** 33);
    return q;
  });
  const run = demux(join(pk), [1316]);
  assert.deepEqual(run.counts, {});
  assert.deepEqual(chunksOf(run, "video").map((c) => c.pts), V.map((r) => r.pts + off));
  assert.deepEqual(chunksOf(run, "video").map((c) => c.dts), V.map((r) => r.dts + off));
  assert.deepEqual(chunksOf(run, "audio").map((c) => c.pts), A.map((r) => r.pts + off));
  assert.ok(chunksOf(run, "video").at(-1)!.dts! > 2 ** 33);
});

Deno.test("programs: first program by default, `program` selects another", () => {
  const body = [0, 1, 0xe1, 0x00, 0, 2, 0xe2, 0x00];
  const au = Uint8Array.of(0, 0, 0, 1, 0x09, 0xf0);
  const parts = [
    psiPacket(0, section(0, 1, 0, body)),
    pmt(0x100, [{ pid: 0x31, type: 0x1b }]),
    pmt(0x200, [{ pid: 0x32, type: 0x24 }]),
    ...pesPackets(0x31, 0xe0, au, 1000),
    ...pesPackets(0x32, 0xe0, au, 2000),
  ];
  // The second PMT is for program 2: rewrite its program_number and re-sign.
  const p2 = parts[2];
  const [s] = sectionAt(p2);
  p2[s + 4] = 2;
  resign(p2);
  const one = demux(join(parts));
  assert.deepEqual(one.counts, {});
  assert.deepEqual(one.tracks.map((t) => [t.id, t.codec]), [[0x31, "h264"]]);
  assert.deepEqual([...one.chunks.keys()], [0x31]);
  const two = demux(join(parts), undefined, { program: 2 });
  assert.deepEqual(two.tracks.map((t) => [t.id, t.codec]), [[0x32, "h265"]]);
  assert.deepEqual(two.chunks.get(0x32)!.map((c) => [c.pts, c.data]), [[2000, au]]);
});
