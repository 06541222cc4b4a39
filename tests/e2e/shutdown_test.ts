/**
 * End to end: streams still publishing when sluice stops are closed with
 * `closeReason: shutdown` (not the adapter's `closed_by_server`), SRT (ffmpeg) and RTP.
 */
import assert from "node:assert/strict";
import { fixture, missing, readFixture } from "@tests/_helpers.ts";
import { parseCapture, replay } from "@tests/support/replay.ts";
import { startTestServer, until } from "./_server.ts";
import { ffmpegSend, spawn } from "./srt_harness.ts";

Deno.test({
  name: "e2e: streams closed by shutdown say closeReason shutdown",
  ignore: missing("ffmpeg"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const ts = await startTestServer();
    const url = `srt://127.0.0.1:${ts.srtPort}?streamid=live1&pkt_size=1316`;
    const peer = spawn("ffmpeg", ffmpegSend(fixture("ts/h264_aac.ts"), url, true));
    try {
      const cap = parseCapture(readFixture("rtp/rtp_h264_ffmpeg.bin"));
      await replay(cap, { hostname: "127.0.0.1", port: ts.rtpPort }, { pace: "fast" });
      const m = ts.server.manager;
      assert.ok(await until(() => m.get("live1")?.state === "active"), "SRT stream active");
      assert.ok(await until(() => [...m.streams.values()].some((s) => s.protocol === "rtp")));
      await ts.stop();
      const reasons = [...m.streams.values()].map((s) => `${s.protocol}:${s.closeReason}`);
      assert.deepEqual(reasons.sort(), ["rtp:shutdown", "srt:shutdown"]);
    } finally {
      peer.kill();
      await peer.status;
      await ts.stop();
    }
  },
});
