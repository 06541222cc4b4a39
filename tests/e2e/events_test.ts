/**
 * GET /api/v1/events through a running sluice: a client that stops reading costs at most
 * its queue (the server's counters in /api/v1/stats say so) while a reading client keeps
 * getting events; a reconnect with Last-Event-ID resumes; real streams (an RTP replay)
 * produce opened, stats and gop events.
 */
import assert from "node:assert/strict";
import { readCapture } from "../support/replay.ts";
import { replay } from "../support/replay.ts";
import { startTestServer, until } from "./_server.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
type Json = Record<string, unknown>;

/** Reads SSE blocks from a fetch body until `stop` says so or `ms` pass. */
async function collect(
  body: ReadableStream<Uint8Array>,
  stop: (blocks: string[]) => boolean,
  ms = 10_000,
): Promise<string[]> {
  const r = body.getReader();
  const dec = new TextDecoder();
  const blocks: string[] = [];
  let buf = "";
  const timer = setTimeout(() => r.cancel(), ms);
  try {
    while (!stop(blocks)) {
      const { value, done } = await r.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        blocks.push(buf.slice(0, i));
        buf = buf.slice(i + 2);
      }
    }
  } finally {
    clearTimeout(timer);
    await r.cancel().catch(() => {});
  }
  return blocks;
}

const idOf = (b: string) => Number(/^id: (\d+)$/m.exec(b)?.[1] ?? NaN);

Deno.test({
  name: "events: a client that stops reading stays bounded, a reading one keeps up, resume works",
  ...opts,
  async fn() {
    const ts = await startTestServer();
    const bus = ts.server.manager.events;
    const slow = await Deno.connect({ hostname: "127.0.0.1", port: Number(ts.url.split(":")[2]) });
    try {
      await slow.write(
        new TextEncoder().encode("GET /api/v1/events HTTP/1.1\r\nHost: x\r\n\r\n"),
      );
      const stats = async () => ((await ts.get("/api/v1/stats")).events as Json);
      assert.ok(await until(async () => (await stats()).clients === 1), "slow client connected");
      const fast = await fetch(`${ts.url}/api/v1/events?types=stream.closed`);
      assert.equal(fast.headers.get("content-type"), "text/event-stream; charset=utf-8");
      const big = "x".repeat(2000);
      const total = 20_000;
      const target = bus.lastId + total;
      const reading = collect(fast.body!, (b) => b.some((x) => idOf(x) === target));
      let maxQueued = 0;
      for (let i = 0; i < total / 200; i++) {
        for (let j = 0; j < 200; j++) {
          bus.emit("stream.closed", { reason: big, stream: `s${i}` });
        }
        await new Promise((r) => setTimeout(r, 1));
        if (i % 10 === 0) maxQueued = Math.max(maxQueued, (await stats()).queuedEvents as number);
      }
      const blocks = await reading;
      const last = bus.lastId;
      assert.ok(blocks.some((b) => idOf(b) === last), "the reading client got the newest event");
      const s = await stats();
      const limit = s.queueLimit as number;
      assert.ok(maxQueued <= 2 * limit, `queued ${maxQueued} > ${2 * limit}`);
      assert.ok((s.droppedEvents as number) > total / 2, `dropped ${s.droppedEvents}`);
      // What the slow client was sent is what fits in socket buffers, not the 40 MB emitted:
      // the hub's total less what the reading client got (it keeps up, so that is most).
      const fastGot = blocks.filter((b) => idOf(b) > 0).length;
      const slowSent = (s.sentEvents as number) - fastGot;
      assert.ok(slowSent < total / 2, `sent ${s.sentEvents}, the reading client got ${fastGot}`);
      const text = await (await fetch(`${ts.url}/metrics`)).text();
      assert.match(text, /^sluice_sse_dropped_events_total [1-9]\d*$/m);
      slow.close();
      bus.emit("stream.closed", { stream: "poke", reason: "x" }); // a write finds it gone
      assert.ok(await until(async () => (await stats()).clients === 0), "slow client cleaned up");

      const resumed = await fetch(`${ts.url}/api/v1/events`, {
        headers: { "last-event-id": String(last - 2) },
      });
      const rb = await collect(resumed.body!, (b) => b.filter((x) => idOf(x) > 0).length >= 3);
      assert.deepEqual(rb.map(idOf).filter((x) => x > 0), [last - 1, last, last + 1]);
      const bad = await fetch(`${ts.url}/api/v1/events?types=nope`);
      assert.equal(bad.status, 400);
      await bad.body?.cancel();
      const badId = await fetch(`${ts.url}/api/v1/events`, { headers: { "last-event-id": "x" } });
      assert.equal(badId.status, 400);
      await badId.body?.cancel();
    } finally {
      try {
        slow.close();
      } catch { /* closed above */ }
      await ts.stop();
    }
  },
});

Deno.test({
  name: "events: an RTP stream gives opened, per-second stats and gop events; recent and history",
  ...opts,
  async fn() {
    const ts = await startTestServer();
    try {
      const res = await fetch(`${ts.url}/api/v1/events`);
      const got = collect(
        res.body!,
        (b) =>
          b.some((x) => x.includes("event: stream.stats")) &&
          b.some((x) => x.includes("event: stream.gop")),
      );
      const dgrams = readCapture("rtp/rtp_h264_ffmpeg.bin");
      await replay(dgrams, { hostname: "127.0.0.1", port: ts.rtpPort }, { pace: "recorded" });
      const blocks = await got;
      const opened = blocks.find((b) => b.includes("event: stream.opened"));
      assert.ok(opened, blocks.join("\n"));
      const id = JSON.parse(opened.split("data: ")[1]).stream as string;
      const stats = blocks.find((b) => b.includes("event: stream.stats"))!;
      const st = JSON.parse(stats.split("data: ")[1]);
      assert.equal(st.stream, id);
      assert.ok(st.bitrateBps >= 0 && typeof st.time === "number");
      const gop = JSON.parse(
        blocks.find((b) => b.includes("event: stream.gop"))!.split("data: ")[1],
      );
      assert.equal(gop.codec, "h264");
      const recent = await ts.get(`/api/v1/events/recent?types=stream.opened&limit=5`);
      assert.equal((recent.events as Json[]).at(-1)?.type, "stream.opened");
      const h = await ts.get(`/api/v1/stats/streams/${id}/history`);
      assert.equal(h.intervalMs, 1000);
      assert.ok((h.bitrateBps as number[]).length >= 1);
      assert.equal((h.t as number[]).length, (h.fps as number[]).length);
    } finally {
      await ts.stop();
    }
  },
});
