/**
 * PES slab reuse (lib/core/slabs.ts) on a real stream: ffmpeg encodes 12 s of noisy 720p
 * H.264 at 12 Mb/s with 0.5 s GOPs into MPEG-TS; TsInput -> Stream -> FrameStore take it
 * in 1316-byte messages, as an SRT connection feeds them. A copy of every frame is taken
 * as it enters the store. While slabs are reused, every frame still in the GOP buffer
 * must equal its copy (a reused slab under a buffered frame would change its bytes),
 * and so must every frame a consumer queued; frames counted against ffprobe.
 */
import assert from "node:assert/strict";
import { FrameStore } from "@lib/pipeline/frame_store.ts";
import { TsInput } from "@lib/pipeline/ts_input.ts";
import { Stream } from "@lib/stream/stream.ts";
import type { AccessUnit } from "@lib/core/types.ts";
import { fuzzRuns, missing } from "@tests/_helpers.ts";
import { toolOutput, withFfmpegTs } from "@tests/support/ffmpeg.ts";
import fc from "npm:fast-check@^3";
import { SLAB_TOTALS, SPARE_SLABS } from "@lib/core/slabs.ts";
import { PES_SLAB_BYTES } from "@lib/container/mpegts/pes.ts";

let encoded: { data: Uint8Array; videoPackets: number } | undefined;

/** The ffmpeg-made input and ffprobe's count of its video packets (made once). */
function input(): { data: Uint8Array; videoPackets: number } {
  const source = ["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30,noise=alls=30:allf=t"]
    .concat(["-f", "lavfi", "-i", "sine", "-t", "12"]);
  const codecs = ["-c:v", "libx264", "-preset", "ultrafast", "-b:v", "12M", "-g", "15"]
    .concat(["-c:a", "aac"]);
  return encoded ??= withFfmpegTs([...source, ...codecs], (path) => {
    const out = toolOutput(
      "ffprobe",
      ["-v", "error", "-select_streams", "v", "-count_packets"]
        .concat(["-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", path]),
    );
    return { data: Deno.readFileSync(path), videoPackets: Number(out.trim().split("\n")[0]) };
  });
}

/** A stream with a frame store whose every stored frame is copied. */
function storedStream(name: string, maxGops: number) {
  const stream = new Stream({ protocol: "srt", name, remote: "127.0.0.1:1" }, undefined, {
    frameSink: (s) =>
      new FrameStore({
        maxGops,
        maxBytes: 256 << 20,
        count: (r, n) => s.count(r, n),
        params: s.params,
      }),
  }); // deno-fmt-ignore
  const store = stream.frameSink as FrameStore;
  const copies = new Map<AccessUnit, Uint8Array>();
  const push = store.push.bind(store);
  store.push = (au) => {
    copies.set(au, au.data.slice());
    push(au);
  };
  return { stream, store, copies };
}

/** Runs the input through the path; `check` after every 64th message (`step`) and at the end. */
function ingest(
  maxGops: number,
  check: (store: FrameStore, copies: Map<AccessUnit, Uint8Array>, step: number) => void,
) {
  const { stream, store, copies } = storedStream("slabs", maxGops);
  const ts = new TsInput(stream, { frameTimeoutMs: 5000 });
  const { data } = input();
  for (let o = 0, t = 0; o < data.length; o += 1316, t++) {
    stream.received(1316, 7, t);
    ts.push(data.subarray(o, o + 1316), t);
    if (t % 64 === 0) check(store, copies, t / 64);
  }
  ts.flush();
  check(store, copies, -1);
  const video = [...stream.tracks.values()].find((t) => t.info.kind === "video")!;
  return { ts, store, copies, frames: video.frames, track: video.info.id };
}

/** Index of the first byte where `a` and `b` differ, -1 when equal (a short failure message). */
function diff(a: Uint8Array, b: Uint8Array | undefined): number {
  if (!b || a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** Every buffered video frame still has the bytes it had when it entered the store. */
function buffered(store: FrameStore, copies: Map<AccessUnit, Uint8Array>, track: number): number {
  let n = 0;
  for (const g of store.buffer.gops(track)) {
    for (const s of g.slots) {
      const at = diff(s.au.data, copies.get(s.au));
      assert.equal(at, -1, `frame ${s.index} changed in the buffer at byte ${at}`);
      n++;
    }
  }
  return n;
}

for (const maxGops of [1, 3]) {
  Deno.test({
    name:
      `slab reuse: ffmpeg H.264 TS, gop_buffer_size ${maxGops}: slabs reused, buffered frames intact`,
    ignore: missing("ffmpeg", "ffprobe"),
    fn() {
      let track = -1;
      let checked = 0;
      const before = { ...SLAB_TOTALS };
      const r = ingest(maxGops, (store, copies) => {
        if (track < 0) track = [...copies.keys()].find((a) => a.kind === "video")?.trackId ?? -1;
        if (track >= 0) checked += buffered(store, copies, track);
      });
      assert.equal(r.frames, input().videoPackets, "video frames = ffprobe's packets");
      assert.ok(r.ts.slabs.reused > 0, `no slab reused: ${JSON.stringify(r.ts.slabs)}`);
      assert.ok(r.ts.slabs.reused > r.ts.slabs.fresh, JSON.stringify(r.ts.slabs));
      // what /metrics reports (sluice_pes_slabs_total)
      assert.equal(SLAB_TOTALS.reused - before.reused, r.ts.slabs.reused);
      assert.equal(SLAB_TOTALS.fresh - before.fresh, r.ts.slabs.fresh);
      assert.ok(checked > 1000, `${checked} buffered frames checked`);
    },
  });
}

Deno.test({
  name: "slab reuse: frames a consumer queued are pinned: all intact, no slab reused",
  ignore: missing("ffmpeg", "ffprobe"),
  fn() {
    const spares = SPARE_SLABS.count; // what other tests' removed streams left
    let consumer: ReturnType<FrameStore["output"]["subscribe"]> | undefined;
    const r = ingest(1, (store) => {
      consumer ??= store.output.subscribe({ maxBytes: 256 << 20, maxFrames: 100_000 });
    });
    const queued: AccessUnit[] = [];
    for (let au = consumer!.next(); au; au = consumer!.next()) queued.push(au);
    const video = queued.filter((a) => a.kind === "video");
    assert.equal(video.length, input().videoPackets);
    for (const au of queued) {
      assert.equal(diff(au.data, r.copies.get(au)), -1, "a queued frame changed");
    }
    // none of its own slabs came back: what it reused, it took from the spares
    assert.ok(r.ts.slabs.reused <= spares, JSON.stringify({ ...r.ts.slabs, spares }));
  },
});

/** What a test does to the store between messages: every way a frame leaves it or goes. */
const OPS = ["read", "preview", "live", "subscribe", "close", "session", "shed"] as const;
type Op = typeof OPS[number];
type Consumer = ReturnType<FrameStore["output"]["subscribe"]>;

/** Applies `op`; frames handed out go to `held` (the ones taken from the store as they are). */
function apply(op: Op, store: FrameStore, held: AccessUnit[], consumers: Consumer[]): void {
  const frames = store.index({}).frames;
  if (op === "read" && frames.length) held.push(store.frame(frames[frames.length >> 1].index)!);
  if (op === "preview") held.push(...[store.preview()].filter((a) => a !== undefined));
  if (op === "live") held.push(...store.fromLatestKey());
  if (op === "subscribe") {
    consumers.push(store.output.subscribe({ maxBytes: 256 << 20, maxFrames: 100_000 }));
  }
  if (op === "close") consumers.shift()?.close();
  if (op === "session") store.newSession();
  if (op === "shed") store.shed();
}

Deno.test({
  name: "slab reuse: any mix of API reads, previews, live backlogs, consumers, new sessions and " +
    "sheds leaves every frame still held intact",
  ignore: missing("ffmpeg", "ffprobe"),
  fn() {
    const steps = Math.floor(input().data.length / 1316 / 64);
    const op = fc.record({ at: fc.integer({ min: 0, max: steps }), op: fc.constantFrom(...OPS) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 10 }), fc.integer({ min: 1, max: 3 }), (ops, gops) => {
        const held: AccessUnit[] = [];
        const consumers: Consumer[] = [];
        let track = -1;
        const r = ingest(gops, (store, copies, step) => {
          const now = ops.filter((o) => o.at === step);
          for (const o of now) apply(o.op, store, held, consumers);
          if (track < 0) track = [...copies.keys()].find((a) => a.kind === "video")?.trackId ?? -1;
          if ((now.length || step < 0) && track >= 0) buffered(store, copies, track);
        });
        for (const c of consumers) for (let au = c.next(); au; au = c.next()) held.push(au);
        for (const au of held) {
          // a preview may be a new buffer (parameter sets put in front): its tail is the frame
          const copy = r.copies.get(au);
          if (copy) assert.equal(diff(au.data, copy), -1, `a held frame changed (${au.pts})`);
        }
      }),
      { numRuns: fuzzRuns(12) },
    );
  },
});

/** Feeds `data[from, to)` in 1316-byte messages; every buffered frame checked every 64. */
function feed(
  s: ReturnType<typeof storedStream>,
  ts: TsInput,
  data: Uint8Array,
  from: number,
  to: number,
): void {
  for (let o = from, t = 0; o < to; o += 1316, t++) {
    s.stream.received(1316, 7, t);
    ts.push(data.subarray(o, Math.min(o + 1316, to)), t);
    if (t % 64 === 0) {
      for (const track of s.stream.tracks.keys()) buffered(s.store, s.copies, track);
    }
  }
}

/** The slabs (ArrayBuffers) the video frames of `copies` were cut from. */
const slabsOf = (copies: Map<AccessUnit, Uint8Array>) =>
  new Set([...copies.keys()].filter((a) => a.kind === "video").map((a) => a.data.buffer));

Deno.test({
  name: "slab reuse across inputs: a reconnected publisher and a removed stream hand their " +
    "slabs on; every buffered and every held frame stays intact",
  ignore: missing("ffmpeg", "ffprobe"),
  fn() {
    const { data, videoPackets } = input();
    while (SPARE_SLABS.take(PES_SLAB_BYTES)); // none left by other tests' streams
    const half = Math.floor(data.length / 2 / 1316) * 1316;
    const a = storedStream("a", 3);
    const first = new TsInput(a.stream, { frameTimeoutMs: 5000 });
    feed(a, first, data, 0, half);
    // an API reader keeps frames (pinned where they leave the store): the oldest and newest
    // buffered video frames now, of slabs the buffer gives back after the reconnect, and
    // the same again before the stream is removed
    const track = [...a.stream.tracks.values()].find((t) => t.info.kind === "video")!.info.id;
    const hold = () => {
      const entries = a.store.index({ track }).frames;
      return [a.store.frame(entries[0].index)!, a.store.frame(entries.at(-1)!.index)!];
    };
    const held = hold();
    const firstSlabs = slabsOf(a.copies);
    // the publisher reconnects: the old input ends, a new one continues the stream
    first.close();
    a.stream.beginSession({ remote: "127.0.0.1:2" });
    const second = new TsInput(a.stream, { frameTimeoutMs: 5000 });
    const seen = a.copies.size;
    feed(a, second, data, half, data.length);
    held.push(...hold());
    second.close();
    const secondSlabs = new Set(
      [...a.copies.keys()].slice(seen).filter((x) => x.kind === "video").map((x) => x.data.buffer),
    );
    assert.ok(
      [...secondSlabs].some((b) => firstSlabs.has(b)),
      "the new session reused a slab of the old one",
    );
    // the stream is removed: its buffer goes, its slabs serve the next stream
    const aSlabs = slabsOf(a.copies);
    a.stream.discard();
    assert.equal(a.store.index({}).frames.length, 0);
    const b = storedStream("b", 3);
    const next = new TsInput(b.stream, { frameTimeoutMs: 5000 });
    feed(b, next, data, 0, data.length);
    next.close();
    for (const track of b.stream.tracks.keys()) buffered(b.store, b.copies, track);
    const bSlabs = slabsOf(b.copies);
    assert.ok(
      [...bSlabs].some((x) => aSlabs.has(x)),
      "the next stream reused a removed one's slab",
    );
    for (const au of held) {
      assert.equal(diff(au.data, a.copies.get(au)), -1, "a frame an API reader held changed");
      assert.ok(!bSlabs.has(au.data.buffer), "a pinned slab went to another stream");
    }
    const video = [...b.stream.tracks.values()].find((t) => t.info.kind === "video")!;
    assert.equal(video.frames, videoPackets, "video frames = ffprobe's packets");
  },
});
