/**
 * A contribution-rate SRT stream (~100 Mb/s: srt-live-transmit fed the fixture TS from a
 * paced pipe) into a sluice process with `srt.read_interval: 30ms` arrives whole: the
 * stream's byte count equals what was sent and libsrt dropped nothing. A wake-up reads
 * more than one 64-message batch from a socket (lib/transport/srt/connection.ts
 * DRAIN_MAX_BATCHES); with one batch per wake sluice could read 2.8 MB/s, fell behind,
 * and libsrt 1.5's receive and TSBPD threads then deadlocked its reading thread. sluice
 * runs as its own process so that such a hang fails this test (the API stops answering)
 * instead of stopping it; since then the watchdog (lib/app/watchdog/) would also end it
 * after 30 s.
 */

import assert from "node:assert/strict";
import { missing, readFixture } from "@tests/_helpers.ts";
import { sleep, within } from "./srt_harness.ts";
import { spawnSluice, until } from "./_server.ts";

/** The fixture is 90 SRT payloads of 1316 bytes; 267 copies: 31.6 MB, ~2.5 s at 100 Mb/s. */
const COPIES = 267;
/** Written per step, and the pause between steps: ~13 MB/s. */
const STEP = 1316 * 40;
const PAUSE_MS = 4;

Deno.test({
  name: "srt e2e: ~100 Mb/s into sluice read every 30 ms arrives whole, nothing dropped",
  ignore: missing("srt-live-transmit"),
  async fn() {
    const one = readFixture("ts/h264_aac.ts");
    assert.equal(one.length % 1316, 0);
    const file = new Uint8Array(one.length * COPIES);
    for (let i = 0; i < COPIES; i++) file.set(one, i * one.length);
    // direct: a hung sluice must get the SIGKILL itself, not a task runner
    const s = await spawnSluice("srt:\n  read_interval: 30ms\n", { direct: true });
    const p = new Deno.Command("srt-live-transmit", {
      args: ["-a:no", "-q", "-chunk:1316", "file://con"]
        .concat([`srt://127.0.0.1:${s.srtPort}?streamid=fast&linger=2`]),
      stdin: "piped",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const api = async (path: string) => {
      const r = await within(s.get(path), 2000);
      assert.notEqual(r, "timeout", `sluice stopped answering ${path}`);
      return r as Record<string, unknown>;
    };
    const stream = async () =>
      ((await api("/api/v1/streams")).streams as Record<string, unknown>[])
        .find((x) => x.id === "fast");
    try {
      assert.ok(await until(stream, 5000), "srt-live-transmit connected");
      const w = p.stdin.getWriter();
      // A receiver that falls behind stalls the sender (SRT flow control), then its pipe.
      const deadline = Date.now() + 20_000;
      for (let o = 0; o < file.length; o += STEP) {
        const wrote = await within(w.write(file.subarray(o, o + STEP)), 5000);
        assert.ok(wrote !== "timeout" && Date.now() < deadline, `sender stalled at byte ${o}`);
        await sleep(PAUSE_MS);
      }
      await w.close();
      const done = await until(async () => (await stream())?.bytes === file.length, 10_000);
      const got = await stream();
      assert.ok(done, `bytes ${got?.bytes} of ${file.length}`);
      const t = got?.transport as Record<string, number>;
      assert.equal(t.packetsDropped, 0, "libsrt dropped none");
    } finally {
      try {
        p.kill("SIGKILL");
      } catch { /* exited */ }
      await p.status;
      await s.stop();
    }
  },
});
