/**
 * TsInput: a PMT version change that keeps a track's codec keeps its Annex B assembler
 * (the access unit in progress is not flushed early); a codec change replaces it.
 * Input: the first access unit of tests/fixtures/es/h264_aud.h264 in a PES, PMTs built
 * with the TS test helpers.
 */
import assert from "node:assert/strict";
import { TsInput } from "../../../../lib/media/pipeline/ts_input.ts";
import type { AccessUnit, TrackInfo } from "../../../../lib/media/types.ts";
import type { StreamSink } from "../../../../lib/stream_types.ts";
import { readFixture } from "../../../_helpers.ts";
import { join, pat, pesPackets, pmt } from "../mpegts/_ts_edit.ts";

function sink() {
  const frames: AccessUnit[] = [];
  const drops: string[] = [];
  const s: StreamSink = {
    id: "t",
    paused: false,
    received: () => {},
    error: () => {},
    drop: (r: string) => void drops.push(r),
    setTrack: (_i: TrackInfo) => {},
    pushFrame: (au: AccessUnit) => void frames.push(au),
    addParameterSets: () => {},
    setTransport: () => {},
  } as unknown as StreamSink;
  return { s, frames, drops };
}

/** The first access unit of the fixture: up to the second access unit delimiter. */
function firstAu(): Uint8Array {
  const es = readFixture("es/h264_aud.h264");
  for (let i = 4; i + 4 < es.length; i++) {
    if (es[i] === 0 && es[i + 1] === 0 && es[i + 2] === 1 && (es[i + 3] & 0x1f) === 9) {
      return es.subarray(0, es[i - 1] === 0 ? i - 1 : i);
    }
  }
  throw new Error("no second AUD");
}

const H264 = 0x1b, AAC = 0x0f, HEVC = 0x24;

Deno.test("ts_input: a PMT version change with the same codec keeps the assembler", () => {
  const { s, frames } = sink();
  const input = new TsInput(s, { frameTimeoutMs: 5000 });
  const au = firstAu();
  input.push(join([pat(0x1000), pmt(0x1000, [{ pid: 0x100, type: H264 }], 0)]), 0);
  input.push(join(pesPackets(0x100, 0xe0, au, 90000)), 1);
  assert.equal(frames.length, 0, "the access unit is still open (no next AU yet)");
  // version 1 adds an audio stream; the video PID keeps its codec
  const v1 = pmt(0x1000, [{ pid: 0x100, type: H264 }, { pid: 0x101, type: AAC }], 1);
  input.push(v1, 2);
  assert.equal(frames.length, 0, "not flushed by the PMT change");
  input.flush();
  assert.equal(frames.length, 1);
  assert.equal(frames[0].codec, "h264");
  assert.equal(frames[0].key, true);
});

Deno.test("ts_input: a PMT that changes the codec replaces the assembler (flushes it)", () => {
  const { s, frames } = sink();
  const input = new TsInput(s, { frameTimeoutMs: 5000 });
  input.push(join([pat(0x1000), pmt(0x1000, [{ pid: 0x100, type: H264 }], 0)]), 0);
  input.push(join(pesPackets(0x100, 0xe0, firstAu(), 90000)), 1);
  input.push(pmt(0x1000, [{ pid: 0x100, type: HEVC }], 1), 2);
  assert.equal(frames.length, 1, "the H.264 unit in progress is emitted at the change");
  assert.equal(frames[0].codec, "h264");
});
