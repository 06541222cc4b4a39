/**
 * SRT ingest from ffmpeg (libsrt 1.5.1 caller): plain and `#!::` stream ids, the bytes
 * the sink receives against ffmpeg's own remux of the same file to disk (the oracle),
 * and a stream id refused by admit (ffmpeg fails, the listener counts the reason).
 * ffmpeg 5.1 passes `streamid` verbatim (no URL decoding), so ids are not escaped.
 */

import assert from "node:assert/strict";
import { fixture, missing } from "@tests/_helpers.ts";
import {
  assertSameBytes,
  ffmpegSend,
  finish,
  sleep,
  spawn,
  startListener,
  stopAll,
  within,
} from "./srt_harness.ts";

const SRC = fixture("ts/h264_aac.ts");

/** ffmpeg's remux of SRC with the same muxer settings, written to a file. */
async function oracle(): Promise<Uint8Array> {
  const out = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    const p = spawn("ffmpeg", [
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      "-i",
      SRC,
      "-c",
      "copy",
      "-f",
      "mpegts",
      out,
    ]);
    const r = await finish(p, 10_000);
    assert.equal(r.code, 0, r.stderr);
    return await Deno.readFile(out);
  } finally {
    await Deno.remove(out);
  }
}

for (const sid of ["cam1", "#!::m=publish,r=cam2,u=alice"]) {
  Deno.test({
    name: `srt e2e: ffmpeg streamid=${sid} delivers ffmpeg's remux byte for byte`,
    ignore: missing("ffmpeg"),
    async fn() {
      const want = await oracle();
      const h = startListener();
      const p = spawn(
        "ffmpeg",
        ffmpegSend(
          SRC,
          `srt://127.0.0.1:${h.port}?streamid=${sid}&pkt_size=1316&linger=2`,
        ),
      );
      try {
        const r = await finish(p, 12_000);
        assert.equal(r.timedOut, false);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(h.captured.length, 1);
        const c = h.captured[0];
        assert.notEqual(await within(c.done, 3000), "timeout", "sink.closed not called");
        assert.equal(c.admission.raw, sid);
        assert.equal(c.admission.name, sid === "cam1" ? "cam1" : "cam2");
        if (sid !== "cam1") assert.equal(c.admission.user, "alice");
        assert.match(c.admission.remote, /^127\.0\.0\.1:\d+$/);
        await assertSameBytes(c, want);
        assert.equal(c.closed?.reason, "peer_closed");
        // libsrt's own counters agree: every 1316-byte message counted, latency as set.
        const last = c.closed?.last;
        assert.ok(last, "a stats snapshot survives the close");
        assert.equal(last.tsbpdDelayMs, 120);
        assert.equal(last.keyState, "unsecured");
        // Each message holds 1..7 TS packets; byteRecvTotal adds SRT+UDP+IPv4 headers (44 B).
        assert.ok(last.packetsReceived >= 1 && last.packetsReceived <= want.length / 188);
        assert.ok(last.bytesReceived <= last.packetsReceived * (1316 + 44));
        assert.ok(last.bytesReceived >= last.packetsReceived * (188 + 44));
        assert.equal(h.listener.health().accepted, 1);
      } finally {
        await stopAll(h, p);
      }
    },
  });
}

Deno.test({
  name: "srt e2e: admit refusal (1403) makes ffmpeg fail and is counted",
  ignore: missing("ffmpeg"),
  async fn() {
    const h = startListener({
      admit: (a) => {
        if (a.name === "boom") throw new Error("admit bug");
        return a.name === "blocked"
          ? { ok: false, status: 1403, reason: "not_allowed" }
          : { ok: true };
      },
    });
    const boom = spawn("ffmpeg", ffmpegSend(SRC, `srt://127.0.0.1:${h.port}?streamid=boom`));
    const bad = spawn("ffmpeg", ffmpegSend(SRC, `srt://127.0.0.1:${h.port}?streamid=blocked`));
    const req = spawn(
      "ffmpeg",
      ffmpegSend(SRC, `srt://127.0.0.1:${h.port}?streamid=#!::r=x,m=request`),
    );
    try {
      const r1 = await finish(bad, 10_000);
      const r2 = await finish(req, 10_000);
      const r3 = await finish(boom, 10_000);
      assert.notEqual(r1.code, 0);
      assert.notEqual(r2.code, 0);
      assert.notEqual(r3.code, 0, "an admit that throws rejects, never accepts");
      assert.equal(h.captured.length, 0);
      const hh = h.listener.health();
      assert.equal(hh.refused.not_allowed, 1);
      assert.equal(hh.refused.streamid_mode_request, 1);
      assert.equal(hh.refused.admit_threw, 1);
      assert.equal(hh.connections, 0);
    } finally {
      await stopAll(h, bad, req, boom);
    }
  },
});

Deno.test({
  name: "srt e2e: server-side close() and stop() with live senders close every sink once",
  ignore: missing("ffmpeg"),
  async fn() {
    const h = startListener();
    const loop = (sid: string) =>
      spawn(
        "ffmpeg",
        ffmpegSend(SRC, `srt://127.0.0.1:${h.port}?streamid=${sid}&pkt_size=1316`, true),
      );
    const a = loop("kick"), b = loop("stay");
    try {
      const t0 = Date.now();
      while (h.captured.filter((c) => c.chunks.length > 0).length < 2 && Date.now() - t0 < 5000) {
        await sleep(50);
      }
      assert.equal(h.captured.length, 2);
      const kick = h.listener.connections().find((c) => c.streamId === "kick");
      assert.ok(kick);
      kick.close();
      kick.close(); // idempotent
      const ck = h.captured.find((c) => c.admission.name === "kick")!;
      assert.equal(ck.closed?.reason, "closed_by_server");
      assert.equal(h.listener.health().connections, 1);
      const ra = await finish(a, 8000); // ffmpeg notices the close and gives up
      assert.equal(ra.timedOut, false, "ffmpeg exits after a server-side close");
      await h.listener.stop();
      const cs = h.captured.find((c) => c.admission.name === "stay")!;
      assert.equal(cs.closed?.reason, "listener_stopped");
      assert.ok(cs.closed?.last && cs.closed.last.packetsReceived > 0);
      assert.deepEqual(h.captured.map((c) => c.closedCalls), [1, 1]);
      const hh = h.listener.health();
      assert.equal(hh.enabled, false);
      assert.equal(hh.connections, 0);
    } finally {
      await stopAll(h, a, b);
    }
  },
});
