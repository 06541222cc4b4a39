/**
 * Push relays end to end with real receivers on loopback: remux over SRT into
 * srt-live-transmit and an ffmpeg SRT listener (ffprobe sees the input's frame counts and
 * keyframes; frames decode); passthrough byte-identical to the input TS; an RTP H.264
 * input pushed as TS over UDP read by ffmpeg; a receiver killed and restarted (growing
 * retry delays, resume at a keyframe, ingest untouched); an unreachable target opening
 * the breaker and half-opening after the cooldown; outputs added/removed by a reload.
 */
import assert from "node:assert/strict";
import { fixture, freePort, missing, readFixture, readPacketsCsv } from "../_helpers.ts";
import { ffmpegSend, finish, sleep, spawn } from "./srt_harness.ts";
import { startTestServer, type TestServer, until } from "./_server.ts";
import { decode, probePackets } from "../unit/container/mpegts/_mux.ts";
import type { BusEvent } from "../../lib/stream/events.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
type Json = Record<string, unknown>;
const H264 = "ts/h264_aac.ts";

function outputsYaml(list: string[]): string {
  return `outputs:\n${list.map((o) => `  - ${o.trim().split("\n").join("\n    ")}`).join("\n")}\n`;
}

async function output(ts: TestServer, name: string): Promise<Json> {
  return await ts.get(`/api/v1/outputs/${name}`);
}

/** srt-live-transmit listening on `port`, writing what it receives to `file`. */
function sltListener(port: number, file: string) {
  return spawn("sh", [
    "-c",
    `exec srt-live-transmit -q 'srt://127.0.0.1:${port}?mode=listener' file://con > '${file}'`,
  ]);
}

Deno.test({
  name:
    "outputs: remux over SRT into srt-live-transmit and an ffmpeg listener; ffprobe counts the input's frames",
  ignore: missing("ffmpeg", "ffprobe", "srt-live-transmit"),
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir();
    const p1 = freePort("udp"), p2 = freePort("udp");
    const slt = sltListener(p1, `${dir}/slt.ts`);
    const ff = spawn("ffmpeg", [
      "-v",
      "error",
      "-y",
      "-i",
      `srt://127.0.0.1:${p2}?mode=listener`,
      "-c",
      "copy",
      "-f",
      "mpegts",
      `${dir}/ff.ts`,
    ]);
    await sleep(500);
    const ts = await startTestServer(outputsYaml([
      `name: slt\nstream: cam1\nurl: "srt://127.0.0.1:${p1}?latency=120ms"`,
      `name: ff\nstream: "cam*"\nurl: "srt://127.0.0.1:${p2}"`,
    ]));
    try {
      const url = `srt://127.0.0.1:${ts.srtPort}?pkt_size=1316&linger=2&streamid=cam1`;
      const sender = spawn("ffmpeg", [
        "-hide_banner",
        "-loglevel",
        "error",
        "-re",
        "-i",
        fixture(H264),
        "-c",
        "copy",
        "-f",
        "mpegts",
        url,
      ]);
      assert.ok(
        await until(async () => (await output(ts, "slt")).state === "connected"),
        "slt connected",
      );
      assert.equal((await finish(sender, 15_000)).code, 0);
      await until(async () => (await output(ts, "slt")).frames === 155, 5000);
      await sleep(600); // receivers' latency window
      const o = await output(ts, "slt");
      assert.equal(o.frames, 155, "60 video + 95 audio frames sent");
      assert.deepEqual(o.drops, {});
      assert.ok((o.bytes as number) > 100_000);
      // the stream goes away: relays stop, receivers see the end
      await fetch(`${ts.url}/api/v1/streams/cam1`, { method: "DELETE" });
      assert.ok(await until(async () => (await output(ts, "ff")).state === "idle"));
      await finish(ff, 8000);
      slt.kill("SIGINT");
      await slt.status;
      const ov = readPacketsCsv(`${H264}.v.packets.csv`),
        oa = readPacketsCsv(`${H264}.a.packets.csv`);
      for (const f of [`${dir}/slt.ts`, `${dir}/ff.ts`]) {
        const v = probePackets(f, "v:0"), a = probePackets(f, "a:0");
        // the relays carry the stream's output timeline (from 0): compare from the first frame
        assert.deepEqual(
          v.map((x) => [x.pts - v[0].pts, x.key]),
          ov.map((x) => [x.pts - ov[0].pts, x.key]),
          `${f} video`,
        );
        assert.equal(a.length, oa.length, `${f} audio`);
        const d = decode(f);
        assert.equal(d.video, ov.length, `${f} decodes`);
      }
    } finally {
      slt.kill();
      ff.kill();
      await Promise.all([slt.status, ff.status]);
      await ts.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "outputs: passthrough forwards the SRT input's own TS packets byte for byte",
  ignore: missing("srt-live-transmit"),
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir();
    const port = freePort("udp");
    const slt = sltListener(port, `${dir}/out.ts`);
    await sleep(300);
    const ts = await startTestServer(outputsYaml([
      `name: pt\nstream: cam3\nmode: passthrough\nurl: "srt://127.0.0.1:${port}"`,
    ]));
    const file = readFixture(H264);
    const src = spawn("sh", [
      "-c",
      `exec srt-live-transmit -q file://con 'srt://127.0.0.1:${ts.srtPort}?streamid=cam3'`,
    ], "piped");
    try {
      assert.ok(await until(async () => (await output(ts, "pt")).state === "connected"));
      const w = src.child.stdin.getWriter();
      for (let o = 0; o < file.length; o += 1316 * 8) {
        await w.write(file.subarray(o, o + 1316 * 8));
        await sleep(5);
      }
      await w.close();
      await finish(src, 5000);
      // srt-live-transmit may lose its last messages at EOF: compare with what sluice received
      const received = (await ts.get("/api/v1/streams/cam3")).bytes as number;
      assert.ok(received > file.length * 0.9, `sluice received ${received} of ${file.length}`);
      const whole = received - (received % 188);
      assert.ok(await until(async () => (await output(ts, "pt")).bytes === whole, 5000));
      await sleep(500);
      slt.kill("SIGINT");
      await slt.status;
      const got = await Deno.readFile(`${dir}/out.ts`);
      assert.equal(got.length, whole);
      assert.ok(got.every((b, i) => b === file[i]), "byte-identical to the input");
    } finally {
      src.kill();
      slt.kill();
      await Promise.all([src.status, slt.status]);
      await ts.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "outputs: an RTP H.264 input pushed as TS over UDP is read and decoded by ffmpeg",
  ignore: missing("ffmpeg", "ffprobe"),
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir();
    const port = freePort("udp");
    const rx = spawn("ffmpeg", [
      "-v",
      "error",
      "-y",
      "-i",
      `udp://127.0.0.1:${port}?timeout=3000000&fifo_size=100000`,
      "-c",
      "copy",
      "-f",
      "mpegts",
      `${dir}/udp.ts`,
    ]);
    await sleep(500);
    const ts = await startTestServer(
      `rtp:\n  streams:\n    - { ssrc: 0x1234, name: rtpcam, payload_types: { 96: "H264/90000" } }\n` +
        outputsYaml([`name: lan\nstream: rtpcam\nurl: "udp://127.0.0.1:${port}?ttl=1"`]),
    );
    try {
      const tx = spawn("ffmpeg", [
        "-v",
        "error",
        "-re",
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=320x240:rate=25:duration=3",
        "-c:v",
        "libx264",
        "-g",
        "25",
        "-bf",
        "0",
        "-ssrc",
        String(0x1234),
        "-payload_type",
        "96",
        "-f",
        "rtp",
        `rtp://127.0.0.1:${ts.rtpPort}`,
      ]);
      assert.equal((await finish(tx, 20_000)).code, 0);
      await finish(rx, 10_000);
      const o = await output(ts, "lan");
      const d = decode(`${dir}/udp.ts`);
      assert.equal(d.stderr, "");
      assert.ok(d.video >= 50, `ffmpeg decoded ${d.video} frames of 75 (sent ${o.frames})`);
      assert.ok(probePackets(`${dir}/udp.ts`, "v:0")[0].key, "starts at a keyframe");
    } finally {
      rx.kill();
      await rx.status;
      await ts.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "outputs: receiver killed and restarted -> growing retry delays, resume at a keyframe, ingest untouched",
  ignore: missing("ffmpeg", "ffprobe", "srt-live-transmit"),
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir();
    const port = freePort("udp");
    let slt = sltListener(port, `${dir}/a.ts`);
    await sleep(300);
    const ts = await startTestServer(outputsYaml([
      `name: up\nstream: cam4\nurl: "srt://127.0.0.1:${port}?connect_timeout=200ms"\nretry: { initial: 100ms, max: 5s, multiplier: 2 }\nbreaker: { failures: 50, cooldown: 1s }`,
    ]));
    const events: BusEvent[] = [];
    ts.server.manager.events.subscribe((e) => e.type === "output.state" && events.push(e));
    const url = `srt://127.0.0.1:${ts.srtPort}?pkt_size=1316&streamid=cam4`;
    const sender = spawn("ffmpeg", ffmpegSend(fixture(H264), url, true));
    try {
      assert.ok(await until(async () => (await output(ts, "up")).state === "connected"));
      await sleep(1000);
      const before = (await ts.get("/api/v1/streams/cam4")).drops;
      slt.kill("SIGKILL");
      await slt.status;
      // libsrt notices the dead peer after its idle timeout, then retries back off
      assert.ok(await until(async () => ((await output(ts, "up")).retries as number) >= 5, 20_000));
      const delays = events.map((e) => (e.data as Json).retryInMs as number | undefined)
        .filter((d) => d !== undefined) as number[];
      assert.ok(delays.length >= 4, `backoff delays ${delays}`);
      for (let i = 0; i + 2 < delays.length; i++) {
        assert.ok(delays[i + 2] > delays[i], `retry delays grow (equal jitter): ${delays}`);
      }
      assert.equal((await output(ts, "up")).state, "backoff");
      slt = sltListener(port, `${dir}/b.ts`);
      assert.ok(await until(async () => (await output(ts, "up")).state === "connected", 10_000));
      await sleep(1500);
      const s = await ts.get("/api/v1/streams/cam4");
      assert.deepEqual(s.drops, before, "ingest lost nothing while the output was down");
      assert.equal(s.state, "active");
      slt.kill("SIGINT");
      await slt.status;
      const v = probePackets(`${dir}/b.ts`, "v:0");
      assert.ok(v.length > 10 && v[0].key, "after reconnecting the output starts at a keyframe");
    } finally {
      sender.kill();
      slt.kill();
      await Promise.all([sender.status, slt.status]);
      await ts.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "outputs: unreachable target opens the breaker, half-opens after the cooldown; reload adds and removes outputs",
  ignore: missing("ffmpeg"),
  ...opts,
  async fn() {
    const dead = freePort("udp");
    const ts = await startTestServer(outputsYaml([
      `name: dead\nstream: cam5\nurl: "srt://127.0.0.1:${dead}?connect_timeout=100ms"\nretry: { initial: 20ms, max: 100ms }\nbreaker: { failures: 3, cooldown: 1s }`,
    ]));
    const events: BusEvent[] = [];
    ts.server.manager.events.subscribe((e) => e.type === "output.state" && events.push(e));
    const url = `srt://127.0.0.1:${ts.srtPort}?pkt_size=1316&streamid=cam5`;
    const sender = spawn("ffmpeg", ffmpegSend(fixture(H264), url, true));
    const cfgFile = await Deno.makeTempFile({ suffix: ".yaml" });
    try {
      assert.ok(await until(async () => (await output(ts, "dead")).state === "open", 10_000));
      let o = await output(ts, "dead");
      assert.equal((o.breaker as Json).state, "open");
      assert.equal(o.retries, 3);
      assert.ok(o.nextAttemptAt && o.lastError);
      const h = await ts.get("/api/v1/health");
      assert.equal(h.status, "degraded");
      assert.deepEqual((h.outputs as Json).down, ["dead"]);
      const opened = events.find((e) => (e.data as Json).to === "open")!.time;
      assert.ok(
        await until(async () => ((await output(ts, "dead")).breaker as Json).opened === 2, 5000),
      );
      const halfOpen = events.filter((e) =>
        (e.data as Json).to === "connecting" && e.time > opened
      )[0];
      assert.ok(
        halfOpen && halfOpen.time - opened >= 950,
        "one half-open attempt after the 1 s cooldown",
      );
      o = await output(ts, "dead");
      assert.equal(o.retries, 4, "exactly one half-open attempt");
      const m = await (await fetch(`${ts.url}/metrics`)).text();
      assert.match(m, /sluice_output_breaker_open\{output="dead"\} 1/);
      assert.match(m, /sluice_output_state\{output="dead",state="open"\} 1/);
      // reload: "dead" goes, "lan" comes (UDP needs no listener)
      const cfg = ts.server.manager.config;
      const lan = freePort("udp");
      await Deno.writeTextFile(
        cfgFile,
        `ingestion:\n  bind: 127.0.0.1\n  srt_port: ${cfg.ingestion.srtPort}\n  rtp_port: ${cfg.ingestion.rtpPort}\napi:\n  listen: 127.0.0.1:0\n` +
          outputsYaml([`name: lan\nstream: "*"\nurl: "udp://127.0.0.1:${lan}"`]),
      );
      await ts.server.reload(cfgFile);
      assert.ok(ts.logs.some((l) =>
        l.includes("outputs.reloaded") && l.includes("added=lan") && l.includes("removed=dead")
      ));
      assert.equal((await fetch(`${ts.url}/api/v1/outputs/dead`)).status, 404);
      assert.ok(
        await until(async () =>
          (await output(ts, "lan")).state === "connected"
        ),
      );
      assert.ok(await until(async () => ((await output(ts, "lan")).bytes as number) > 0));
      const r = await fetch(`${ts.url}/api/v1/outputs/lan/restart`, { method: "POST" });
      assert.equal(r.status, 200);
      assert.equal((await ts.get("/api/v1/health")).status, "ok");
    } finally {
      sender.kill();
      await sender.status;
      await ts.stop();
      await Deno.remove(cfgFile);
    }
  },
});
