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
import { SLAB_TOTALS } from "@lib/core/slabs.ts";

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

/** Runs the input through the path; `check` after every 64th message (`step`) and at the end. */
function ingest(
  maxGops: number,
  check: (store: FrameStore, copies: Map<AccessUnit, Uint8Array>, step: number) => void,
) {
  const stream = new Stream({ protocol: "srt", name: "slabs", remote: "127.0.0.1:1" }, undefined, {
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
    assert.equal(r.ts.slabs.reused, 0, JSON.stringify(r.ts.slabs));
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
