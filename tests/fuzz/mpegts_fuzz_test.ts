/**
 * Fuzz the MPEG-TS demuxer with fixed seeds: random bytes, truncated, bit-flipped,
 * misaligned and header-scrambled copies of real TS files (ffmpeg, GStreamer, a phone).
 * It must never throw, must count damage, and its buffers must stay under their caps.
 */
import assert from "node:assert/strict";
import { MAX_ADTS_FRAME_BYTES } from "@lib/codecs/aac/adts.ts";
import { MAX_TRACKS } from "@lib/container/mpegts/demuxer.ts";
import { MAX_CARRY_BYTES } from "@lib/container/mpegts/framer.ts";
import { MAX_SECTION_BYTES } from "@lib/container/mpegts/psi.ts";
import { fuzzRuns, readFixture } from "@tests/_helpers.ts";
import { demux, type DemuxRun } from "@tests/support/ts.ts";
import { prng as rng } from "@tests/support/prng.ts";

const MAX_PES = 64 * 1024;
/** Everything the demuxer may hold at once with MAX_PES as the PES cap. */
const BOUND = MAX_CARRY_BYTES + 2 * MAX_SECTION_BYTES +
  MAX_TRACKS * (MAX_PES + MAX_ADTS_FRAME_BYTES + 3);

const FILES = ["h264_aac.ts", "hevc_aac.ts", "srt_h264_aac_gst.ts"].map((f) =>
  readFixture(`ts/${f}`)
);

function errors(run: DemuxRun): number {
  return Object.values(run.counts).reduce((a, b) => a + b, 0);
}

function check(run: DemuxRun): void {
  assert.ok(run.maxBuffered <= BOUND, `buffered ${run.maxBuffered} > ${BOUND}`);
  for (const list of run.chunks.values()) {
    for (const c of list) {
      assert.ok(c.data.length <= MAX_PES);
      assert.ok(c.pts === undefined || Number.isSafeInteger(c.pts));
      assert.ok(c.dts === undefined || Number.isSafeInteger(c.dts));
    }
  }
}

function sizes(r: () => number): number[] {
  return Array.from({ length: 4 }, () => 1 + Math.floor(r() * 3000));
}

Deno.test("fuzz: random bytes (plain and 0x47-rich)", () => {
  const r = rng(1);
  for (let i = 0; i < fuzzRuns(20); i++) {
    const data = new Uint8Array(20000).map((_, j) => (i % 2 && j % 188 === 0 ? 0x47 : r() * 256));
    const run = demux(data, sizes(r), { maxPesBytes: MAX_PES });
    check(run);
    assert.ok(errors(run) > 0, `run ${i}: damage not counted`);
  }
});

Deno.test("fuzz: truncated files", () => {
  const r = rng(2);
  for (let i = 0; i < fuzzRuns(30); i++) {
    const f = FILES[i % FILES.length];
    const run = demux(f.subarray(0, Math.floor(r() * f.length)), sizes(r), {
      maxPesBytes: MAX_PES,
    });
    check(run);
  }
});

Deno.test("fuzz: bit flips", () => {
  const r = rng(3);
  let total = 0;
  for (let i = 0; i < fuzzRuns(30); i++) {
    const f = FILES[i % FILES.length].slice();
    for (let k = 0; k < 1 + i * 3; k++) f[Math.floor(r() * f.length)] ^= 1 << Math.floor(r() * 8);
    const run = demux(f, sizes(r), { maxPesBytes: MAX_PES });
    check(run);
    total += errors(run);
  }
  assert.ok(total > 30, `only ${total} errors counted`);
});

Deno.test("fuzz: misaligned (bytes dropped and inserted)", () => {
  const r = rng(4);
  for (let i = 0; i < fuzzRuns(20); i++) {
    const f = FILES[i % FILES.length];
    const parts: Uint8Array[] = [];
    let o = 0;
    while (o < f.length) {
      const n = 1 + Math.floor(r() * 5000);
      parts.push(f.subarray(o, o + n));
      if (r() < 0.5) parts.push(new Uint8Array(Math.floor(r() * 400)).map(() => r() * 256));
      o += n + (r() < 0.5 ? Math.floor(r() * 300) : 0);
    }
    const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (data.set(p, at), at + p.length), 0);
    const run = demux(data, sizes(r), { maxPesBytes: MAX_PES });
    check(run);
    assert.ok((run.counts.sync_loss ?? 0) > 0);
  }
});

Deno.test("fuzz: scrambled headers in aligned packets (PIDs, flags, lengths)", () => {
  const r = rng(5);
  for (let i = 0; i < fuzzRuns(20); i++) {
    const f = FILES[i % FILES.length].slice();
    for (let o = 0; o + 188 <= f.length; o += 188) {
      if (r() < 0.1) f[o + 1 + Math.floor(r() * 5)] = Math.floor(r() * 256);
      if (r() < 0.02) f.fill(0xff, o + 4 + Math.floor(r() * 100), o + 188);
    }
    const run = demux(f, sizes(r), { maxPesBytes: MAX_PES });
    check(run);
    assert.ok(errors(run) > 0);
  }
});
