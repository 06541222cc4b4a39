/**
 * The assembler's skip of slice data (lib/codecs/h26x/tail_skip.ts): whole PES payloads as
 * TsInput hands them over, from real senders' captures, give the same units with and
 * without the skip; a stream that puts two pictures in one PES, always or once, is caught
 * and assembled as the full scan does.
 */
import assert from "node:assert/strict";
// deno-lint-ignore no-import-prefix -- test-only dependency, kept out of the runtime import map
import fc from "npm:fast-check@^3";
import type { EsChunk } from "@lib/core/types.ts";
import { CHECK_EVERY, TailSkip, TRUST_PES } from "@lib/codecs/h26x/tail_skip.ts";
import { readFixture, readPacketsCsv } from "@tests/_helpers.ts";
import { demux, trackOf } from "@tests/support/ts.ts";
import { assemble, sameUnits } from "./_util.ts";

/** The video track's PES payloads of a TS fixture, one chunk each (as TsInput gets them). */
function pesChunks(name: string): { codec: "h264" | "h265"; chunks: EsChunk[] } {
  const t = trackOf(demux(readFixture(`ts/${name}`)), "h264", "h265");
  return { codec: t.info.codec as "h264" | "h265", chunks: t.chunks };
}

/** PES `i` and `i + 1` as one PES with the first one's timestamps. */
function merged(chunks: EsChunk[], pairs: (i: number) => boolean): EsChunk[] {
  const out: EsChunk[] = [];
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i];
    const next = chunks[i + 1];
    if (!next || !pairs(i)) {
      out.push(c);
      continue;
    }
    const data = new Uint8Array(c.data.length + next.data.length);
    data.set(c.data);
    data.set(next.data, c.data.length);
    out.push({ ...c, data });
    i++;
  }
  return out;
}

for (const name of ["h264_aac", "hevc_aac", "realworld_VID_20191220_170832", "srt_h264_aac_gst"]) {
  Deno.test(`tail skip: ts/${name}.ts, whole PES: the units of the full scan and ffprobe's`, () => {
    const { codec, chunks } = pesChunks(`${name}.ts`);
    const full = assemble(codec, chunks, { skipTails: false });
    const fast = assemble(codec, chunks);
    sameUnits(full, fast);
    assert.deepEqual(fast.counts, {});
    const want = readPacketsCsv(`ts/${name}.ts.v.packets.csv`);
    assert.deepEqual(fast.aus.map((a) => [a.pts, a.dts]), want.map((w) => [w.pts, w.dts]));
    assert.equal(full.skip.bytes, 0);
    assert.ok(fast.skip.on, "one picture per PES: the skip stays on");
    // all but the trusted and the sampled PES leave their slices unscanned
    const bytes = chunks.reduce((n, c) => n + c.data.length, 0);
    const skippable = chunks.length - TRUST_PES - Math.ceil(chunks.length / CHECK_EVERY);
    assert.ok(skippable > 0, `${chunks.length} PES`);
    assert.ok(fast.skip.bytes > bytes * 0.5 * (skippable / chunks.length), `${fast.skip.bytes}`);
  });
}

for (const name of ["h264_aac", "hevc_aac"]) {
  Deno.test(`tail skip: ts/${name}.ts with two pictures in every PES is caught while trusting`, () => {
    const { codec, chunks } = pesChunks(`${name}.ts`);
    const two = merged(chunks, () => true);
    const full = assemble(codec, two, { skipTails: false });
    const fast = assemble(codec, two);
    sameUnits(full, fast);
    assert.equal(fast.aus.length, chunks.length);
    assert.equal(fast.skip.on, false);
    assert.equal(fast.skip.bytes, 0);
  });

  Deno.test(`tail skip: ts/${name}.ts with two pictures in one late PES: the DTS gap`, () => {
    const { codec, chunks } = pesChunks(`${name}.ts`);
    // a PES after the trusted ones and off the sampling beat: only the gap can tell
    const at = TRUST_PES + 3;
    const one = merged(chunks, (i) => i === at);
    const full = assemble(codec, one, { skipTails: false });
    const fast = assemble(codec, one);
    sameUnits(full, fast);
    assert.equal(fast.aus.length, chunks.length);
    assert.equal(fast.skip.on, false, "the unit found inside the PES turned the skip off");
    assert.ok(fast.skip.rescans >= 1);
  });
}

Deno.test("tail skip: a PES without timestamps after a skipped tail rescans it", () => {
  const { codec, chunks } = pesChunks("h264_aac.ts");
  const cut = chunks.map((
    c,
    i,
  ) => (i === TRUST_PES + 3 ? { ...c, pts: undefined, dts: undefined } : c));
  const full = assemble(codec, cut, { skipTails: false });
  const fast = assemble(codec, cut);
  sameUnits(full, fast);
  assert.ok(fast.skip.rescans >= 1);
  assert.ok(fast.skip.on);
});

Deno.test("tail skip policy: trust, sampling beat and the gap rule", () => {
  const t = new TailSkip();
  const may: boolean[] = [];
  const regular: boolean[] = [];
  for (let i = 0; i < 40; i++) {
    regular.push(t.next(i * 3000));
    may.push(t.mayskip);
  }
  assert.deepEqual(may.slice(0, TRUST_PES), new Array(TRUST_PES).fill(false));
  assert.equal(may[TRUST_PES], true);
  assert.equal(may[CHECK_EVERY - 1], false); // the 16th PES is scanned whole
  assert.deepEqual(regular.slice(0, 2), [false, false]); // no gap, then no reference yet
  assert.ok(regular.slice(2).every((r) => r));
  assert.equal(t.next(40 * 3000 + 6000), false, "two frame durations");
  assert.equal(t.next(40 * 3000 + 6000), false, "no step");
  assert.equal(t.next(40 * 3000 + 4000), false, "backwards");
  assert.equal(t.next(40 * 3000 + 7000), true, "one frame duration again");
  t.turnOff();
  assert.equal(t.mayskip, false);
  assert.equal(new TailSkip(false).on, false);
});

Deno.test("tail skip: random PES payloads and timestamps never throw; units hold pushed bytes only", () => {
  let skipped = 0;
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          bytes: fc.uint8Array({ maxLength: 600 }),
          // on the 3000-tick beat, off it, or without timestamps
          dts: fc.oneof(
            { arbitrary: fc.constant(0), weight: 6 },
            { arbitrary: fc.integer({ min: -3000, max: 6000 }), weight: 2 },
            { arbitrary: fc.constant(undefined), weight: 1 },
          ),
        }),
        { minLength: 10, maxLength: 60 },
      ),
      fc.boolean(),
      fc.integer({ min: 0, max: 30 }),
      (pes, h265, zeros) => {
        // each PES: an AUD and a slice start, then junk with up to 12% zeros and 6% ones
        const head = h265 ? [0, 0, 1, 0x46, 1, 0x10, 0, 0, 1, 0x26, 1, 0x80] : [0, 0, 1, 9, 0x10]
          .concat([0, 0, 1, 0x65, 0x88]);
        const chunks: EsChunk[] = pes.map((p, i) => ({
          trackId: 1,
          data: Uint8Array.from([
            ...head,
            ...p.bytes.map((b) => b < zeros ? 0 : b < zeros * 1.5 ? 1 : b),
          ]),
          pts: p.dts === undefined ? undefined : p.dts + i * 3000,
          dts: p.dts === undefined ? undefined : p.dts + i * 3000,
          randomAccess: false,
          unitStart: true,
          arrivalMs: i,
        }));
        const r = assemble(h265 ? "h265" : "h264", chunks);
        assert.ok(r.skip.bytes >= 0 && r.skip.rescans >= 0);
        if (r.skip.bytes > 0) skipped++;
        const total = chunks.reduce((n, c) => n + c.data.length, 0);
        assert.ok(r.aus.reduce((n, a) => n + a.data.length, 0) <= total);
      },
    ),
    { seed: 11, numRuns: 200 },
  );
  assert.ok(skipped > 0, "some runs took the skip");
});
