/**
 * The MPEG-TS muxer against two oracles: sluice's own demuxer (every codec round-trips
 * frame for frame: count, pts, dts, key, bytes) and ffprobe/ffmpeg (H.264, H.265, AAC,
 * Opus: the same packets with the same timestamps and keyframes as the source file, and
 * the output decodes without a message). Also the transport rules: continuity counters,
 * PCR at most 40 ms apart, PAT/PMT versioning, random_access_indicator on keyframes.
 */
import assert from "node:assert/strict";
import { missing, readFixture, readPacketsCsv } from "../../../_helpers.ts";
import { capturePackets } from "../../../support/rtp.ts";
import { concatBytes } from "../../../../lib/core/bits.ts";
import { DEFAULT_PCR_DELAY_MS, TsMuxer } from "../../../../lib/container/mpegts/muxer.ts";
import { readTsHeader, TsHeader } from "../../../../lib/container/mpegts/packet.ts";
import { av1IsKeyTemporalUnit } from "../../../../lib/codecs/av1/key.ts";
import { RtpInput } from "../../../../lib/pipeline/rtp_input.ts";
import { PayloadMap } from "../../../../lib/transport/rtp/payload_map.ts";
import { parseSdp } from "../../../../lib/transport/rtp/sdp.ts";
import { ivfFrames } from "../../../support/ts.ts";
import type { AccessUnit } from "../../../../lib/core/types.ts";
import { collectingStream, decode, framesOf, muxAll, probePackets, withFile } from "./_mux.ts";

const noFfmpeg = missing("ffmpeg", "ffprobe");
/** What the muxer adds to output-timeline times (its PCR lead), 90 kHz. */
const LEAD = DEFAULT_PCR_DELAY_MS * 90;

/**
 * Per-track lists of [pts, dts, key, bytes] (the demuxer interleaves tracks its own way).
 * With `timeline`, a frame's times are those the muxer writes: its output-timeline
 * `ptsMs`/`dtsMs` (lib/sync) in 90 kHz when set, else its source pts/dts.
 */
function byTrack(
  frames: AccessUnit[],
  timeline = false,
): Map<number, [number, number, boolean, Uint8Array][]> {
  const m = new Map<number, [number, number, boolean, Uint8Array][]>();
  for (const f of frames) {
    const l = m.get(f.trackId) ?? [];
    const on = timeline && f.ptsMs !== undefined && f.dtsMs !== undefined;
    l.push([
      on ? Math.round(f.ptsMs! * 90) + LEAD : f.pts,
      on ? Math.round(f.dtsMs! * 90) + LEAD : f.dts,
      f.key,
      f.data,
    ]);
    m.set(f.trackId, l);
  }
  return m;
}

/** Source 90 kHz time minus output-timeline time (one constant while nothing is corrected). */
function timelineBase(frames: AccessUnit[]): number {
  const f = frames[0];
  return f.pts - Math.round(f.ptsMs! * 90) - LEAD;
}

/** Drops a leading access unit delimiter (the muxer adds one when the source had none). */
function noAud(d: Uint8Array, codec: string): Uint8Array {
  const aud = codec === "h264" ? (d[4] & 0x1f) === 9 : ((d[4] >> 1) & 0x3f) === 35;
  if (d[0] !== 0 || d[1] !== 0 || d[2] !== 0 || d[3] !== 1 || !aud) return d;
  let i = 5;
  while (
    i + 3 < d.length && !(d[i] === 0 && d[i + 1] === 0 && (d[i + 2] === 1 || d[i + 3] === 1))
  ) i++;
  return d.subarray(i);
}

/** Asserts the muxed frames come back as the source frames, track by track. */
function assertRoundTrip(src: AccessUnit[], back: AccessUnit[]): void {
  const a = byTrack(src, true), b = byTrack(back);
  assert.deepEqual([...b.keys()].length, [...a.keys()].length, "same track count");
  const ids = [...b.keys()].sort();
  [...a.keys()].sort().forEach((id, i) => {
    const x = a.get(id)!, y = b.get(ids[i])!;
    const codec = src.find((f) => f.trackId === id)!.codec;
    assert.equal(y.length, x.length, `track ${id} frame count`);
    assert.deepEqual(
      y.map((f) => f.slice(0, 3)),
      x.map((f) => f.slice(0, 3)),
      `track ${id} pts/dts/key`,
    );
    for (let k = 0; k < x.length; k++) {
      assert.deepEqual(
        noAud(y[k][3], codec),
        noAud(x[k][3], codec),
        `track ${id} frame ${k} bytes`,
      );
    }
  });
}

/** Transport checks: CC continuity per PID, PCR gaps, RAI on every video key PES start. */
function assertTransport(ts: Uint8Array, pcrPid = 0x100): { pcrs: number; maxGap: number } {
  const h = new TsHeader();
  const cc = new Map<number, number>();
  let last: number | undefined;
  let maxGap = 0, pcrs = 0;
  assert.equal(ts.length % 188, 0);
  for (let o = 0; o < ts.length; o += 188) {
    const p = ts.subarray(o, o + 188);
    assert.equal(p[0], 0x47);
    assert.equal(readTsHeader(p, h), undefined);
    if (h.hasPayload) {
      const prev = cc.get(h.pid);
      if (prev !== undefined) assert.equal(h.cc, (prev + 1) & 15, `cc on pid ${h.pid} at ${o}`);
      cc.set(h.pid, h.cc);
    }
    if (h.pid === pcrPid && h.pcrBase >= 0) {
      if (last !== undefined) maxGap = Math.max(maxGap, h.pcrBase - last);
      assert.ok(last === undefined || h.pcrBase >= last, "PCR never goes back");
      last = h.pcrBase;
      pcrs++;
    }
  }
  return { pcrs, maxGap };
}

for (const [file, codec] of [["h264_aac.ts", "h264"], ["hevc_aac.ts", "h265"]] as const) {
  Deno.test({
    name: `muxer: ${codec}+AAC from ${file} round-trips through sluice's demuxer and ffprobe`,
    ignore: noFfmpeg,
    fn() {
      const src = framesOf(readFixture(`ts/${file}`));
      const out = muxAll(src.frames);
      const back = framesOf(out);
      assert.deepEqual(back.stream.errors.toJSON(), {});
      assert.deepEqual(back.stream.drops.toJSON(), {});
      assertRoundTrip(src.frames, back.frames);
      const t = assertTransport(out);
      assert.ok(t.pcrs > 10 && t.maxGap <= 3600, `PCR gaps <= 40 ms (max ${t.maxGap})`);
      withFile(out, (p) => {
        const v = probePackets(p, "v:0"), a = probePackets(p, "a:0");
        const ov = readPacketsCsv(`ts/${file}.v.packets.csv`);
        const oa = readPacketsCsv(`ts/${file}.a.packets.csv`);
        // the output timeline starts near 0: the source's times less one common base
        const base = timelineBase(src.frames);
        assert.deepEqual(
          v.map((x) => [x.pts, x.dts, x.key]),
          ov.map((x) => [x.pts - base, x.dts - base, x.key]),
        );
        assert.deepEqual(a.map((x) => [x.pts, x.key]), oa.map((x) => [x.pts - base, x.key]));
        const d = decode(p);
        assert.equal(d.stderr, "");
        assert.deepEqual([d.video, d.audio], [ov.length, oa.length], "every frame decodes");
      });
    },
  });
}

Deno.test({
  name: "muxer: Opus (ffmpeg libopus TS) round-trips: control headers, registration, ffprobe",
  ignore: noFfmpeg,
  fn() {
    const dir = Deno.makeTempDirSync();
    try {
      const srcFile = `${dir}/opus.ts`;
      const enc = new Deno.Command("ffmpeg", {
        args: [
          "-v",
          "error",
          "-f",
          "lavfi",
          "-i",
          "sine=frequency=440:duration=1",
          "-ac",
          "2",
          "-c:a",
          "libopus",
          "-b:a",
          "64k",
          "-f",
          "mpegts",
          srcFile,
        ],
      }).outputSync();
      assert.ok(enc.success, new TextDecoder().decode(enc.stderr));
      const src = framesOf(Deno.readFileSync(srcFile));
      assert.ok(src.frames.length > 40);
      const out = muxAll(src.frames);
      const back = framesOf(out);
      assert.deepEqual(back.stream.errors.toJSON(), {});
      assertRoundTrip(src.frames, back.frames);
      assert.equal(back.stream.tracks.values().next().value!.info.codecSource, "ts_descriptor");
      withFile(out, (p) => {
        const base = timelineBase(src.frames);
        assert.deepEqual(
          probePackets(p, "a:0").map((x) => x.pts),
          probePackets(srcFile, "a:0").map((x) => x.pts - base),
        );
        const d = decode(p);
        assert.equal(d.stderr, "");
        assert.equal(d.audio, src.frames.length);
      });
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

function videoAu(
  trackId: number,
  codec: "av1" | "jpegxs",
  data: Uint8Array,
  i: number,
  key: boolean,
): AccessUnit {
  const pts = 900_000 + 3000 * i;
  return {
    trackId,
    codec,
    kind: "video",
    pts,
    dts: pts,
    clockRate: 90000,
    key,
    data,
    arrivalMs: i,
  };
}

Deno.test("muxer: AV1 (start-code format, 'AV01' + AV1 video descriptor) round-trips frame for frame", () => {
  const tus = ivfFrames(readFixture("es/av1_aom.ivf"), 1000);
  assert.equal(tus.length, 60);
  const src = tus.map((d, i) => videoAu(1, "av1", d, i, av1IsKeyTemporalUnit(d)));
  assert.equal(src.filter((f) => f.key).length, 2);
  const m = new TsMuxer();
  const out = muxAll(src, {}, m);
  assert.deepEqual(m.tracks.map((t) => [t.codec, t.streamType]), [["av1", 0x06]]);
  const back = framesOf(out);
  assert.deepEqual(back.stream.errors.toJSON(), {});
  assertRoundTrip(src, back.frames);
  const info = [...back.stream.tracks.values()][0].info;
  assert.deepEqual([info.codec, info.codecSource, info.width, info.height], [
    "av1",
    "ts_descriptor",
    320,
    240,
  ]);
});

Deno.test("muxer: JPEG XS (0x32, descriptor + jxes header) round-trips frame for frame", () => {
  const jxs = readFixture("jpegxs/svt_320x240_422_10f.jxs");
  const src = Array.from(
    { length: 10 },
    (_, i) => videoAu(7, "jpegxs", jxs.subarray(i * 28800, (i + 1) * 28800), i, true),
  );
  const m = new TsMuxer();
  const out = muxAll(src, {}, m);
  assert.deepEqual(m.tracks.map((t) => [t.codec, t.streamType]), [["jpegxs", 0x32]]);
  const back = framesOf(out);
  assert.deepEqual(back.stream.errors.toJSON(), {});
  assertRoundTrip(src, back.frames);
  assert.equal([...back.stream.tracks.values()][0].info.width, 320);
  // every PES starts with the 30-byte jxes box
  const jxes = [0, 0, 0, 30, 0x6a, 0x78, 0x65, 0x73];
  let boxes = 0;
  for (let o = 0; o + 8 < out.length; o++) if (jxes.every((b, k) => out[o + k] === b)) boxes++;
  assert.equal(boxes, 10);
});

Deno.test("muxer: PAT/PMT versioned when a track appears; PCR-only packets fill 100 ms gaps", () => {
  const m = new TsMuxer();
  const v = (i: number, key: boolean): AccessUnit => ({
    trackId: 1,
    codec: "h264",
    kind: "video",
    pts: 9000 * i,
    dts: 9000 * i,
    clockRate: 90000,
    key,
    data: new Uint8Array([0, 0, 0, 1, key ? 0x65 : 0x41, 0x88, 0x84]),
    arrivalMs: i * 100,
  });
  const first = m.mux(v(0, true));
  assert.equal(m.pmtVersion, 0);
  const outs = [first, m.mux(v(1, false))];
  outs.push(m.mux({
    trackId: 2,
    codec: "opus",
    kind: "audio",
    pts: 20000,
    dts: 20000,
    clockRate: 90000,
    key: true,
    data: new Uint8Array([0xfc, 1, 2]),
    arrivalMs: 200,
  }));
  assert.equal(m.pmtVersion, 1, "a new track bumps the PMT version");
  assert.deepEqual(m.tracks.map((t) => t.pid), [0x100, 0x101]);
  const t = assertTransport(concatBytes([...outs, m.mux(v(2, false)), m.mux(v(3, false))]));
  assert.ok(t.maxGap <= 3600, `PCR-only packets between frames 100 ms apart (max gap ${t.maxGap})`);
  const h = new TsHeader();
  let rai = false;
  for (let o = 0; o < first.length; o += 188) {
    readTsHeader(first.subarray(o, o + 188), h);
    if (h.pid === 0x100 && h.pusi) rai = h.randomAccess;
  }
  assert.ok(rai, "random_access_indicator on the keyframe's first packet");
  let g711 = 0;
  const m2 = new TsMuxer({ count: (r) => void (r === "mux_unsupported_codec" && g711++) });
  assert.equal(
    m2.mux({
      trackId: 0,
      codec: "pcmu",
      kind: "audio",
      pts: 0,
      dts: 0,
      clockRate: 8000,
      key: true,
      data: new Uint8Array(160),
      arrivalMs: 0,
    }).length,
    0,
  );
  assert.equal(g711, 1, "G.711 has no MPEG-TS mapping: counted, not muxed");
});

Deno.test({
  name:
    "muxer: RTP H.264 + Opus (one ffmpeg session, av_rtp captures) as one TS decodes with ffmpeg",
  ignore: noFfmpeg,
  fn() {
    const { stream, frames } = collectingStream("rtp");
    const sdp = parseSdp(new TextDecoder().decode(readFixture("rtp/av_rtp.sdp")));
    if (!sdp.ok) throw new Error(sdp.reason);
    const map = new PayloadMap().addSdp(sdp.value);
    const input = new RtpInput(stream, { lookup: (pt) => map.lookup(pt), emitAfterLoss: false });
    const v = capturePackets("av_rtp_15004.bin"), a = capturePackets("av_rtp_15008.bin");
    const all = [...v, ...a].sort((x, y) => x.arrivalMs - y.arrivalMs);
    const deps = new Map<number, ReturnType<RtpInput["create"]>>();
    for (const p of all) {
      if (!deps.has(p.payloadType)) deps.set(p.payloadType, input.create(p.payloadType, p));
      deps.get(p.payloadType)!.push(p, false);
    }
    for (const d of deps.values()) d!.flush();
    const vf = frames.filter((f) => f.codec === "h264"),
      af = frames.filter((f) => f.codec === "opus");
    assert.ok(vf.length > 10 && af.length > 10);
    const m = new TsMuxer({ alignTracks: true, paramSets: (id) => stream.params.get(id)?.sets });
    m.declare([...stream.tracks.values()].map((t) => t.info));
    const out = muxAll(frames, {}, m);
    withFile(out, (p) => {
      const d = decode(p);
      assert.equal(d.stderr, "");
      assert.deepEqual([d.video, d.audio], [vf.length, af.length]);
      const ap = probePackets(p, "a:0"), vp = probePackets(p, "v:0");
      // both tracks start within 200 ms of each other on the output clock (arrival-aligned)
      assert.ok(Math.abs(ap[0].pts - vp[0].pts) < 18000, `${ap[0].pts} vs ${vp[0].pts}`);
    });
  },
});
