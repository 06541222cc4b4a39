import assert from "node:assert/strict";
import { defaultConfig } from "@lib/config/defaults.ts";
import { silentLogger } from "@lib/core/log.ts";
import { Manager } from "@lib/stream/manager.ts";
import type { AccessUnit } from "@lib/core/types.ts";
import type { OpenRequest, StreamSink } from "@lib/stream/ports.ts";
import { videoFrame } from "@tests/support/frames.ts";

/** A fake adapter: opens streams through the same door SRT and RTP use. */
export class FakeAdapter {
  disconnected: string[] = [];
  constructor(readonly m: Manager) {}
  connect(name: string, extra: Partial<OpenRequest> = {}) {
    return this.m.open({ protocol: "srt", name, remote: "127.0.0.1:4000", ...extra }, {
      disconnect: (reason) => this.disconnected.push(`${name}:${reason}`),
    });
  }
}

const frame = (trackId: number, pts: number, key: boolean) =>
  videoFrame(pts, key, { trackId, size: 100 });

function manager(maxConnections = 25, retentionMs = 60_000) {
  const cfg = defaultConfig();
  cfg.ingestion.maxConnections = maxConnections;
  let now = 1000;
  const m = new Manager(cfg, silentLogger, { now: () => now, retentionMs });
  return { m, adapter: new FakeAdapter(m), advance: (ms: number) => (now += ms) };
}

function sink(r: ReturnType<FakeAdapter["connect"]>): StreamSink {
  assert.ok(r.ok, `open refused: ${!r.ok && r.reason}`);
  return r.value;
}

Deno.test("manager: lifecycle connecting -> active -> paused -> active -> recovering -> closed", () => {
  const { m, adapter, advance } = manager();
  const s = sink(adapter.connect("cam1"));
  const st = m.get("cam1")!;
  assert.equal(st.state, "connecting");
  s.received(1316, 1, 1000);
  assert.equal(st.state, "active");
  assert.equal(st.pause(), true);
  assert.equal(st.state, "paused");
  assert.equal(st.pause(), false, "pausing a paused stream is refused");
  assert.equal(st.resume(), true);
  assert.equal(st.resume(), false);
  advance(2500);
  m.tick();
  assert.equal(st.state, "recovering");
  s.received(1316, 1, 3600);
  assert.equal(st.state, "active");
  s.close("peer_closed");
  assert.equal(st.state, "closed");
  assert.equal(st.toJSON().closeReason, "peer_closed");
  assert.equal(st.packets, 2);
});

Deno.test("manager: max_connections refuses and counts", () => {
  const { m, adapter } = manager(2);
  sink(adapter.connect("a"));
  sink(adapter.connect("b"));
  const r = adapter.connect("c");
  assert.deepEqual(r, { ok: false, reason: "max_connections" });
  assert.equal(m.refused.get("srt", "max_connections"), 1);
  assert.equal(
    m.stats().refused && (m.stats().refused as Record<string, number>).srt_max_connections,
    1,
  );
});

Deno.test("manager: a second publisher for a live id is refused", () => {
  const { m, adapter } = manager();
  sink(adapter.connect("cam1"));
  assert.deepEqual(adapter.connect("cam1"), { ok: false, reason: "duplicate" });
  assert.equal(m.refused.get("srt", "duplicate"), 1);
});

Deno.test("manager: closed streams stay listed with final counters, then go", () => {
  const { m, adapter } = manager(25, 50);
  const s = sink(adapter.connect("cam1"));
  s.received(500, 2, 1000);
  s.error("cc_error", 3);
  s.close("peer_closed");
  assert.equal(m.liveCount, 0);
  const j = m.get("cam1")!.toJSON();
  assert.equal(j.state, "closed");
  assert.equal(j.bytes, 500);
  assert.deepEqual(j.errors, { cc_error: 3 });
  const removed: unknown[] = [];
  m.events.subscribe((e) => e.type === "stream.removed" && removed.push(e.data));
  m.tick();
  assert.ok(m.get("cam1"), "still listed inside the retention window");
  const until = Date.now() + 200;
  while (Date.now() < until) { /* wait past the 50 ms retention */ }
  m.tick();
  assert.equal(m.get("cam1"), undefined);
  // leaving the list is a removal like DELETE: one event (the fleet registry, outputs and the
  // memory trimmer follow it), with its own reason
  assert.deepEqual(removed, [{ stream: "cam1", reason: "retention_expired" }]);
  m.tick();
  assert.equal(removed.length, 1, "once");
});

Deno.test("manager: a reconnect within retention gets its id and counters back", () => {
  const { m, adapter } = manager();
  const s = sink(adapter.connect("cam1"));
  s.received(1000, 1, 1000);
  s.close("peer_closed");
  const again = sink(adapter.connect("cam1", { remote: "127.0.0.1:4001" }));
  const st = m.get("cam1")!;
  assert.equal(again, st);
  assert.equal(st.state, "connecting");
  assert.equal(st.sessions, 2);
  assert.equal(st.bytes, 1000);
  assert.equal(st.remote, "127.0.0.1:4001");
});

Deno.test("manager: remove disconnects through the adapter", () => {
  const { m, adapter } = manager();
  sink(adapter.connect("cam1"));
  assert.equal(m.remove("cam1"), true);
  assert.deepEqual(adapter.disconnected, ["cam1:api_delete"]);
  assert.equal(m.get("cam1"), undefined);
  assert.equal(m.remove("cam1"), false);
});

Deno.test("manager: frames are counted per track; pause drops, resume waits for a keyframe", () => {
  const pushed: AccessUnit[] = [];
  const cfg = defaultConfig();
  const m = new Manager(cfg, silentLogger, {
    frameSink: () => ({ push: (au) => pushed.push(au), bytes: 0 }),
  });
  const s = sink(new FakeAdapter(m).connect("cam1"));
  const st = m.get("cam1")!;
  s.pushFrame(frame(256, 0, true));
  s.pushFrame(frame(256, 3000, false));
  st.pause();
  s.pushFrame(frame(256, 6000, false));
  st.resume();
  s.pushFrame(frame(256, 9000, false));
  s.pushFrame(frame(256, 12000, true));
  s.pushFrame(frame(256, 15000, false));
  assert.deepEqual(pushed.map((a) => a.pts), [0, 3000, 12000, 15000]);
  const t = st.toJSON().tracks as Record<string, unknown>[];
  assert.equal(t[0].frames, 6);
  assert.equal(t[0].keyframes, 2);
  assert.deepEqual(st.toJSON().drops, { paused: 1, await_keyframe: 1 });
});

Deno.test("manager: stop disconnects every live stream", async () => {
  const { m, adapter } = manager();
  sink(adapter.connect("a"));
  sink(adapter.connect("b"));
  await m.stop();
  assert.deepEqual(adapter.disconnected.sort(), ["a:shutdown", "b:shutdown"]);
  assert.equal(m.liveCount, 0);
});

Deno.test("manager: a name configured for RTP (or ssrc-*) is refused to SRT, and back", () => {
  const { m, adapter } = manager();
  m.config.rtp.streams = [{
    ssrc: 0x1234,
    ssrcs: [0x1234],
    name: "cam2",
    payloadTypes: {},
    sdp: "",
  }];
  m.config.srt.streams = { cam1: { passphrase: "" } };
  const squat = adapter.connect("cam2");
  assert.ok(!squat.ok && squat.reason === "name_reserved");
  assert.ok(!adapter.connect("ssrc-00001234").ok);
  assert.ok(!adapter.connect("cam1", { protocol: "rtp" }).ok);
  assert.ok(adapter.connect("cam2", { protocol: "rtp" }).ok, "the configured protocol gets it");
  assert.equal(m.refused.get("srt", "name_reserved"), 2);
  assert.equal(m.refused.get("rtp", "name_reserved"), 1);
});

Deno.test("manager: max_per_source caps live streams per source address", () => {
  const { m, adapter } = manager();
  m.config.ingestion.maxPerSource = 2;
  assert.ok(adapter.connect("a", { remote: "10.0.0.1:1" }).ok);
  assert.ok(adapter.connect("b", { remote: "10.0.0.1:2" }).ok);
  const c = adapter.connect("c", { remote: "10.0.0.1:3" });
  assert.ok(!c.ok && c.reason === "max_per_source");
  assert.ok(adapter.connect("d", { remote: "10.0.0.2:3" }).ok, "another address is not capped");
});

Deno.test("manager: a stream without media is closed after connect_timeout, slot freed", () => {
  const { m, adapter, advance } = manager(1);
  m.config.ingestion.connectTimeout = 1000;
  sink(adapter.connect("idle"));
  advance(900);
  m.tick();
  assert.equal(m.get("idle")?.state, "connecting");
  advance(200);
  m.tick();
  assert.equal(m.get("idle")?.state, "closed");
  assert.equal(m.get("idle")?.closeReason, "connect_timeout");
  assert.deepEqual(adapter.disconnected, ["idle:connect_timeout"]);
  assert.equal(m.closed.get("srt_connect_timeout"), 1);
  assert.ok(adapter.connect("next").ok, "the slot is free again");
});

Deno.test("manager: the global limit holds at every frame, not only at the tick", () => {
  const cfg = defaultConfig();
  cfg.ingestion.memory.globalLimit = 1000;
  const m = new Manager(cfg, silentLogger, {
    frameSink: () => {
      const held: number[] = [];
      return {
        push: (au) => void held.push(au.data.length),
        get bytes() {
          return held.reduce((a, b) => a + b, 0);
        },
        shed: () => held.splice(0, held.length).reduce((a, b) => a + b, 0),
      };
    },
  });
  const a = new FakeAdapter(m);
  const s1 = sink(a.connect("one", { remote: "10.0.0.1:1" }));
  const s2 = sink(a.connect("two", { remote: "10.0.0.2:1" }));
  let peak = 0;
  for (let i = 0; i < 40; i++) {
    (i % 2 ? s1 : s2).pushFrame(frame(1, i * 3000, i % 5 === 0));
    peak = Math.max(peak, m.bufferedBytes);
  }
  assert.ok(peak <= 1000, `peak ${peak}`);
  assert.ok(peak > 800);
});
