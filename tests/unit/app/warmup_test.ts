/**
 * The start-up warm-up (lib/app/warmup/): its synthetic media goes through the real
 * parsers without a single error or drop (every synthetic frame is counted as a frame),
 * leaves no step on the process clock, and a started sluice shows nothing of it (no
 * streams, no refusals, no port errors).
 */
import assert from "node:assert/strict";
import { parseConfig } from "@lib/config/load.ts";
import { createLogger } from "@lib/core/log.ts";
import {
  warmUp,
  WARMUP_RTP_FRAMES,
  WARMUP_RTP_SOURCES,
  WARMUP_TS_FRAMES,
} from "@lib/app/warmup/warmup.ts";
import { HOUSEKEEPING } from "@lib/core/ticker.ts";
import { startTestServer } from "../../e2e/_server.ts";

Deno.test("warmup: every synthetic frame is parsed as a frame, nothing is logged", () => {
  const lines: string[] = [];
  const steps = HOUSEKEEPING.size;
  const r = warmUp(parseConfig(""), createLogger("debug", "text", (l) => lines.push(l)));
  assert.equal(HOUSEKEEPING.size, steps, "nothing of the warm-up is left on the process clock");
  assert.equal(r.videoFrames, WARMUP_RTP_SOURCES * WARMUP_RTP_FRAMES + WARMUP_TS_FRAMES);
  // ADTS frames of 1024 samples at 48 kHz over the TS's 4 s (one per 1920 ticks of 90 kHz).
  assert.equal(r.audioFrames, Math.floor(((WARMUP_TS_FRAMES - 1) * 3000) / 1920) + 1);
  assert.ok(r.rtpPackets > WARMUP_RTP_SOURCES * WARMUP_RTP_FRAMES);
  assert.deepEqual(lines, []);
});

Deno.test({
  name: "warmup: a started sluice has no trace of it in its streams, stats and events",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const ts = await startTestServer("log:\n  level: debug\n");
    try {
      assert.ok(ts.logs.some((l) => l.includes("warmup.done")), "warm-up ran");
      assert.deepEqual((await ts.get("/api/v1/streams")).streams, []);
      const stats = await ts.get("/api/v1/stats");
      assert.deepEqual([stats.refused, stats.portErrors], [{}, {}]);
      assert.equal(ts.server.manager.opened, 0);
    } finally {
      await ts.stop();
    }
  },
});
