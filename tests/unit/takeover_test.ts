/**
 * Takeover of a live stream by a new publisher (lib/stream/takeover.ts, Manager.open) and what
 * the new session does to the stream: counters kept, `replaced` sent to the old session,
 * the unfinished GOP trimmed from a real GOP buffer, output restarting at a keyframe,
 * the output timeline (ptsMs/dtsMs, lib/sync/stream_sync.ts) rebased once while the source
 * pts/dts stay as sent.
 */
import assert from "node:assert/strict";
import { defaultConfig } from "@lib/config/defaults.ts";
import { silentLogger } from "@lib/core/log.ts";
import { Manager } from "@lib/stream/manager.ts";
import { FrameStore } from "@lib/pipeline/frame_store.ts";
import type { AccessUnit } from "@lib/core/types.ts";
import { takeoverReason } from "@lib/stream/takeover.ts";
import type { Protocol, StreamSink } from "@lib/stream/ports.ts";
import type { BusEvent } from "@lib/stream/events.ts";
import { videoFrame } from "@tests/support/frames.ts";

function setup(override = false) {
  const cfg = defaultConfig();
  cfg.srt.overridePublisher = override;
  let now = 10_000;
  const m = new Manager(cfg, silentLogger, {
    now: () => now,
    frameSink: (s) =>
      new FrameStore({
        maxGops: 3,
        maxBytes: 1 << 20,
        count: (r, n) => s.count(r, n),
        params: s.params,
      }),
  });
  const disconnected: string[] = [];
  const events: BusEvent[] = [];
  m.events.subscribe((e) => events.push(e));
  const connect = (remote: string, protocol: Protocol = "srt") =>
    m.open({ protocol, name: "cam1", remote }, {
      disconnect: (reason) => disconnected.push(`${remote}:${reason}`),
    });
  /** What the takeover policy says now for a publisher of `protocol`. */
  const may = (protocol: Protocol) => takeoverReason(m.get("cam1")!, protocol, cfg, now);
  return { m, cfg, connect, disconnected, events, may, advance: (ms: number) => (now += ms) };
}

function opened(r: ReturnType<ReturnType<typeof setup>["connect"]>): StreamSink {
  assert.ok(r.ok, `refused: ${!r.ok && r.reason}`);
  return r.value;
}

const video = (pts: number, key: boolean, arrivalMs = 0) =>
  videoFrame(pts, key, { size: 50, arrivalMs });

function audio(pts: number, arrivalMs = 0): AccessUnit {
  return { ...video(pts, true, arrivalMs), trackId: 257, codec: "aac", kind: "audio" };
}

Deno.test("takeover: a publisher for a stream still sending is refused as a duplicate", () => {
  const { m, connect, advance, disconnected, may } = setup();
  const a = opened(connect("127.0.0.1:1000"));
  a.received(1316, 7, 10_000);
  advance(900);
  a.received(1316, 7, 10_900);
  assert.deepEqual(connect("127.0.0.1:2000"), { ok: false, reason: "duplicate" });
  assert.equal(m.refused.get("srt", "duplicate"), 1);
  assert.equal(may("srt"), undefined);
  assert.deepEqual(disconnected, []);
});

Deno.test("takeover: after takeover_after of silence the stream is recovering and is taken over", () => {
  const { m, connect, advance, disconnected, events, may } = setup();
  const a = opened(connect("127.0.0.1:1000"));
  a.received(1316, 7, 10_000);
  a.error("cc_error");
  advance(999);
  m.tick();
  assert.equal(m.get("cam1")!.state, "active");
  assert.equal(may("srt"), undefined);
  advance(1);
  m.tick();
  assert.equal(m.get("cam1")!.state, "recovering", "silent for srt.takeover_after (1 s)");
  assert.equal(may("srt"), "recovering");
  assert.equal(may("rtp"), undefined, "another protocol never takes over");
  const b = opened(connect("127.0.0.1:2000"));
  const st = m.get("cam1")!;
  assert.equal(b, st, "the same Stream continues");
  assert.deepEqual(disconnected, ["127.0.0.1:1000:replaced"]);
  assert.equal(st.sessions, 2);
  assert.equal(st.state, "connecting");
  assert.equal(st.remote, "127.0.0.1:2000");
  assert.equal(st.packets, 7, "counters continue");
  assert.deepEqual(st.errors.toJSON(), { cc_error: 1 });
  assert.equal(m.takeovers.get("srt", "recovering"), 1);
  assert.deepEqual(m.stats().takeovers as Record<string, number>, { srt_recovering: 1 });
  assert.equal(m.liveCount, 1);
  const ev = events.find((e) => e.type === "stream.takeover");
  assert.ok(ev);
  assert.deepEqual(ev.data, {
    stream: "cam1",
    protocol: "srt",
    reason: "recovering",
    remote: "127.0.0.1:2000",
    previousRemote: "127.0.0.1:1000",
    sessions: 2,
    silentMs: 1000,
  });
  assert.ok(!events.some((e) => e.type === "stream.closed"), "never closed on the way");
  b.received(1316, 7, 11_100);
  assert.equal(st.state, "active");
  assert.equal(st.packets, 14);
});

Deno.test("takeover: a session that never sent data can be taken over after takeover_after", () => {
  const { connect, advance } = setup();
  opened(connect("127.0.0.1:1000"));
  advance(400);
  assert.deepEqual(connect("127.0.0.1:2000"), { ok: false, reason: "duplicate" });
  advance(600);
  assert.ok(connect("127.0.0.1:3000").ok);
});

Deno.test("takeover: override_publisher replaces a publisher that is still sending", () => {
  const { m, connect, disconnected } = setup(true);
  const a = opened(connect("127.0.0.1:1000"));
  a.received(1316, 7, 10_000);
  const b = opened(connect("127.0.0.1:2000"));
  assert.equal(b, m.get("cam1"));
  assert.deepEqual(disconnected, ["127.0.0.1:1000:replaced"]);
  assert.equal(m.takeovers.get("srt", "override"), 1);
  assert.equal(m.refused.total, 0);
});

Deno.test("takeover: a takeover at max_connections reuses the stream's slot", () => {
  const { m, cfg, connect, advance } = setup();
  cfg.ingestion.maxConnections = 1;
  opened(connect("127.0.0.1:1000"));
  advance(1500);
  assert.ok(connect("127.0.0.1:2000").ok);
  assert.equal(m.refused.total, 0);
});

Deno.test("takeover: the unfinished GOP leaves the buffer, output restarts at a keyframe, timestamps continue", () => {
  const { m, connect, advance } = setup();
  const a = opened(connect("127.0.0.1:1000"));
  // an output connected across the takeover
  const consumer = (m.get("cam1")!.frameSink as FrameStore).output.subscribe();
  // old session: GOP 0 (key + 3), GOP 1 (key + 3), GOP 2 cut after 2 frames; audio beside
  for (let i = 0; i < 10; i++) {
    a.pushFrame(video(i * 3000, i % 4 === 0, 10_000 + i * 33));
    a.pushFrame(audio(i * 3000 + 100, 10_000 + i * 33));
  }
  const st = m.get("cam1")!;
  const store = st.frameSink as FrameStore;
  assert.equal(store.buffer.gops(256).length, 3);
  let drained = 0;
  while (consumer.next()) drained++;
  assert.equal(drained, 20, "the output saw the old session's frames");
  advance(1500);
  // new session: timestamps from an unrelated origin, a non-key frame and audio first
  const b = opened(connect("127.0.0.1:2000"));
  assert.equal(st.drops.counts.get("session_incomplete_gop"), 4, "2 video + 2 audio");
  const gops = store.buffer.gops(256);
  assert.equal(gops.length, 2);
  assert.ok(gops.every((g) => g.complete && g.slots[0].entry.key));
  const lastOld = Math.max(...store.index({}).frames.map((f) => f.dtsMs!));
  b.pushFrame(video(900_000, false, 12_000));
  b.pushFrame(audio(900_050, 12_001));
  assert.equal(st.drops.counts.get("await_keyframe"), 2);
  b.pushFrame(video(903_000, true, 12_033));
  b.pushFrame(audio(903_100, 12_034));
  b.pushFrame(video(906_000, false, 12_066));
  const out: AccessUnit[] = [];
  for (let au = consumer.next(); au; au = consumer.next()) out.push(au);
  assert.deepEqual(
    out.map((au) => [au.kind, au.key]),
    [["video", true], ["audio", true], ["video", false]],
    "the output continues with the new session's keyframe first",
  );
  const frames = store.index({ track: 256 }).frames;
  const fresh = frames.filter((f) => f.dtsMs! > lastOld);
  assert.equal(fresh.length, 2);
  assert.ok(fresh[0].key, "the new session's first buffered frame is its keyframe");
  assert.deepEqual(fresh.map((f) => f.pts), [903_000, 906_000], "source pts kept as sent");
  // the output timeline starts at the old session's first frame (0 ms); its newest frame
  // (9 x 3000 ticks = 300 ms) arrived at 10 297 ms. The new session's first frame (the
  // dropped non-key one, 12 000 ms) is placed after it by the arrival gap; the keyframe
  // keeps its 3000 ticks after that
  assert.equal(fresh[0].dtsMs, 300 + (12_000 - 10_297) + 33.333);
  const step = fresh[1].dtsMs! - fresh[0].dtsMs!;
  assert.ok(Math.abs(step - 3000 / 90) < 0.002, `distances inside a session kept: ${step}`);
  assert.equal(st.sync.corrections.resyncs, 1, "one rebase for the new session");
  assert.ok(!("resyncs" in st.toJSON()), "one home: the sync status' corrections.resyncs");
  const buf = store.index({}).frames;
  const byGop = new Map<number, typeof buf>();
  for (const f of buf.filter((f) => f.track === 256)) {
    byGop.set(f.gop, [...(byGop.get(f.gop) ?? []), f]);
  }
  for (const [, fs] of byGop) assert.ok(fs[0].key, "every buffered GOP starts with a keyframe");
});
