/**
 * StreamSync on synthetic MPEG-TS-like and RTP-like frame series with injected errors:
 * the measured offset, drift and A/V offset against what was injected, the output
 * timeline (starts at 0, continuous across jumps, DTS monotonic), correction within the
 * threshold, manual adjustment, and the reference change arrival -> rtcp.
 */
import assert from "node:assert/strict";
import type { AccessUnit } from "@lib/core/types.ts";
import { StreamSync } from "@lib/sync/stream_sync.ts";
import type { SyncEvents } from "@lib/sync/types.ts";
import type { BusEvent } from "@lib/stream/events.ts";

type Status = {
  reference: string;
  state: string;
  avOffsetMs: number | null;
  targetAvOffsetMs: number | null;
  outputAvOffsetMs: number | null;
  tracks: {
    id: number;
    offsetMs: number | null;
    driftPpm: number | null;
    samples: number;
    manualOffsetMs: number;
  }[];
  corrections: Record<string, number>;
};

interface Series {
  /** Seconds of media. */
  seconds: number;
  /** Audio PTS offset (ms) and clock scale (1.001 = 1000 ppm fast). */
  audioShiftMs?: number;
  audioScale?: number;
  /** With a PCR (TS) or without (arrival); RTP-like 48 kHz audio when !pcr. */
  pcr?: boolean;
  /** Arrival speed: content seconds per wall second. */
  speed?: number;
  /** Hook per frame (time in s) to change the series (jumps). */
  videoDtsAt?: (k: number) => number;
}

/** Video 25 fps (90 kHz) and audio 1024-sample frames at 48 kHz, interleaved by time. */
function* frames(s: Series): Generator<AccessUnit> {
  const speed = s.speed ?? 1;
  const vN = s.seconds * 25, aN = Math.floor(s.seconds * 48000 / 1024);
  let v = 0, a = 0;
  while (v < vN || a < aN) {
    const vt = v / 25, at = (a * 1024) / 48000;
    if (v < vN && (vt <= at || a >= aN)) {
      const dts = s.videoDtsAt ? s.videoDtsAt(v) : 900000 + v * 3600;
      yield {
        trackId: 256,
        codec: "h264",
        kind: "video",
        pts: dts + 7200,
        dts,
        clockRate: 90000,
        key: v % 25 === 0,
        data: new Uint8Array(1),
        arrivalMs: 1000 + (vt * 1000) / speed,
        ...(s.pcr ? { pcr: 900000 + v * 3600 - 63000 } : {}),
      };
      v++;
    } else {
      const scale = s.audioScale ?? 1;
      const shift = s.audioShiftMs ?? 0;
      const rate = s.pcr ? 90000 : 48000;
      const pts = Math.round((900000 / 90000) * rate + (at * scale + shift / 1000) * rate);
      yield {
        trackId: 257,
        codec: "aac",
        kind: "audio",
        pts,
        dts: pts,
        clockRate: rate,
        key: true,
        data: new Uint8Array(1),
        arrivalMs: 1000 + (at * 1000) / speed,
        duration: s.pcr ? 1920 : 1024,
        ...(s.pcr ? { pcr: 900000 + Math.round(at * 90000) - 63000 } : {}),
      };
      a++;
    }
  }
}

function run(
  s: Series,
  opts: { thresholdMs?: number; onFrame?: (au: AccessUnit, sync: StreamSync) => void } = {},
) {
  const events: BusEvent[] = [];
  const sync = new StreamSync({
    stream: "t",
    thresholdMs: () => opts.thresholdMs ?? 100,
    emit: <T extends keyof SyncEvents>(type: T, data: SyncEvents[T]) =>
      events.push({ id: events.length + 1, time: 0, type, data } as BusEvent),
  });
  const out: AccessUnit[] = [];
  for (const au of frames(s)) {
    sync.frame(au, (x) => out.push(x));
    opts.onFrame?.(au, sync);
  }
  return { sync, out, events, status: () => sync.status("t") as unknown as Status };
}

function assertMonotonicDts(out: AccessUnit[]): void {
  const last = new Map<number, number>();
  for (const au of out) {
    assert.ok(au.dtsMs !== undefined && au.ptsMs !== undefined);
    const l = last.get(au.trackId);
    if (l !== undefined) assert.ok(au.dtsMs! >= l, `track ${au.trackId} dts ${au.dtsMs} < ${l}`);
    last.set(au.trackId, au.dtsMs!);
  }
}

Deno.test("sync: TS reference pcr; audio +200 ms measured as avOffset +200; timeline from 0", () => {
  const base = run({ seconds: 20, pcr: true }).status();
  const { status, out } = run({ seconds: 20, pcr: true, audioShiftMs: 200 });
  const st = status();
  assert.equal(st.reference, "pcr");
  assert.equal(st.state, "locked");
  assert.ok(Math.abs(st.avOffsetMs! - base.avOffsetMs! - 200) < 1, `${st.avOffsetMs}`);
  // video: PTS - PCR = 700 ms + 80 ms reorder lead
  assert.ok(Math.abs(st.tracks[0].offsetMs! - 780) < 1, `${st.tracks[0].offsetMs}`);
  assert.equal(out[0].dtsMs, 0);
  assertMonotonicDts(out);
});

Deno.test("sync: audio clock 1000 ppm fast against the PCR -> driftPpm 1000, video 0", () => {
  const { status } = run({ seconds: 40, pcr: true, audioScale: 1.001, speed: 8 });
  const st = status();
  const [v, a] = st.tracks;
  assert.ok(Math.abs(a.driftPpm! - 1000) < 50, `audio ${a.driftPpm}`);
  assert.ok(Math.abs(v.driftPpm!) < 5, `video ${v.driftPpm}`);
});

Deno.test("sync: no PCR -> arrival; audio 1000 ppm fast measured against arrival", () => {
  const { status } = run({ seconds: 30, audioScale: 1.001 });
  const st = status();
  assert.equal(st.reference, "arrival");
  assert.ok(Math.abs(st.tracks[1].driftPpm! - 1000) < 30, `${st.tracks[1].driftPpm}`);
  // lined up by arrival at the first frame (by DTS): the relation is minus the video's
  // 80 ms reorder lead (PTS - DTS), plus the drift until the lock
  assert.ok(Math.abs(st.targetAvOffsetMs! + 80) < 10, `target ${st.targetAvOffsetMs}`);
});

Deno.test("sync: 20 ms threshold keeps the output within the threshold while the error grows", () => {
  let worst = 0;
  let engagedAt = -1;
  const r = run({ seconds: 40, pcr: true, audioScale: 1.005, speed: 10 }, {
    thresholdMs: 20,
    onFrame: (_au, sync) => {
      const s = sync.status("t") as unknown as Status;
      if (s.outputAvOffsetMs === null || s.targetAvOffsetMs === null) return;
      if (engagedAt < 0 && s.corrections.count > 0) engagedAt = s.avOffsetMs!;
      worst = Math.max(worst, Math.abs(s.outputAvOffsetMs - s.targetAvOffsetMs));
    },
  });
  const st = r.status();
  // 5000 ppm over 40 s: the raw error grows to ~200 ms
  assert.ok(st.avOffsetMs! - st.targetAvOffsetMs! > 150, `raw error ${st.avOffsetMs}`);
  assert.ok(worst <= 20, `output strayed ${worst} ms from the target`);
  assert.ok(st.corrections.count >= 1 && st.corrections.slewedMs > 150, JSON.stringify(st));
  assert.equal(st.corrections.framesDropped + st.corrections.framesDuplicated, 0);
  assert.equal(st.state, "correcting");
  assertMonotonicDts(r.out);
  assert.ok(r.events.some((e) => e.type === "sync.correction"));
});

Deno.test("sync: manual adjust moves the target; the output follows (frames duplicated, slewed)", () => {
  let adjusted = false;
  const r = run({ seconds: 30, pcr: true, speed: 10 }, {
    thresholdMs: 20,
    onFrame: (au, sync) => {
      if (!adjusted && au.arrivalMs > 1000 + 1000) {
        const res = sync.adjust(undefined, 300);
        assert.ok(res.ok);
        adjusted = true;
      }
    },
  });
  const st = r.status();
  assert.equal(st.tracks[1].manualOffsetMs, 300);
  assert.ok(Math.abs(st.targetAvOffsetMs! - st.avOffsetMs! - 300) < 1, JSON.stringify(st));
  assert.ok(Math.abs(st.outputAvOffsetMs! - st.targetAvOffsetMs!) < 1, JSON.stringify(st));
  assert.ok(st.corrections.framesDuplicated > 5, JSON.stringify(st.corrections));
  assertMonotonicDts(r.out);
  // the audio output really moved: 300 ms later than before against the video
  const a = r.out.filter((x) => x.kind === "audio");
  const last = a[a.length - 1];
  assert.ok(Math.abs(last.ptsMs! - ((last.pts - 900000) / 90 + 300)) < 1, `${last.ptsMs}`);
  assert.ok(r.events.some((e) => e.type === "sync.adjust"));
});

Deno.test("sync: encoder restart (timestamps jump) keeps the timeline continuous", () => {
  const r = run({
    seconds: 10,
    pcr: true,
    videoDtsAt: (k) => (k < 100 ? 900000 + k * 3600 : 500 + (k - 100) * 3600),
  });
  const v = r.out.filter((x) => x.kind === "video");
  for (let i = 1; i < v.length; i++) {
    const d = v[i].dtsMs! - v[i - 1].dtsMs!;
    assert.ok(d >= 0 && d < 100, `video dts step ${d} at ${i}`);
  }
  assert.ok(r.status().corrections.resyncs >= 1);
  assert.ok(r.events.some((e) => e.type === "sync.resync"));
});

/** `s`'s frames with arrivals `afterMs` later and source timestamps moved by `ticks` (90 kHz). */
function* later(s: Series, afterMs: number, ticks: number): Generator<AccessUnit> {
  for (const au of frames(s)) {
    const d = au.clockRate === 90000 ? ticks : Math.round((ticks / 90000) * au.clockRate);
    yield {
      ...au,
      pts: au.pts + d,
      dts: au.dts + d,
      arrivalMs: au.arrivalMs + afterMs,
      ...(au.pcr !== undefined ? { pcr: au.pcr + ticks } : {}),
    };
  }
}

for (const pcr of [true, false]) {
  Deno.test(`sync: a new session (${pcr ? "pcr" : "arrival"}) continues the timeline, one resync`, () => {
    const events: BusEvent[] = [];
    const sync = new StreamSync({
      stream: "t",
      thresholdMs: () => 100,
      emit: <T extends keyof SyncEvents>(type: T, data: SyncEvents[T]) =>
        events.push({ id: events.length + 1, time: 0, type, data } as BusEvent),
    });
    const out: AccessUnit[] = [];
    const sources: [number, number][] = [];
    const feed = (g: Generator<AccessUnit>) => {
      for (const au of g) {
        sources.push([au.pts, au.dts]);
        sync.frame(au, (x) => out.push(x));
      }
    };
    feed(frames({ seconds: 4, pcr }));
    const first = out.length;
    const newest = Math.max(...out.map((x) => x.dtsMs!));
    const lastArrival = out[first - 1].arrivalMs;
    // a publisher restarting 700 ms after the last frame, its timestamps 5 s earlier (as
    // ffmpeg's restart near 1.4 s would be)
    sync.reconnect();
    feed(later({ seconds: 3, pcr }, 4700, -450000));
    // ...and again at once, timestamps 10 s ahead: the second rebase counts too
    const second = out.length;
    sync.reconnect();
    feed(later({ seconds: 2, pcr }, 7700, 900000));
    assertMonotonicDts(out);
    for (const [i, au] of out.entries()) {
      assert.deepEqual([au.pts, au.dts], sources[i], "source pts/dts as sent");
    }
    const gap = out[first].arrivalMs - lastArrival;
    assert.ok(gap > 700 && gap < 800, `the publisher was silent ${gap} ms`);
    assert.ok(
      Math.abs(out[first].dtsMs! - (newest + gap)) < 0.01,
      `first frame of the new session at ${out[first].dtsMs}, newest ${newest} + gap ${gap}`,
    );
    for (const track of [256, 257]) {
      const before = out.slice(0, second).filter((x) => x.trackId === track);
      const after = out.slice(second).filter((x) => x.trackId === track);
      assert.ok(after[0].dtsMs! > before[before.length - 1].dtsMs!, `track ${track} continues`);
    }
    assert.equal(sync.corrections.resyncs, 2, "one per new session");
    const resyncs = events.filter((e) => e.type === "sync.resync").map((e) => e.data);
    assert.deepEqual(resyncs.map((d) => (d as { reason: string }).reason), [
      "reconnect",
      "reconnect",
    ]);
  });
}

Deno.test("sync: a new session right after a timestamp jump still counts its own resync", () => {
  const sync = new StreamSync({ stream: "t", thresholdMs: () => 100 });
  const out: AccessUnit[] = [];
  for (
    const au of frames({
      seconds: 4,
      pcr: true,
      videoDtsAt: (k) => (k < 95 ? 900000 + k * 3600 : 90000 + k * 3600),
    })
  ) sync.frame(au, (x) => out.push(x));
  assert.equal(sync.corrections.resyncs, 1, "the jump 0.2 s before the end");
  sync.reconnect();
  for (const au of later({ seconds: 1, pcr: true }, 4100, 0)) sync.frame(au, (x) => out.push(x));
  assert.equal(sync.corrections.resyncs, 2);
  assertMonotonicDts(out);
});
