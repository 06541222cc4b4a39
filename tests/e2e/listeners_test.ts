/** Listener health: a missing libsrt disables SRT with its reason; RTP keeps working. */
import assert from "node:assert/strict";
import { readFixture } from "@tests/_helpers.ts";
import { startTestServer, until } from "./_server.ts";
import { parseCapture, replay } from "@tests/support/replay.ts";

Deno.test({
  name: "listeners: without libsrt, SRT is disabled with a reason and RTP still ingests",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const ts = await startTestServer("srt:\n  library: /nonexistent/libsrt.so.1.5\n");
    try {
      const h = await ts.get("/api/v1/health");
      assert.equal(h.status, "degraded", "a configured listener is down");
      assert.match(String((h.reasons as string[])[0]), /^srt: libsrt_not_found/);
      const l = h.listeners as Record<string, Record<string, unknown>>;
      assert.equal(l.srt.enabled, false);
      assert.match(String(l.srt.reason), /libsrt_not_found.*\/nonexistent\/libsrt\.so\.1\.5/);
      assert.equal(l.rtp.enabled, true);
      assert.ok(ts.logs.some((line) => /ERROR srt\.srt_disabled/.test(line)), "one clear log line");
      const capture = parseCapture(readFixture("rtp/rtp_h264_ffmpeg.bin"));
      await replay(capture, { hostname: "127.0.0.1", port: ts.rtpPort }, { pace: "fast" });
      const s = await until(async () => {
        const list = (await ts.get("/api/v1/streams")).streams as Record<string, unknown>[];
        return list.find((x) => x.packets === capture.length);
      });
      assert.ok(s, "the RTP stream arrived");
    } finally {
      await ts.stop();
    }
  },
});
