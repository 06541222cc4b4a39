/**
 * Memory limits and backpressure through a running sluice with real ffmpeg SRT publishers:
 * the per-stream limit bounds a stream's GOP buffer (which still starts on a key frame)
 * and its drops are counted; the global limit sheds whole GOPs so the total is under the
 * limit after every housekeeping tick; max_connections refuses a second publisher of
 * either protocol with the reason in stats; pause stops buffering and resume restarts at a
 * key frame.
 */
import assert from "node:assert/strict";
import { fixture, missing, readFixture } from "@tests/_helpers.ts";
import { finish, type Peer, spawn } from "./srt_harness.ts";
import { startTestServer, type TestServer, until } from "./_server.ts";
import { parseCapture, replay } from "@tests/support/replay.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
type Json = Record<string, unknown>;
type Counts = Record<string, number>;
type Frame = { index: number; track: number; key: boolean; size: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** PID of the H.264 track of h264_aac.ts (ffprobe: stream 0, id 0x100). */
const VIDEO = 256;

/** ffmpeg publishing h264_aac.ts in a loop (GOP of 30 frames, 1 s at `rate` 1). */
function loopSender(ts: TestServer, id: string, rate = 1): Peer {
  return spawn("ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-readrate",
    String(rate),
    "-stream_loop",
    "-1",
    "-i",
    fixture("ts/h264_aac.ts"),
    "-c",
    "copy",
    "-f",
    "mpegts",
    `srt://127.0.0.1:${ts.srtPort}?pkt_size=1316&streamid=${id}`,
  ]);
}

async function active(ts: TestServer, id: string): Promise<Json> {
  const s = await until(async () => {
    const s = await ts.get(`/api/v1/streams/${id}`);
    return s.state === "active" ? s : undefined;
  }, 10_000);
  assert.ok(s, `${id} active`);
  return s;
}

async function frames(ts: TestServer, id: string, q = ""): Promise<Frame[]> {
  return (await ts.get(`/api/v1/video/buffer/${id}${q}`)).frames as Frame[];
}

async function stopAll(peers: Peer[]): Promise<void> {
  for (const p of peers) p.kill();
  await Promise.all(peers.map((p) => p.status));
}

Deno.test({
  name: "limits: a tiny per_stream_limit bounds the GOP buffer, which starts on a key frame",
  ignore: missing("ffmpeg"),
  ...opts,
  async fn() {
    const limit = 64 * 1024; // the smallest per_stream_limit the config allows
    const ts = await startTestServer(
      `ingestion:\n  gop_buffer_size: 1\n  memory:\n    per_stream_limit: 64KB\n`,
    );
    const peers: Peer[] = [];
    try {
      assert.equal(ts.server.manager.config.ingestion.memory.perStreamLimit, limit);
      peers.push(loopSender(ts, "tiny", 2));
      await active(ts, "tiny");
      // in process: the store's size after every single frame
      const store = ts.server.manager.get("tiny")!.frameSink!;
      let maxAfterPush = 0;
      const push = store.push.bind(store);
      store.push = (au) => {
        push(au);
        maxAfterPush = Math.max(maxAfterPush, store.bytes);
      };
      let polls = 0;
      let nonEmpty = 0;
      const end = performance.now() + 4500;
      while (performance.now() < end) {
        const s = await ts.get("/api/v1/streams/tiny");
        assert.ok((s.bufferedBytes as number) <= limit, `bufferedBytes ${s.bufferedBytes}`);
        const all = await frames(ts, "tiny");
        const held = all.reduce((a, f) => a + f.size, 0);
        assert.ok(held <= limit, `frames in the index hold ${held} bytes`);
        const v = all.filter((f) => f.track === VIDEO);
        if (v.length) {
          nonEmpty++;
          assert.equal(v[0].key, true, `buffer starts on a key frame (poll ${polls})`);
        }
        polls++;
        await sleep(40);
      }
      assert.ok(polls > 20 && nonEmpty > polls / 4, `${nonEmpty}/${polls} polls saw frames`);
      assert.ok(maxAfterPush > 0 && maxAfterPush <= limit, `max after push ${maxAfterPush}`);
      const s = await ts.get("/api/v1/streams/tiny");
      const drops = s.drops as Counts;
      assert.ok(
        (drops.gop_evicted_bytes ?? 0) + (drops.gop_oversize ?? 0) > 0,
        `byte-limit drops counted: ${JSON.stringify(drops)}`,
      );
      const metrics = await (await fetch(`${ts.url}/metrics`)).text();
      assert.match(
        metrics,
        /sluice_stream_drops_total\{stream="tiny",protocol="srt",reason="gop_(evicted_bytes|oversize)"\} [1-9]/,
      );
    } finally {
      await stopAll(peers);
      await ts.stop();
    }
  },
});

Deno.test({
  name: "limits: a small global_limit sheds whole GOPs; never over the limit, at frames or ticks",
  ignore: missing("ffmpeg"),
  ...opts,
  async fn() {
    const limit = 1024 * 1024; // the smallest global_limit the config allows
    const ts = await startTestServer(
      `ingestion:\n  gop_buffer_size: 100\n  memory:\n    global_limit: 1MB\n    per_stream_limit: 1MB\n`,
    );
    const peers: Peer[] = [];
    try {
      const m = ts.server.manager;
      const before: number[] = [];
      const after: number[] = [];
      const tick = m.tick.bind(m);
      m.tick = () => {
        before.push(m.bufferedBytes);
        tick();
        after.push(m.bufferedBytes);
      };
      peers.push(loopSender(ts, "ga", 8), loopSender(ts, "gb", 8));
      await active(ts, "ga");
      await active(ts, "gb");
      // enforced when a frame is admitted (lib/stream/global_memory.ts): the total never passes the
      // limit, not even between two 500 ms ticks
      const ok = await until(() => before.some((b) => b > limit * 0.75), 12_000);
      assert.ok(ok, "the two streams together reach the global limit");
      const mark = after.length;
      await sleep(2000);
      assert.ok(after.length - mark >= 3, "ticks ran");
      assert.ok(Math.max(...before) <= limit, `before each tick: max ${Math.max(...before)}`);
      assert.ok(Math.max(...after) <= limit, `after each tick: max ${Math.max(...after)}`);
      const shed = await Promise.all(["ga", "gb"].map(async (id) => {
        const s = await ts.get(`/api/v1/streams/${id}`);
        return (s.drops as Counts).gop_evicted_global ?? 0;
      }));
      assert.ok(shed[0] + shed[1] > 0, `gop_evicted_global ${shed}`);
      for (const id of ["ga", "gb"]) {
        const v = await frames(ts, id, `?track=${VIDEO}`);
        if (v.length) assert.equal(v[0].key, true, `${id}: shedding keeps whole GOPs`);
      }
      const st = await ts.get("/api/v1/stats");
      assert.equal((st.memory as Json).globalLimitBytes, limit);
    } finally {
      await stopAll(peers);
      await ts.stop();
    }
  },
});

Deno.test({
  name: "limits: max_connections 1 refuses a second SRT or RTP publisher, reason in stats",
  ignore: missing("ffmpeg"),
  ...opts,
  async fn() {
    const ts = await startTestServer(`ingestion:\n  max_connections: 1\n`);
    const peers: Peer[] = [];
    try {
      peers.push(loopSender(ts, "first"));
      await active(ts, "first");
      const second = await finish(loopSender(ts, "second"), 15_000);
      assert.notEqual(second.code, 0, "the second SRT publisher is refused");
      await replay(
        parseCapture(readFixture("rtp/rtp_h264_ffmpeg.bin")),
        { hostname: "127.0.0.1", port: ts.rtpPort },
        { pace: "fast" },
      );
      await sleep(200);
      const st = await ts.get("/api/v1/stats");
      const refused = st.refused as Counts;
      assert.equal(refused.srt_max_connections, 1, JSON.stringify(refused));
      assert.ok(refused.rtp_max_connections >= 1, JSON.stringify(refused));
      assert.equal((st.streams as Json).live, 1);
      const list = (await ts.get("/api/v1/streams")).streams as Json[];
      assert.deepEqual(list.map((s) => s.id), ["first"]);
      const metrics = await (await fetch(`${ts.url}/metrics`)).text();
      assert.match(
        metrics,
        /sluice_streams_refused_total\{protocol="srt",reason="max_connections"\} 1\n/,
      );
    } finally {
      await stopAll(peers);
      await ts.stop();
    }
  },
});

Deno.test({
  name: "limits: pause stops buffering (drops.paused), resume restarts at a key frame",
  ignore: missing("ffmpeg"),
  ...opts,
  async fn() {
    const ts = await startTestServer();
    const peers: Peer[] = [];
    try {
      peers.push(loopSender(ts, "pp", 2));
      await active(ts, "pp");
      assert.ok(await until(async () => (await frames(ts, "pp")).length > 10), "buffering");
      const post = async (what: string) => {
        const r = await fetch(`${ts.url}/api/v1/streams/pp/${what}`, { method: "POST" });
        assert.equal(r.status, 200);
        return await r.json();
      };
      assert.equal((await post("pause")).state, "paused");
      const a = await frames(ts, "pp");
      const bytesA = (await ts.get("/api/v1/streams/pp")).bufferedBytes;
      await sleep(1200);
      const s = await ts.get("/api/v1/streams/pp");
      assert.equal(s.state, "paused");
      assert.deepEqual(await frames(ts, "pp"), a, "nothing buffered while paused");
      assert.equal(s.bufferedBytes, bytesA);
      const paused = (s.drops as Counts).paused;
      assert.ok(paused > 30, `drops.paused ${paused}`);
      const v = (s.tracks as Json[]).find((t) => t.kind === "video")!;
      assert.ok((v.frames as number) > 0, "frames still counted while paused");
      const lastIndex = Math.max(-1, ...a.map((f) => f.index));
      const resumed = await post("resume");
      assert.equal(resumed.state, "active");
      const pausedAtResume = resumed.drops.paused as number;
      const fresh = await until(async () => {
        const f = (await frames(ts, "pp", `?track=${VIDEO}`)).filter((f) => f.index > lastIndex);
        return f.length > 5 ? f : undefined;
      }, 5000);
      assert.ok(fresh, "buffering again after resume");
      assert.equal(fresh[0].key, true, "the first frame buffered after resume is a key frame");
      const after = await ts.get("/api/v1/streams/pp");
      assert.equal((after.drops as Counts).paused, pausedAtResume, "no paused drops after resume");
      const all = await frames(ts, "pp", `?track=${VIDEO}`);
      if (all.length) assert.equal(all[0].key, true);
    } finally {
      await stopAll(peers);
      await ts.stop();
    }
  },
});
