/**
 * Other SRT callers: srt-live-transmit (Haivision srt-tools) fed a paced pipe of the
 * raw TS file, byte-exact; GStreamer srtsink (gst-plugins-bad), byte-exact; and a
 * sender killed mid-stream (SIGKILL: no shutdown handshake), detected by libsrt's
 * peer-idle rule (~5 s on loopback) with the last stats snapshot kept.
 */

import assert from "node:assert/strict";
import { fixture, missing, readFixture } from "@tests/_helpers.ts";
import {
  assertSameBytes,
  ffmpegSend,
  finish,
  joined,
  sleep,
  spawn,
  startListener,
  stopAll,
  within,
} from "./srt_harness.ts";

const REL = "ts/h264_aac.ts";

Deno.test({
  name: "srt e2e: srt-live-transmit from a paced pipe delivers the file byte for byte",
  ignore: missing("srt-live-transmit"),
  async fn() {
    const file = readFixture(REL);
    const h = startListener();
    const p = spawn("srt-live-transmit", [
      "-a:no",
      "-q",
      "-chunk:1316",
      "file://con",
      `srt://127.0.0.1:${h.port}?streamid=slt&linger=2`,
    ], "piped");
    try {
      // It reads stdin before it is connected and drops what it read: wait for the
      // connection first. It does not exit at EOF either: stop it once all bytes are in.
      const t0 = Date.now();
      while (h.captured.length === 0 && Date.now() - t0 < 5000) await sleep(50);
      assert.equal(h.captured.length, 1, "srt-live-transmit connected");
      const w = p.child.stdin.getWriter();
      for (let o = 0; o < file.length; o += 1316 * 4) {
        await w.write(file.subarray(o, Math.min(file.length, o + 1316 * 4)));
        await sleep(10);
      }
      await w.close();
      const c = h.captured[0];
      const t1 = Date.now();
      while (joined(c).length < file.length && Date.now() - t1 < 3000) await sleep(50);
      // Each drain stops when the socket's own epoll set says nothing is due, not at a
      // read that fails inside libsrt (a C++ throw each): reading until EASYNCRCV made one
      // such read per wake-up (9 here).
      const conn = h.listener.connections()[0];
      assert.ok(conn.emptyReads <= 2, `reads that found nothing: ${conn.emptyReads}`);
      p.kill("SIGINT");
      await finish(p, 3000);
      assert.notEqual(await within(c.done, 6000), "timeout", "sink.closed after SIGINT");
      await assertSameBytes(c, file);
      assert.equal(c.admission.name, "slt");
    } finally {
      await stopAll(h, p);
    }
  },
});

Deno.test({
  name: "srt e2e: GStreamer srtsink (caller) delivers the file byte for byte",
  ignore: missing("gst-launch-1.0"),
  async fn() {
    const file = readFixture(REL);
    const h = startListener();
    const p = spawn("gst-launch-1.0", [
      "-q",
      "filesrc",
      `location=${fixture(REL)}`,
      "blocksize=1316",
      "!",
      "identity",
      "sleep-time=3000",
      "!",
      "srtsink",
      `uri=srt://127.0.0.1:${h.port}?mode=caller&streamid=gst1`,
      "wait-for-connection=true",
    ]);
    try {
      const r = await finish(p, 12_000);
      assert.equal(r.timedOut, false, r.stderr);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(h.captured.length, 1);
      const c = h.captured[0];
      assert.notEqual(await within(c.done, 3000), "timeout");
      await assertSameBytes(c, file);
      assert.equal(c.admission.name, "gst1");
    } finally {
      await stopAll(h, p);
    }
  },
});

Deno.test({
  name: "srt e2e: a sender killed mid-stream closes the sink with its last stats",
  ignore: missing("ffmpeg"),
  async fn() {
    const h = startListener({ peerIdleTimeoutMs: 2000 });
    const url = `srt://127.0.0.1:${h.port}?streamid=dies&pkt_size=1316`;
    const p = spawn("ffmpeg", ffmpegSend(fixture(REL), url, true));
    try {
      const deadline = Date.now() + 5000;
      while (
        (h.captured.length === 0 || h.captured[0].stats.length < 1) && Date.now() < deadline
      ) await sleep(100);
      assert.equal(h.captured.length, 1, "connected and one stats snapshot");
      const c = h.captured[0];
      p.kill("SIGKILL");
      const killedAt = performance.now();
      assert.notEqual(await within(c.done, 8000), "timeout", "sink.closed after idle timeout");
      // libsrt declares the peer dead after 16 expiry periods of >= 300 ms (~4.8 s).
      const took = performance.now() - killedAt;
      assert.ok(took >= 1500 && took < 7000, `idle detection took ${took} ms`);
      assert.notEqual(c.closed?.reason, "listener_stopped");
      const last = c.closed?.last;
      assert.ok(last && last.packetsReceived > 0 && last.rttMs >= 0);
      assert.equal(h.listener.health().connections, 0);
    } finally {
      await stopAll(h, p);
    }
  },
});
