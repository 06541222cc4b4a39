/**
 * The load generator's schedules against the fixtures: an RTP source replays the capture
 * in order (payloads byte for byte, sequence numbers continuous across loops, the
 * capture's timestamp pattern shifted by one loop span), and a TS file is cut into
 * 1316-byte messages timed by its PCR, spanning what ffprobe reports as its duration.
 */
import assert from "node:assert/strict";
import {
  packetsPerSource,
  readReplayCapture,
  RtpSource,
} from "../../../scripts/loadgen/rtp_sources.ts";
import { scheduleTs } from "../../../scripts/loadgen/ts_pacing.ts";
import { fixture, missing, readFixture } from "../../_helpers.ts";
import { readCapture } from "../../support/replay.ts";
import { rtpOf } from "../../support/rtp.ts";

for (const name of ["rtp_h264_gst.bin", "rtp_h264_ffmpeg.bin", "rtp_h265_ffmpeg.bin"]) {
  Deno.test(`loadgen source: ${name} replayed in order, twice, with continuous numbering`, () => {
    const orig = readCapture(`rtp/${name}`).map((c) => rtpOf(c.data));
    const cap = readReplayCapture(readFixture(`rtp/${name}`));
    assert.equal(cap.datagrams.length, orig.length);
    assert.equal(cap.frames, 60, "60 frames (tests/fixtures/README.md)");
    const pacing = { kind: "capture" as const, speed: 1, staggerMs: 0 };
    const src = new RtpSource(3, 4, cap, 0, pacing, 2 * orig.length);
    const buf = new Uint8Array(2000);
    const out: { p: ReturnType<typeof rtpOf>; due: number }[] = [];
    for (let k = 0; k < 2 * orig.length; k++) {
      const len = src.fill(buf, k);
      out.push({ p: rtpOf(buf.slice(0, len)), due: src.dueMs(k) });
    }
    const n = orig.length;
    for (let k = 0; k < out.length; k++) {
      const { p } = out[k], o = orig[k % n];
      assert.equal(p.ssrc, 0x51000003);
      assert.deepEqual(p.payload, o.payload, `payload of packet ${k}`);
      assert.equal(p.marker, o.marker);
      if (k > 0) assert.equal(p.seq, (out[k - 1].p.seq + 1) & 0xffff, `seq at ${k}`);
      // Timestamp differences inside a loop are the capture's own.
      if (k % n > 0) {
        assert.equal(
          (p.timestamp - out[k - 1].p.timestamp) | 0,
          (o.timestamp - orig[k % n - 1].timestamp) | 0,
        );
      }
      if (k > 0) assert.ok(out[k].due >= out[k - 1].due, `due times do not go back at ${k}`);
    }
    // The second loop is the first shifted by one loop span, in RTP time and in wall time.
    const dTs = (out[n].p.timestamp - out[0].p.timestamp) >>> 0;
    assert.equal(dTs, cap.loopTs);
    assert.equal(cap.clockRate, 90000);
    assert.ok(Math.abs(cap.loopMs - 2000) < 1, `60 frames at 30/s: ${cap.loopMs} ms`);
    assert.ok(Math.abs(out[n].due - out[0].due - cap.loopMs) < 1e-6);
  });
}

Deno.test("loadgen source: packets per source for whole loops, a time bound and a shared rate", () => {
  const cap = readReplayCapture(readFixture("rtp/rtp_h264_gst.bin"));
  const pacing = { kind: "capture" as const, speed: 1, staggerMs: 0 };
  assert.deepEqual(packetsPerSource(cap, pacing, 2, { loops: 3 }), [726, 726]);
  // Half a loop of time: the packets due in the first second (offsets < 1000 ms).
  const due = [...cap.offsetsMs].filter((t) => t < 1000).length;
  assert.ok(due > 100 && due < 142, `${due} of 242 in the first half`);
  assert.deepEqual(packetsPerSource(cap, pacing, 1, { seconds: 1 }), [due]);
  const rate = { kind: "rate" as const, packetsPerSecond: 1000 };
  assert.deepEqual(packetsPerSource(cap, rate, 3, { seconds: 1 }), [334, 333, 333]);
});

Deno.test({
  name: "loadgen TS pacing: 1316-byte messages over the PCR span ffprobe reports",
  ignore: missing("ffprobe"),
  fn: async () => {
    const path = fixture("ts/h264_aac.ts");
    const ts = readFixture("ts/h264_aac.ts");
    const s = scheduleTs(ts);
    assert.equal(s.messages.length, Math.ceil(ts.length / 188 / 7));
    assert.deepEqual(
      new Uint8Array(s.messages.flatMap((m) => [...m])),
      ts.subarray(0, Math.floor(ts.length / 188) * 188),
    );
    for (let i = 1; i < s.dueMs.length; i++) assert.ok(s.dueMs[i] >= s.dueMs[i - 1]);
    const out = await new Deno.Command("ffprobe", {
      args: ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
      stdout: "piped",
    }).output();
    const durMs = Number(new TextDecoder().decode(out.stdout).trim()) * 1000;
    assert.ok(Math.abs(s.loopMs - durMs) < 150, `PCR span ${s.loopMs} ms, ffprobe ${durMs} ms`);
  },
});
