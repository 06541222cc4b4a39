import assert from "node:assert/strict";
import { EventBus } from "@lib/stream/events.ts";
import { SseHub } from "../../../routes/sse_hub.ts";

const dec = new TextDecoder();

async function read(r: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const { value, done } = await r.read();
  return done ? "" : dec.decode(value);
}

function ids(chunk: string): number[] {
  return [...chunk.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
}

const closed = (i: number) => ({ stream: `s${i}`, reason: `r${i}` });

Deno.test("sse: a client that does not read keeps at most its queue; the gap is reported", async () => {
  const bus = new EventBus(64);
  const hub = new SseHub(bus, { queueEvents: 4 });
  const r = hub.open({}).getReader();
  assert.match(await read(r), /^retry: 3000\nevent: hello\ndata: \{"lastId":0,"queueLimit":4\}/);
  for (let i = 0; i < 10; i++) bus.emit("stream.closed", closed(i));
  assert.deepEqual(hub.stats(), {
    clients: 1,
    connections: 1,
    queuedEvents: 4,
    queueLimit: 4,
    sentEvents: 0,
    droppedEvents: 6,
  });
  const chunk = await read(r);
  assert.match(chunk, /^event: dropped\ndata: \{"dropped":6,"totalDropped":6\}\n\n/);
  assert.deepEqual(ids(chunk), [7, 8, 9, 10]);
  assert.match(chunk, /event: stream.closed\ndata: \{"time":\d+,"stream":"s9","reason":"r9"\}/);
  assert.equal(hub.stats().sentEvents, 4);
  assert.equal(hub.stats().queuedEvents, 0);
  await r.cancel();
  assert.equal(hub.stats().clients, 0);
  hub.close();
  assert.equal(bus.listenerCount, 0);
});

Deno.test("sse: Last-Event-ID resumes from the ring; ids gone from it count as dropped", async () => {
  const bus = new EventBus(4);
  const hub = new SseHub(bus, { queueEvents: 16 });
  for (let i = 0; i < 8; i++) bus.emit("stream.closed", closed(i));
  const a = hub.open({}, 6).getReader();
  await read(a);
  assert.deepEqual(ids(await read(a)), [7, 8]);
  const b = hub.open({}, 1).getReader(); // ring holds 5..8: 2, 3, 4 are gone
  await read(b);
  const chunk = await read(b);
  assert.match(chunk, /"dropped":3/);
  assert.deepEqual(ids(chunk), [5, 6, 7, 8]);
  hub.close();
  assert.equal(await read(a), "", "close() ends every client's stream");
});

Deno.test("sse: filters by type and stream; idle clients get a heartbeat comment", async () => {
  const bus = new EventBus(16);
  const hub = new SseHub(bus, { heartbeatMs: 20 });
  const r = hub.open({ types: new Set(["stream.closed"]), stream: "cam1" }).getReader();
  await read(r);
  bus.emit("stream.closed", { stream: "cam2", reason: "x" });
  bus.emit("stream.removed", { stream: "cam1", reason: "x" });
  assert.equal(hub.stats().queuedEvents, 0);
  assert.equal(await read(r), ": ping\n\n");
  bus.emit("stream.closed", { stream: "cam1", reason: "eof" });
  assert.deepEqual(ids(await read(r)), [3]);
  hub.close();
});
