/**
 * Per-second `stream.stats` events and history (lib/stream/stream_stats.ts) and `stream.gop`
 * events (lib/stream/gop_events.ts) from a manager fed frames through the adapter door, with
 * the real GOP buffer (lib/app/listeners.ts frameStoreFor) and a controlled clock.
 */
import assert from "node:assert/strict";
import { defaultConfig } from "@lib/config/defaults.ts";
import type { BusEvent, EventMap } from "@lib/stream/events.ts";
import { GOP_EVENT_MIN_INTERVAL_MS } from "@lib/stream/gop_events.ts";
import { frameStoreFor } from "@lib/app/listeners.ts";
import { silentLogger } from "@lib/core/log.ts";
import { Manager } from "@lib/stream/manager.ts";
import { StreamStatsSampler } from "@lib/stream/stream_stats.ts";
import { videoFrame } from "@tests/support/frames.ts";

const frame = (pts: number, key: boolean, size = 1000) => videoFrame(pts, key, { size });

function setup() {
  let now = 10_000;
  const m: Manager = new Manager(defaultConfig(), silentLogger, {
    now: () => now,
    frameSink: (s) => frameStoreFor(m)(s),
  });
  const events: BusEvent[] = [];
  m.events.subscribe((e) => events.push(e));
  const r = m.open({ protocol: "srt", name: "cam1", remote: "127.0.0.1:1" }, {
    disconnect: () => {},
  });
  assert.ok(r.ok);
  const of = <T extends keyof EventMap>(t: T) =>
    events.filter((e) => e.type === t).map((e) => e.data as EventMap[T]);
  return { m, sink: r.value, of, advance: (ms: number) => (now += ms), now: () => now };
}

Deno.test("gop events: one per keyframe with the GOP it closed; intra-only tracks are thinned", () => {
  const { sink, of, advance } = setup();
  // 25 fps, GOP of 10 frames (400 ms): 3 keyframes
  for (let i = 0; i < 21; i++) {
    sink.pushFrame(frame(i * 3600, i % 10 === 0, i % 10 === 0 ? 5000 : 800));
    advance(40);
  }
  const gops = of("stream.gop");
  assert.equal(gops.length, 3);
  assert.deepEqual(gops[0], {
    stream: "cam1",
    track: 256,
    codec: "h264",
    pts: 0,
    keyBytes: 5000,
    lastFrames: null,
    lastDurationMs: null,
    skipped: 0,
  });
  assert.equal(gops[1].lastFrames, 10);
  assert.equal(gops[1].lastDurationMs, 400);
  assert.equal(gops[2].pts, 72000);
  // every frame a keyframe, 25 per second: at most one event per interval, the rest counted
  for (let i = 21; i < 71; i++) {
    sink.pushFrame(frame(i * 3600, true));
    advance(40);
  }
  const thinned = of("stream.gop").slice(3);
  const maxEvents = Math.ceil((50 * 40) / GOP_EVENT_MIN_INTERVAL_MS) + 1;
  assert.ok(thinned.length <= maxEvents, `${thinned.length} events`);
  assert.equal(thinned.length + thinned.reduce((a, g) => a + g.skipped, 0) <= 50, true);
  assert.ok(thinned.reduce((a, g) => a + g.skipped, 0) > 0);
});

Deno.test("stream stats: one event per live stream per sample; per-second deltas; history", () => {
  const { m, sink, of } = setup();
  const sampler = new StreamStatsSampler(m, { now: () => performance.now(), historySeconds: 3 });
  sink.received(1000, 1, 10_000);
  sink.drop("frame_loss", 2);
  sink.setTransport({ packetsLost: 5 });
  sampler.sample();
  sink.drop("frame_loss", 3);
  sink.error("cc_error");
  sink.setTransport({ packetsLost: 9 });
  sampler.sample();
  const st = of("stream.stats");
  assert.equal(st.length, 2);
  assert.equal(st[0].stream, "cam1");
  assert.deepEqual([st[0].lost, st[0].dropped, st[0].errors], [0, 0, 0], "first sample: baseline");
  assert.deepEqual([st[1].lost, st[1].dropped, st[1].errors], [4, 3, 1]);
  assert.equal(st[1].fps, null, "no video track yet");
  sampler.sample();
  sampler.sample();
  const h = sampler.history("cam1")!;
  assert.equal(h.t.length, 3, "history keeps historySeconds samples");
  assert.deepEqual(h.lost, [4, 0, 0]);
  assert.deepEqual(sampler.history("cam1", 1)!.dropped, [0]);
  m.get("cam1")!.close("eof");
  sampler.sample();
  assert.equal(of("stream.stats").length, 4, "closed streams are not sampled");
  m.remove("cam1");
  sampler.sample();
  assert.equal(sampler.history("cam1"), undefined, "history forgotten with the stream");
});
