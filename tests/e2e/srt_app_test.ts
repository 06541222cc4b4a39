/**
 * SRT end to end through the whole appliance: ffmpeg publishes real TS files; the API
 * shows the stream with codec, resolution and frame counts equal to ffprobe's for the
 * same file, SRT link stats, a decodable preview; allowlist, passphrases, duplicate
 * publishers, API disconnects and killed senders behave as an operator expects.
 */
import assert from "node:assert/strict";
import { assertPictureDecodes, fixture, missing } from "@tests/_helpers.ts";
import { ffmpegSend, finish, spawn } from "./srt_harness.ts";
import { startTestServer, type TestServer, until } from "./_server.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
type Json = Record<string, unknown>;

function send(ts: TestServer, file: string, query: string, loop = false) {
  const url = `srt://127.0.0.1:${ts.srtPort}?pkt_size=1316&linger=2&${query}`;
  return spawn("ffmpeg", ffmpegSend(file, url, loop));
}

/** ffprobe's view of a file: per stream codec, size and packet count. */
async function probe(file: string): Promise<Json[]> {
  const out = await new Deno.Command("ffprobe", {
    args: ["-v", "error", "-count_packets", "-show_streams", "-of", "json", file],
    stdout: "piped",
  }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).streams;
}

const CODEC: Record<string, string> = { h264: "h264", hevc: "h265", aac: "aac" };

Deno.test({
  name: "srt e2e: what ffmpeg publishes shows up exactly as ffprobe counts it, preview decodes",
  ignore: missing("ffmpeg", "ffprobe"),
  ...opts,
  async fn() {
    const ts = await startTestServer();
    try {
      const cases: [string, string, string][] = [
        ["ts/h264_aac.ts", "streamid=cam1", "cam1"],
        ["ts/hevc_aac.ts", "streamid=#!::r=cam2,m=publish,u=alice", "cam2"],
      ];
      for (const [file, query, id] of cases) {
        const peer = send(ts, fixture(file), query);
        const r = await finish(peer, 20_000);
        assert.equal(r.code, 0, r.stderr);
        const s = await until(async () => {
          const s = await ts.get(`/api/v1/streams/${id}`);
          return s.state === "closed" ? s : undefined;
        });
        assert.ok(s, `${id} closed after the sender finished`);
        assert.equal(s.protocol, "srt");
        assert.equal(s.closeReason, "peer_closed");
        if (id === "cam2") {
          assert.equal(s.streamId, "#!::r=cam2,m=publish,u=alice");
          assert.equal(s.user, "alice");
        }
        assert.deepEqual(s.errors, {}, "clean input, no errors");
        const tracks = s.tracks as Json[];
        for (const p of await probe(fixture(file))) {
          const t = tracks.find((t) => t.codec === CODEC[p.codec_name as string]);
          assert.ok(t, `track for ${p.codec_name}`);
          assert.equal(t.frames, Number(p.nb_read_packets), `${id} ${p.codec_name} frames`);
          if (p.codec_type === "video") {
            assert.equal(t.width, p.width);
            assert.equal(t.height, p.height);
            assert.equal(t.keyframes, 2);
          } else {
            assert.equal(t.sampleRate, Number(p.sample_rate));
            assert.equal(t.channels, p.channels);
          }
        }
        const tr = s.transport as Json;
        assert.equal(typeof tr.rttMs, "number");
        assert.equal(tr.packetsLost, 0);
        assert.equal(tr.keyState, "unsecured");
        const buf = await ts.get(`/api/v1/video/buffer/${id}`);
        const frames = buf.frames as Json[];
        assert.ok(frames.length > 0 && frames[0].key === true, "buffer starts at a keyframe");
        const prev = await fetch(`${ts.url}/api/v1/video/preview/${id}`);
        assert.equal(prev.status, 200);
        assert.equal(
          prev.headers.get("x-codec"),
          CODEC[(await probe(fixture(file)))[0].codec_name as string],
        );
        await assertPictureDecodes(
          new Uint8Array(await prev.arrayBuffer()),
          id === "cam1" ? ".h264" : ".hevc",
        );
      }
      const metrics = await (await fetch(`${ts.url}/metrics`)).text();
      assert.match(
        metrics,
        /sluice_track_frames_total\{stream="cam1",protocol="srt",track="256",kind="video",codec="h264"\} 60/,
      );
    } finally {
      await ts.stop();
    }
  },
});

Deno.test({
  name: "srt e2e: allowlist, passphrase, duplicate publisher, API delete and a killed sender",
  ignore: missing("ffmpeg"),
  ...opts,
  async fn() {
    const ts = await startTestServer(
      `srt:\n  streams:\n    cam1: { passphrase: "cam1-secret-pass" }\n    cam2: {}\n`,
    );
    const peers: ReturnType<typeof spawn>[] = [];
    try {
      const file = fixture("ts/h264_aac.ts");
      const refused = async (query: string) => {
        const r = await finish(send(ts, file, query), 15_000);
        assert.notEqual(r.code, 0, `${query} must be refused`);
      };
      await refused("streamid=cam3");
      await refused("streamid=cam1");
      await refused("streamid=cam1&passphrase=wrong-pass-phrase&pbkeylen=16");
      const good = await finish(
        send(ts, file, "streamid=cam1&passphrase=cam1-secret-pass&pbkeylen=16"),
        20_000,
      );
      assert.equal(good.code, 0, good.stderr);
      const cam1 = await until(async () => {
        const s = await ts.get("/api/v1/streams/cam1");
        return s.state === "closed" ? s : undefined;
      });
      assert.ok(cam1);
      assert.equal((cam1.transport as Json).keyState, "secured");
      assert.equal((cam1.tracks as Json[])[0].frames, 60);

      const long = send(ts, file, "streamid=cam2", true);
      peers.push(long);
      assert.ok(await until(async () => (await ts.get("/api/v1/streams/cam2")).state === "active"));
      await refused("streamid=cam2");
      const stats = await ts.get("/api/v1/stats");
      const ref = stats.refused as Record<string, number>;
      assert.equal(ref.srt_not_allowed, 1);
      assert.equal(ref.srt_duplicate, 1);
      const metrics = await (await fetch(`${ts.url}/metrics`)).text();
      assert.match(
        metrics,
        /sluice_streams_refused_total\{protocol="srt",reason="not_allowed"\} 1/,
      );
      assert.match(metrics, /sluice_streams_refused_total\{protocol="srt",reason="duplicate"\} 1/);

      const del = await fetch(`${ts.url}/api/v1/streams/cam2`, { method: "DELETE" });
      assert.equal(del.status, 200);
      await del.body?.cancel();
      const r = await finish(long, 10_000);
      assert.equal(r.timedOut, false, "the publisher was disconnected");
      assert.equal((await fetch(`${ts.url}/api/v1/streams/cam2`)).status, 404);

      const killed = send(ts, file, "streamid=cam2", true);
      peers.push(killed);
      assert.ok(await until(async () => (await ts.get("/api/v1/streams/cam2")).state === "active"));
      killed.kill("SIGKILL");
      const closed = await until(async () => {
        const s = await ts.get("/api/v1/streams/cam2");
        return s.state === "closed" ? s : undefined;
      }, 15_000);
      assert.ok(closed, "a killed sender closes the stream");
      assert.ok((closed.bytes as number) > 0, "counters kept");
      assert.ok(((closed.tracks as Json[])[0].frames as number) > 0);
    } finally {
      for (const p of peers) p.kill();
      await ts.stop();
    }
  },
});
