import assert from "node:assert/strict";
import { defaultConfig } from "@lib/config/defaults.ts";
import { EventBus } from "@lib/stream/events.ts";
import { silentLogger } from "@lib/core/log.ts";
import { Manager } from "@lib/stream/manager.ts";

Deno.test("event bus: ids increase, ring resumes, a throwing listener is counted", () => {
  const bus = new EventBus(4);
  const seen: number[] = [];
  bus.subscribe(() => {
    throw new Error("bad listener");
  });
  const off = bus.subscribe((e) => seen.push(e.id));
  for (let i = 0; i < 6; i++) bus.emit("stream.closed", { stream: `s${i}`, reason: "x" });
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6]);
  assert.equal(bus.listenerErrors, 6);
  const r = bus.since(0);
  assert.deepEqual(r.events.map((e) => e.id), [3, 4, 5, 6]);
  assert.equal(r.missed, 2);
  assert.deepEqual(bus.since(5).events.map((e) => e.id), [6]);
  assert.equal(bus.since(6).events.length, 0);
  off();
  bus.emit("stream.closed", { stream: "z", reason: "x" });
  assert.equal(seen.length, 6);
});

Deno.test("manager emits opened, state, closed, refused and removed", () => {
  const cfg = defaultConfig();
  cfg.ingestion.maxConnections = 1;
  const m = new Manager(cfg, silentLogger);
  const types: string[] = [];
  m.events.subscribe((e) => types.push(`${e.type}:${JSON.stringify(e.data)}`));
  const hooks = { disconnect: () => {} };
  const a = m.open({ protocol: "srt", name: "cam1", remote: "127.0.0.1:1" }, hooks);
  assert.ok(a.ok);
  const b = m.open({ protocol: "rtp", name: "cam2", remote: "127.0.0.1:2" }, hooks);
  assert.ok(!b.ok);
  m.remove("cam1", "api_delete");
  assert.deepEqual(types.map((t) => t.split(":")[0]), [
    "stream.opened",
    "stream.refused",
    "stream.state",
    "stream.closed",
    "stream.removed",
  ]);
  assert.match(types[1], /"reason":"max_connections"/);
  assert.match(types[1], /"stream":"cam2"/);
});
