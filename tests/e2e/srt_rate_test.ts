/**
 * A contribution-rate SRT stream (~100 Mb/s: srt-live-transmit fed the fixture TS from a
 * paced pipe) into a sluice process with `srt.read_interval: 30ms` arrives whole: the
 * stream's byte count equals what was sent and libsrt dropped nothing. A wake-up reads
 * more than one 64-message batch from a socket (lib/transport/srt/connection.ts
 * DRAIN_MAX_BATCHES); with one batch per wake sluice could read 2.8 MB/s, fell behind,
 * and libsrt 1.5's receive and TSBPD threads then deadlocked its reading thread. sluice
 * runs as its own process so that such a hang fails this test (the API stops answering)
 * instead of stopping it.
 */

import assert from "node:assert/strict";
import { freePort, missing, readFixture, stopChild } from "@tests/_helpers.ts";
import { sleep, within } from "./srt_harness.ts";
import { until } from "./_server.ts";

/**
 * sluice as `deno run main.ts` (not `deno task`: a task runner would take the SIGKILL
 * and leave a hung sluice behind) with `yaml` added to loopback ports.
 */
async function startSluice(yaml: string) {
  const srtPort = freePort("udp"), apiPort = freePort("tcp");
  const cfg = await Deno.makeTempFile({ suffix: ".yaml" });
  await Deno.writeTextFile(
    cfg,
    `ingestion:\n  bind: 127.0.0.1\n  srt_port: ${srtPort}\n  rtp_port: ${freePort("udp") & ~1}\n` +
      `api:\n  listen: 127.0.0.1:${apiPort}\nlog:\n  level: warn\n${yaml}`,
  );
  const main = new URL("../../main.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--unstable-net", "--allow-all", main, "--config", cfg],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const get = async (path: string) => {
    const r = await fetch(`http://127.0.0.1:${apiPort}${path}`, {
      signal: AbortSignal.timeout(2000),
    });
    return await r.json() as Record<string, unknown>;
  };
  const stop = async () => {
    await stopChild(child, 3000);
    await Deno.remove(cfg).catch(() => {});
  };
  const up = await until(() => get("/api/v1/health").then(() => true, () => false), 20_000);
  if (!up) {
    await stop();
    throw new Error("sluice did not answer /api/v1/health");
  }
  return { srtPort, get, stop };
}

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
    const s = await startSluice("srt:\n  read_interval: 30ms\n");
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
