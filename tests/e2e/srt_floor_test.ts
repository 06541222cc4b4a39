/**
 * The Deno floor of one SRT stream (bench/scale/srt_floor.ts, the bench's third receiver
 * beside sluice and srt-live-transmit): fed by a real libsrt caller (scripts/loadgen.ts),
 * it reads the stream and reports what it read. Its figure only means something if it
 * really reads the stream: every byte up to the last ~latency's worth (it stops at the
 * caller's close, as srt-live-transmit does), in whole TS packets.
 */
import assert from "node:assert/strict";
import { fixture } from "../_helpers.ts";
import { freeUdpRange } from "../../bench/scale/peers.ts";
import { bytesSent, loadgen } from "../../bench/scale/step.ts";

const FLOOR = new URL("../../bench/scale/srt_floor.ts", import.meta.url).pathname;

Deno.test({
  name: "srt floor: reads a libsrt caller's TS in whole packets, all but the last latency",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const port = freeUdpRange(1);
    const floor = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-ffi", "--allow-env", "--allow-read", FLOOR, `${port}`, "10"],
      stdout: "null",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).spawn();
    try {
      await new Promise((r) => setTimeout(r, 500));
      const lg = await loadgen(["--mode", "srt", "--srt-port", `${port}`]
        .concat(["--ts", fixture("ts/h264_aac.ts"), "--callers", "1", "--loops", "1"]));
      assert.equal(lg.connected, 1);
      const sent = bytesSent(lg);
      const out = await floor.output();
      const got = JSON.parse(new TextDecoder().decode(out.stderr).trim().split("\n").at(-1)!);
      assert.ok(got.messages > 0 && got.wakes > 0, JSON.stringify(got));
      assert.equal(got.bytes % 188, 0, "whole TS packets");
      assert.ok(got.bytes <= sent, `${got.bytes} of ${sent}`);
      // the caller's close ends the read; what TSBPD still held (120 ms) is not read
      const tailBytes = (sent / lg.elapsedSec) * 0.12;
      assert.ok(got.bytes >= sent - 2 * tailBytes - 1316, `${got.bytes} of ${sent}`);
    } finally {
      try {
        floor.kill();
      } catch { /* exited */ }
    }
  },
});
