/**
 * A/V sync over SRT with real inputs and known injected errors: an ffmpeg MPEG-TS (H.264 +
 * AAC) sent by srt-live-transmit, paced by its own PCR faster than real time (the `pcr`
 * reference is in-stream, so pacing does not change what is measured). Checked against
 * the injection: audio PES timestamps +200 ms (avOffsetMs +200 +- 5 against the unchanged
 * file), audio timestamps scaled by 1.001 (drift 1000 +- 50 ppm over the 60 s window, video
 * ~0; with a 20 ms
 * threshold the output stays within 20 ms while the raw error grows, which the frame index
 * confirms against the unscaled timestamps), a manual adjustment the output follows and
 * that survives a reconnect, and a PTS wrap plus encoder restart on one continuous timeline.
 */
import assert from "node:assert/strict";
import { missing } from "@tests/_helpers.ts";
import type { SyncStatus } from "@lib/sync/status.ts";
import { startTestServer, type TestServer, until } from "./_server.ts";
import { finish, sleep, within } from "./srt_harness.ts";
import { makeTs, rewriteAudioPes, srtSender, writePacedByPcr } from "./_sync_media.ts";

const opts = {
  sanitizeOps: false,
  sanitizeResources: false,
  ignore: missing("ffmpeg", "srt-live-transmit"),
};

type Json = Record<string, unknown>;
interface Entry {
  index: number;
  track: number;
  pts: number;
  dts: number;
  ptsMs: number;
  dtsMs: number;
}

async function status(ts: TestServer, id: string): Promise<SyncStatus> {
  return await ts.get(`/api/v1/sync/status/${id}`) as unknown as SyncStatus;
}

/** Sends `bytes` as stream `id` paced by PCR at `speed`, calling `during` every 100 ms. */
async function send(
  ts: TestServer,
  id: string,
  bytes: Uint8Array,
  speed: number,
  during?: () => Promise<void>,
): Promise<void> {
  // a reconnect must wait until the previous session is gone (else: refused as duplicate)
  const prev = await until(async () => {
    const s = await ts.get(`/api/v1/streams/${id}`);
    return !s.state || s.state === "closed" ? s : undefined;
  }, 8000);
  assert.ok(prev, `${id}: the previous session closed`);
  const sessions = (prev.sessions as number | undefined) ?? 0;
  const p = srtSender(ts.srtPort, id);
  try {
    const s = await until(async () => {
      const s = await ts.get(`/api/v1/streams/${id}`);
      return s.state && s.state !== "closed" && (s.sessions as number) > sessions ? s : undefined;
    }, 5000);
    assert.ok(s, `${id}: srt-live-transmit connected`);
    const w = p.child.stdin.getWriter();
    let done = false;
    const poll = (async () => {
      while (!done) {
        await during?.();
        await sleep(100);
      }
    })();
    // bounded: a sender that stops reading its stdin must not hang the test
    const writing = writePacedByPcr(w, bytes, speed);
    writing.catch(() => {}); // after a timeout the kill below makes it reject
    const sent = await within(writing, 60_000);
    assert.notEqual(sent, "timeout", `${id}: srt-live-transmit took every byte`);
    await sleep(500); // SRT latency + the last frames
    done = true;
    await poll;
    await w.close().catch(() => {});
  } finally {
    p.kill("SIGINT");
    await finish(p, 3000);
  }
}

/** Frame index of a stream. */
async function index(ts: TestServer, id: string): Promise<Entry[]> {
  return (await ts.get(`/api/v1/video/buffer/${id}`)).frames as Entry[];
}

function med(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/**
 * How far each buffered audio frame's output time is from where the original (uninjected)
 * audio timestamp puts it relative to the video on the output timeline, ms.
 */
function audioDeviation(frames: Entry[], original: (pts: number) => number): number[] {
  const video = frames.filter((f) => f.track === 256);
  const audio = frames.filter((f) => f.track === 257);
  assert.ok(video.length > 10 && audio.length > 10, `frames in the buffer: ${frames.length}`);
  const k = med(video.map((f) => f.ptsMs - f.pts / 90));
  return audio.map((f) => f.ptsMs - original(f.pts) / 90 - k);
}

Deno.test({
  name: "sync srt: audio PES timestamps +200 ms read as avOffsetMs +200 (pcr reference)",
  ...opts,
  async fn() {
    const plain = await makeTs(12);
    const moved = rewriteAudioPes(plain, (t) => t + 200 * 90);
    assert.ok(moved.changed > 20);
    const ts = await startTestServer();
    try {
      await Promise.all([
        send(ts, "plain", plain, 6),
        send(ts, "moved", moved.bytes, 6),
      ]);
      const a = await status(ts, "plain");
      const b = await status(ts, "moved");
      for (const s of [a, b]) {
        assert.equal(s.reference, "pcr");
        assert.equal(s.state, "locked", JSON.stringify(s));
        assert.deepEqual(s.tracks.map((t) => [t.id, t.kind, t.reference]), [
          [256, "video", "pcr"],
          [257, "audio", "pcr"],
        ]);
      }
      const d = b.avOffsetMs! - a.avOffsetMs!;
      assert.ok(Math.abs(d - 200) <= 5, `avOffsetMs ${b.avOffsetMs} vs ${a.avOffsetMs}`);
      // the video track's offset (PTS - PCR, ffmpeg's mux delay) is the same in both
      assert.ok(Math.abs(b.tracks[0].offsetMs! - a.tracks[0].offsetMs!) < 1);
      assert.ok(b.tracks[0].offsetMs! > 0, "ffmpeg sends video ahead of its presentation time");
      assert.equal(a.corrections.resyncs, 0);
    } finally {
      await ts.stop();
    }
  },
});

Deno.test({
  name:
    "sync srt: audio clock x1.001 -> drift 1000 ppm; a 20 ms threshold keeps the output within it",
  ...opts,
  async fn() {
    // 120 s of media at 16x: the estimator's 60 s window sees ffmpeg's audio PES
    // scheduling noise (up to +-90 ms around the PCR) average out to a few ppm.
    const plain = await makeTs(120);
    let p0 = -1;
    const scaled = rewriteAudioPes(plain, (t) => {
      if (p0 < 0) p0 = t;
      return p0 + Math.round((t - p0) * 1.001);
    });
    const original = (pts: number) => p0 + (pts - p0) / 1.001;
    const ts = await startTestServer("ingestion:\n  sync_threshold: 20ms\n");
    try {
      let worst = 0, engaged = false, seen = 0;
      await send(ts, "drift", scaled.bytes, 16, async () => {
        const s = await status(ts, "drift");
        if (s.targetAvOffsetMs === null || s.outputAvOffsetMs === null) return;
        seen++;
        if (s.corrections.count > 0) engaged = true;
        worst = Math.max(worst, Math.abs(s.outputAvOffsetMs - s.targetAvOffsetMs));
      });
      const s = await status(ts, "drift");
      const [v, a] = s.tracks;
      assert.ok(Math.abs(a.driftPpm! - 1000) <= 50, `audio drift ${a.driftPpm}`);
      assert.ok(Math.abs(v.driftPpm!) <= 50, `video drift ${v.driftPpm}`);
      assert.equal(s.thresholdMs, 20);
      // 120 s at +1 ms/s: the raw error passed the threshold and kept growing
      assert.ok(s.avOffsetMs! - s.targetAvOffsetMs! > 30, JSON.stringify(s));
      assert.ok(engaged && seen > 10, `corrections seen (${seen} polls)`);
      assert.ok(worst <= 20, `output strayed ${worst} ms from the target`);
      assert.ok(Math.abs(s.outputAvOffsetMs! - s.targetAvOffsetMs!) <= 20);
      assert.ok(s.corrections.slewedMs >= 10 && a.correctionMs < -10, JSON.stringify(s));
      // Oracle: the output puts each audio frame where its unscaled timestamp belongs.
      const dev = audioDeviation(await index(ts, "drift"), original);
      assert.ok(
        dev.every((x) => Math.abs(x) <= 25),
        `audio off by ${Math.min(...dev)}..${Math.max(...dev)} ms`,
      );
      const m = await (await fetch(`${ts.url}/metrics`)).text();
      const drift =
        /sluice_sync_track_drift_ratio\{stream="drift",protocol="srt",track="257",kind="audio",codec="aac"\} (\S+)/
          .exec(m);
      assert.ok(drift && Math.abs(Number(drift[1]) - 0.001) <= 0.00005, `metric ${drift?.[1]}`);
      assert.match(m, /sluice_sync_slewed_seconds_total\{stream="drift",protocol="srt"\} 0\.\d+/);
    } finally {
      await ts.stop();
    }
  },
});

Deno.test({
  name:
    "sync srt: manual adjust moves the target, the output follows, the offset survives a reconnect",
  ...opts,
  async fn() {
    const plain = await makeTs(16);
    const ts = await startTestServer("ingestion:\n  sync_threshold: 20ms\n");
    try {
      let adjusted: SyncStatus | undefined;
      let before: SyncStatus | undefined;
      await send(ts, "cam", plain, 4, async () => {
        if (adjusted) return;
        const s = await status(ts, "cam");
        if (s.state !== "locked") return;
        before = s;
        const r = await fetch(`${ts.url}/api/v1/sync/adjust/cam`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ offsetMs: 150 }),
        });
        assert.equal(r.status, 200);
        adjusted = await r.json();
      });
      assert.ok(before && adjusted, "the stream locked and was adjusted");
      assert.equal(adjusted.tracks[1].manualOffsetMs, 150);
      assert.ok(Math.abs(adjusted.targetAvOffsetMs! - before.targetAvOffsetMs! - 150) < 0.01);
      const s = await status(ts, "cam");
      assert.ok(Math.abs(s.outputAvOffsetMs! - s.targetAvOffsetMs!) <= 20, JSON.stringify(s));
      assert.ok(s.corrections.framesDuplicated >= 1, JSON.stringify(s.corrections));
      // Oracle: audio now leaves 150 ms later than its timestamps put it against the video.
      const dev = audioDeviation(await index(ts, "cam"), (p) => p);
      const d = med(dev) - (before.targetAvOffsetMs! - before.avOffsetMs!);
      assert.ok(Math.abs(med(dev) - 150) <= 20, `audio moved by ${med(dev)} ms (${d})`);
      // bad requests keep their answers
      const bad = await fetch(`${ts.url}/api/v1/sync/adjust/cam`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ offsetMs: "x" }),
      });
      assert.equal(bad.status, 400);
      await bad.body?.cancel();
      const none = await fetch(`${ts.url}/api/v1/sync/status/nope`);
      assert.equal(none.status, 404);
      await none.body?.cancel();
      // The publisher reconnects under the same stream id: the manual offset stays.
      await send(ts, "cam", await makeTs(4), 4);
      const again = await status(ts, "cam");
      assert.equal(again.tracks[1].manualOffsetMs, 150);
      assert.equal(
        again.corrections.resyncs,
        s.corrections.resyncs + 1,
        "the reconnect rebased the timeline, counted once",
      );
      const stream = await ts.get("/api/v1/streams/cam");
      assert.equal(stream.sessions, 2);
    } finally {
      await ts.stop();
    }
  },
});

Deno.test({
  name: "sync srt: a 33-bit PTS wrap and an encoder restart keep the output timeline continuous",
  ...opts,
  async fn() {
    // 2^33 / 90 kHz = 95443.7 s: this file wraps 3.7 s in; the second starts over at 10 s.
    const a = await makeTs(6, 95440);
    const b = await makeTs(4, 10);
    const both = new Uint8Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    const ts = await startTestServer();
    try {
      const seen = new Map<number, Entry>();
      const collect = async () => {
        for (const f of await index(ts, "wrap").catch(() => [] as Entry[])) seen.set(f.index, f);
      };
      await send(ts, "wrap", both, 2, collect);
      await collect();
      const s = await status(ts, "wrap");
      const frames = [...seen.values()].sort((x, y) => x.index - y.index);
      for (const track of [256, 257]) {
        const f = frames.filter((x) => x.track === track);
        assert.ok(f.length > (track === 256 ? 200 : 300), `track ${track}: ${f.length} frames`);
        assert.ok(f.some((x) => x.pts > 2 ** 33), "raw PTS went past the 33-bit wrap");
        for (let i = 1; i < f.length; i++) {
          const step = f[i].dtsMs - f[i - 1].dtsMs;
          // polling may miss frames between two reads: allow a few frames' time
          assert.ok(step >= 0 && step < 400, `track ${track} dts step ${step} ms at ${f[i].pts}`);
        }
      }
      assert.ok(s.corrections.resyncs >= 1, JSON.stringify(s.corrections));
      assert.ok(frames[0].dtsMs < 1000, "the timeline starts near 0");
    } finally {
      await ts.stop();
    }
  },
});
