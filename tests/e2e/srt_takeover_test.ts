/**
 * Publisher restarts over SRT (issue 16, lib/stream/takeover.ts) with real ffmpeg publishers
 * looping a fixture with -re: SIGKILL and a restart 0.5 s, 1.5 s and 3 s later are each
 * accepted at once and continue the stream (sessions, frame counts, errors-free TS after
 * the demuxer restarts, a preview ffmpeg decodes, a GOP buffer of whole 30-frame GOPs as the
 * fixture's ffprobe table has them, output-timeline decode times `dtsMs` increasing across
 * sessions while the source `dts` restart, one `corrections.resyncs` per new session in the
 * sync status and /metrics); a second
 * publisher while the first still sends is refused with 1409, and replaces it with
 * `srt.override_publisher: true`.
 */
import assert from "node:assert/strict";
import { assertPictureDecodes, fixture, missing, readPacketsCsv } from "@tests/_helpers.ts";
import { ffmpegSend, finish, type Peer, sleep, spawn, within } from "./srt_harness.ts";
import { startTestServer, type TestServer, until } from "./_server.ts";
import type { BusEvent } from "@lib/stream/events.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
type Json = Record<string, unknown>;
const FILE = "ts/h264_aac.ts";
const VIDEO = 256;

function publish(ts: TestServer, id: string): Peer {
  const url = `srt://127.0.0.1:${ts.srtPort}?streamid=${id}&pkt_size=1316`;
  return spawn("ffmpeg", ffmpegSend(fixture(FILE), url, true));
}

async function stream(ts: TestServer, id: string): Promise<Json> {
  return await ts.get(`/api/v1/streams/${id}`);
}

/** The stream's A/V sync correction counters (GET /api/v1/sync/status/{id}). */
async function syncStatus(ts: TestServer, id: string): Promise<Json> {
  return (await ts.get(`/api/v1/sync/status/${id}`)).corrections as Json;
}

function videoFrames(s: Json): number {
  const t = (s.tracks as Json[] | undefined)?.find((t) => t.id === VIDEO);
  return (t?.frames as number | undefined) ?? 0;
}

/** The fixture's GOP length in frames from its ffprobe table (every GOP the same). */
function fixtureGop(): number {
  const keys = readPacketsCsv(`${FILE}.v.packets.csv`).flatMap((p, i) => p.key ? [i] : []);
  assert.ok(keys.length >= 2);
  return keys[1] - keys[0];
}

/** Frame index of the video track grouped by GOP, in index order. */
async function gops(ts: TestServer, id: string): Promise<Json[][]> {
  const buf = await ts.get(`/api/v1/video/buffer/${id}?track=${VIDEO}`);
  const by = new Map<number, Json[]>();
  for (const f of buf.frames as Json[]) {
    const g = f.gop as number;
    by.set(g, [...(by.get(g) ?? []), f]);
  }
  return [...by.values()];
}

/** The preview decodes with ffmpeg into one picture. */
async function assertPreviewDecodes(ts: TestServer, id: string): Promise<void> {
  const r = await fetch(`${ts.url}/api/v1/video/preview/${id}`);
  assert.equal(r.status, 200);
  await assertPictureDecodes(new Uint8Array(await r.arrayBuffer()), ".h264");
}

Deno.test({
  name:
    "srt takeover e2e: a SIGKILLed ffmpeg restarted after 0.5, 1.5 and 3 s takes its stream over at once",
  ignore: missing("ffmpeg"),
  ...opts,
  async fn() {
    // takeover_after below the shortest restart: a restart 0.5 s after the kill reaches the
    // listener ~0.6-0.8 s after the last data; the default 1 s covers restarts from ~1 s
    const ts = await startTestServer("srt:\n  takeover_after: 400ms\n  peer_idle_timeout: 10s\n");
    const events: BusEvent[] = [];
    ts.server.manager.events.subscribe((e) => events.push(e));
    const peers: Peer[] = [];
    const gopLen = fixtureGop();
    try {
      peers.push(publish(ts, "rc1"));
      assert.ok(
        await until(async () => videoFrames(await stream(ts, "rc1")) >= gopLen + 5, 15_000),
        "the first publisher delivers a GOP",
      );
      let sessions = 1;
      for (const delayMs of [500, 1500, 3000]) {
        const old = peers[peers.length - 1];
        old.kill("SIGKILL");
        await old.status;
        const before = await stream(ts, "rc1");
        const framesBefore = videoFrames(before);
        const oldFrames = (await gops(ts, "rc1")).flat();
        const lastDtsMs = Math.max(...oldFrames.map((f) => f.dtsMs as number));
        const resyncsBefore = (await syncStatus(ts, "rc1")).resyncs as number;
        await sleep(delayMs);
        const next = publish(ts, "rc1");
        peers.push(next);
        sessions++;
        const taken = await until(async () => {
          const s = await stream(ts, "rc1");
          return s.sessions === sessions ? s : undefined;
        }, 5000);
        assert.ok(taken, `restart after ${delayMs} ms accepted (sessions ${sessions})`);
        assert.notEqual(taken.remote, before.remote, "the new publisher's address");
        assert.equal(await within(next.status, 300), "timeout", "the new ffmpeg keeps sending");
        // the new session's first keyframe restarts output: wait for a whole GOP of it
        const fresh = await until(async () => {
          const g = await gops(ts, "rc1");
          const after = g.filter((x) => (x[0].dtsMs as number) > lastDtsMs);
          return after.length >= 2 ? g : undefined;
        }, 10_000);
        assert.ok(fresh, `a whole GOP of the new session after ${delayMs} ms`);
        const s = await stream(ts, "rc1");
        assert.ok(videoFrames(s) > framesBefore, "frame counts continue");
        assert.equal(s.state, "active");
        assert.deepEqual(s.errors, {}, "clean TS: the new session's demuxer starts afresh");
        assert.equal(s.resyncs, undefined, "resyncs has one home: the sync status");
        const sync = await syncStatus(ts, "rc1");
        assert.equal(sync.resyncs, resyncsBefore + 1, "one timeline rebase for the new session");
        // whole GOPs only: each starts with its keyframe; all but the newest (in progress)
        // have the fixture's length, so no cut-off tail of the killed session is left
        for (const [i, g] of fresh.entries()) {
          assert.equal(g[0].key, true, `GOP ${g[0].gop} starts with a keyframe`);
          if (i < fresh.length - 1) assert.equal(g.length, gopLen, `GOP ${g[0].gop} is whole`);
        }
        const dts = fresh.flat().map((f) => f.dtsMs as number);
        for (let i = 1; i < dts.length; i++) {
          assert.ok(dts[i] > dts[i - 1], `dtsMs increases across sessions: ${dts[i]} at ${i}`);
        }
        // the source dts are ffmpeg's own: its restart starts them over near 1.4 s
        const newDts = fresh.flat().filter((f) => (f.dtsMs as number) > lastDtsMs)
          .map((f) => f.dts as number);
        assert.ok(
          Math.min(...newDts) < Math.max(...oldFrames.map((f) => f.dts as number)),
          "source dts kept as sent",
        );
        await assertPreviewDecodes(ts, "rc1");
      }
      const stats = await ts.get("/api/v1/stats");
      assert.deepEqual(stats.takeovers, { srt_recovering: 3 });
      assert.equal((stats.refused as Json).srt_duplicate, undefined, "nobody was refused");
      const tk = events.filter((e) => e.type === "stream.takeover").map((e) => e.data as Json);
      assert.deepEqual(tk.map((d) => [d.reason, d.sessions]), [
        ["recovering", 2],
        ["recovering", 3],
        ["recovering", 4],
      ]);
      assert.ok(tk.every((d) => (d.silentMs as number) >= 400));
      assert.ok(!events.some((e) => e.type === "stream.closed"), "the stream never closed");
      assert.ok(ts.logs.some((l) => /srt\.srt_disconnected.*replaced/.test(l)), "old: replaced");
      const metrics = await (await fetch(`${ts.url}/metrics`)).text();
      assert.match(
        metrics,
        /sluice_streams_takeovers_total\{protocol="srt",reason="recovering"\} 3/,
      );
      assert.match(metrics, /sluice_stream_sessions_total\{stream="rc1",protocol="srt"\} 4/);
      assert.equal((await syncStatus(ts, "rc1")).resyncs, 3, "three new sessions, once each");
      assert.match(metrics, /sluice_sync_resyncs_total\{stream="rc1",protocol="srt"\} 3\n/);
      assert.doesNotMatch(metrics, /sluice_stream_resyncs_total/, "one series for rebases");
    } finally {
      for (const p of peers) p.kill();
      await Promise.all(peers.map((p) => p.status));
      await ts.stop();
    }
  },
});

Deno.test({
  name: "srt takeover e2e: a second publisher while the first sends is refused, or replaces it",
  ignore: missing("ffmpeg"),
  ...opts,
  async fn() {
    const ts = await startTestServer();
    const events: BusEvent[] = [];
    ts.server.manager.events.subscribe((e) => events.push(e));
    const peers: Peer[] = [];
    try {
      const first = publish(ts, "dup");
      peers.push(first);
      assert.ok(await until(async () => videoFrames(await stream(ts, "dup")) > 10, 15_000));
      const second = await finish(publish(ts, "dup"), 15_000);
      assert.notEqual(second.code, 0, "refused while the first one sends");
      let s = await stream(ts, "dup");
      assert.equal(s.sessions, 1);
      assert.equal(s.state, "active");
      assert.equal(((await ts.get("/api/v1/stats")).refused as Json).srt_duplicate, 1);
      assert.ok(
        events.some((e) =>
          e.type === "stream.refused" && (e.data as Json).reason === "duplicate" &&
          (e.data as Json).stream === "dup"
        ),
      );
      const srtHealth = (await ts.get("/api/v1/health")).listeners as Record<string, Json>;
      assert.deepEqual(
        srtHealth.srt.refused,
        { duplicate: 1 },
        "rejected in the listen callback (1409), before any stream work",
      );

      // srt.override_publisher is read per connection (a reload applies it as well)
      const m = ts.server.manager;
      m.config = { ...m.config, srt: { ...m.config.srt, overridePublisher: true } };
      const framesBefore = videoFrames(await stream(ts, "dup"));
      const third = publish(ts, "dup");
      peers.push(third);
      s = (await until(async () => {
        const s = await stream(ts, "dup");
        return s.sessions === 2 ? s : undefined;
      }, 5000))!;
      assert.ok(s, "the override publisher took the stream over");
      const gone = await finish(first, 10_000);
      assert.equal(gone.timedOut, false, "the replaced ffmpeg was disconnected and exited");
      assert.ok(
        await until(async () => videoFrames(await stream(ts, "dup")) > framesBefore + 30, 10_000),
        "frames continue from the new publisher",
      );
      const stats = await ts.get("/api/v1/stats");
      assert.deepEqual(stats.takeovers, { srt_override: 1 });
      assert.equal((stats.refused as Json).srt_duplicate, 1, "no further refusal");
      const metrics = await (await fetch(`${ts.url}/metrics`)).text();
      assert.match(metrics, /sluice_streams_takeovers_total\{protocol="srt",reason="override"\} 1/);
      assert.match(
        metrics,
        /sluice_streams_refused_total\{protocol="srt",reason="duplicate"\} 1/,
      );
      assert.ok(
        events.some((e) => e.type === "stream.takeover" && (e.data as Json).reason === "override"),
      );
      await assertPreviewDecodes(ts, "dup");
    } finally {
      for (const p of peers) p.kill();
      await Promise.all(peers.map((p) => p.status));
      await ts.stop();
    }
  },
});
