/**
 * UDP multicast output read by ffmpeg, with no packet leaving the machine: sluice, the
 * publisher (ffmpeg over SRT) and the reader (ffmpeg joined to 239.1.1.1 on lo) all run in
 * a network namespace made for the test (tests/e2e/_netns.ts) where only `lo` exists and
 * no route covers 239.0.0.0/8. The output names its interface with `?localaddr=127.0.0.1`
 * (IP_MULTICAST_IF, lib/outputs/udp_sender.ts); a second output to another group without
 * it has no route and says so (ENETUNREACH, backoff) instead of sending anywhere. The
 * reader's capture is checked with ffprobe against the fixture's packet tables and decoded.
 */
import assert from "node:assert/strict";
import { fixture, freePort, missing, readPacketsCsv } from "../_helpers.ts";
import { ffmpegSend, finish, type Peer, spawn } from "./srt_harness.ts";
import { type SluiceProcess, spawnSluice, until } from "./_server.ts";
import { createNetns, noNetns } from "./_netns.ts";
import { decode, probePackets } from "../unit/container/mpegts/_mux.ts";

type Json = Record<string, unknown>;
const H264 = "ts/h264_aac.ts";
const GROUP = "239.1.1.1";

Deno.test({
  name:
    "outputs: UDP multicast (localaddr=127.0.0.1) read by ffmpeg in a namespace with only lo; ffprobe counts the input's frames",
  ignore: noNetns() || missing("ffmpeg", "ffprobe", "curl"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const ns = await createNetns("mcast");
    const dir = await Deno.makeTempDir();
    const peers: Peer[] = [];
    let sluice: SluiceProcess | undefined;
    try {
      const port = freePort("udp");
      sluice = await spawnSluice(
        `outputs:\n` +
          `  - name: mc\n    stream: cam1\n` +
          `    url: "udp://${GROUP}:${port}?ttl=1&localaddr=127.0.0.1"\n` +
          `  - name: noif\n    stream: cam1\n    url: "udp://239.1.1.2:${port}?ttl=1"\n` +
          `    retry: { initial: 100ms, max: 1s }\n`,
        { netns: ns },
      );
      const output = async (name: string) => await sluice!.get(`/api/v1/outputs/${name}`);
      // the reader joins the group on lo (no route needed for that: localaddr names lo)
      const rx = spawn(
        ...ns.wrap("ffmpeg", [
          "-v",
          "error",
          "-y",
          "-i",
          `udp://${GROUP}:${port}?localaddr=127.0.0.1&timeout=2000000&fifo_size=100000`,
          "-c",
          "copy",
          "-f",
          "mpegts",
          `${dir}/mc.ts`,
        ]),
      );
      peers.push(rx);
      const joined = await until(async () => {
        const r = await new Deno.Command("ip", {
          args: ["netns", "exec", ns.name, "ip", "maddr", "show", "dev", "lo"],
          stdout: "piped",
        }).output();
        return new TextDecoder().decode(r.stdout).includes(GROUP);
      });
      assert.ok(joined, `ffmpeg joined ${GROUP} on lo`);
      const url = `srt://127.0.0.1:${sluice.srtPort}?pkt_size=1316&linger=2&streamid=cam1`;
      const tx = spawn(...ns.wrap("ffmpeg", ffmpegSend(fixture(H264), url)));
      peers.push(tx);
      const sent = await finish(tx, 15_000);
      assert.equal(sent.code, 0, `publisher: ${sent.stderr}`);
      assert.ok(
        await until(async () => (await output("mc")).frames === 155, 5000),
        "the multicast output sent every frame",
      );
      const mc = await output("mc");
      assert.equal(mc.state, "connected");
      assert.deepEqual(mc.drops, {});
      // without localaddr the namespace has no route to a group: counted, not sent elsewhere
      const noif = await output("noif");
      assert.match(String(noif.lastError), /ENETUNREACH/);
      assert.ok(
        ["backoff", "connecting", "open"].includes(noif.state as string),
        String(noif.state),
      );
      assert.equal(noif.frames, 0);
      const h = await sluice.get("/api/v1/health");
      assert.deepEqual((h.outputs as Json).down, ["noif"]);

      // the reader stops 2 s after the last datagram
      const got = await finish(rx, 10_000);
      assert.equal(got.timedOut, false, "reader ended on its own");
      const ov = readPacketsCsv(`${H264}.v.packets.csv`);
      const oa = readPacketsCsv(`${H264}.a.packets.csv`);
      const file = `${dir}/mc.ts`;
      const v = probePackets(file, "v:0"), a = probePackets(file, "a:0");
      assert.deepEqual(
        v.map((x) => [x.pts - v[0].pts, x.key]),
        ov.map((x) => [x.pts - ov[0].pts, x.key]),
        "the group carries the input's video frames, keyframes in place",
      );
      assert.equal(a.length, oa.length, "and its audio frames");
      const d = decode(file);
      assert.equal(d.stderr, "");
      assert.equal(d.video, ov.length, "every video frame decodes");
      assert.equal(d.audio, oa.length, "every audio frame decodes");
    } finally {
      for (const p of peers) p.kill();
      await Promise.all(peers.map((p) => p.status));
      await sluice?.stop();
      await ns.remove();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
