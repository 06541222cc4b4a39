/**
 * RTP end to end against live third-party senders: ffmpeg `-f rtp` (H.264, H.265,
 * Opus, PCMU, AAC with the SDP ffmpeg writes) and GStreamer payloaders (rtph264pay,
 * rtph265pay, rtpopuspay) sending to a running sluice on loopback. The API must show
 * each stream with the right codec (inferred where no SDP), ffprobe's packet count of
 * the source as the frame count, the source's picture size or sample rate/channels,
 * no errors, and the sender reports ffmpeg sends to port + 1 (RFC 3550 6.4.1).
 */
import assert from "node:assert/strict";
import { fixture, freePort, missing } from "@tests/_helpers.ts";
import { finish, type Peer, spawn } from "./srt_harness.ts";
import { startTestServer, type TestServer, until } from "./_server.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
type Json = Record<string, unknown>;

/** What ffprobe says about the first stream of one kind in a file. */
interface Probe {
  packets: number;
  codec: string;
  width?: number;
  height?: number;
  sampleRate?: number;
  channels?: number;
  bytes: number;
  /** Packet sizes in file order. */
  sizes: number[];
  keyframes: number;
}

/** ffprobe's packet count (`-count_packets`), summed packet sizes and stream facts. */
async function probe(file: string, sel: "v:0" | "a:0", input: string[] = []): Promise<Probe> {
  const out = await new Deno.Command("ffprobe", {
    args: [
      "-v",
      "error",
      ...input,
      "-count_packets",
      "-select_streams",
      sel,
      "-show_entries",
      "stream=codec_name,width,height,sample_rate,channels,nb_read_packets:packet=size,flags",
      "-of",
      "json",
      file,
    ],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(10_000),
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const j = JSON.parse(new TextDecoder().decode(out.stdout));
  const s = j.streams[0];
  return {
    packets: Number(s.nb_read_packets),
    codec: s.codec_name,
    width: s.width,
    height: s.height,
    sampleRate: s.sample_rate ? Number(s.sample_rate) : undefined,
    channels: s.channels,
    bytes: (j.packets as { size: string }[]).reduce((a, p) => a + Number(p.size), 0),
    sizes: (j.packets as { size: string }[]).map((p) => Number(p.size)),
    keyframes: (j.packets as { flags: string }[]).filter((p) => p.flags.includes("K")).length,
  };
}

/** Runs ffmpeg to completion (bounded); fails the test on a non-zero exit. */
async function ffmpeg(args: string[]): Promise<void> {
  const r = await finish(
    spawn("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", ...args]),
    15_000,
  );
  assert.equal(r.code, 0, r.stderr);
}

async function streamOf(ts: TestServer, ssrc: number): Promise<Json | undefined> {
  const list = (await ts.get("/api/v1/streams")).streams as Json[];
  return list.find((s) => s.ssrc === ssrc);
}

function track(s: Json): Json {
  const t = s.tracks as Json[];
  assert.equal(t.length, 1, `one track in ${s.id}`);
  return t[0];
}

/**
 * Waits until a stream's track has `frames` frames and its transport stats (published
 * every second) cover every packet the stream counted; returns the stream.
 */
async function settled(ts: TestServer, ssrc: number, frames: number, what: string): Promise<Json> {
  const s = await until(async () => {
    const s = await streamOf(ts, ssrc);
    if (!s || (s.tracks as Json[]).length === 0) return undefined;
    const tr = s.transport as Json;
    return track(s).frames === frames && tr.packets === s.packets ? s : undefined;
  }, 5000);
  if (!s) {
    const last = await streamOf(ts, ssrc);
    assert.fail(`${what}: expected ${frames} frames, stream is ${JSON.stringify(last)}`);
  }
  // nothing more arrives after the count matched
  await new Promise((r) => setTimeout(r, 200));
  const again = (await streamOf(ts, ssrc))!;
  assert.equal(track(again).frames, frames, `${what}: frames after settling`);
  return again;
}

function rtpUrl(ts: TestServer): string {
  return `rtp://127.0.0.1:${ts.rtpPort}`;
}

Deno.test({
  name: "rtp live: ffmpeg -f rtp H.264 and H.265 (inferred) match ffprobe; SRs reach port+1",
  ignore: missing("ffmpeg", "ffprobe"),
  ...opts,
  async fn() {
    const ts = await startTestServer();
    const peers: Peer[] = [];
    try {
      const cases = [
        { file: fixture("ts/h264_aac.ts"), ssrc: 0x11110264, codec: "h264" },
        { file: fixture("ts/hevc_aac.ts"), ssrc: 0x11110265, codec: "h265" },
      ];
      const probes = await Promise.all(cases.map((c) => probe(c.file, "v:0")));
      for (const c of cases) {
        peers.push(spawn("ffmpeg", [
          "-hide_banner",
          "-loglevel",
          "error",
          "-re",
          "-i",
          c.file,
          "-map",
          "0:v",
          "-c",
          "copy",
          "-ssrc",
          String(c.ssrc),
          "-f",
          "rtp",
          rtpUrl(ts),
        ]));
      }
      for (const p of peers) {
        const r = await finish(p, 15_000);
        assert.equal(r.code, 0, r.stderr);
      }
      for (const [i, c] of cases.entries()) {
        const want = probes[i];
        const s = await settled(ts, c.ssrc, want.packets, c.codec);
        const t = track(s);
        assert.equal(t.codec, c.codec);
        assert.equal(t.codecSource, "inferred");
        assert.equal(t.kind, "video");
        assert.equal(t.keyframes, want.keyframes, `${c.codec} keyframes`);
        assert.equal(t.width, want.width, `${c.codec} width`);
        assert.equal(t.height, want.height, `${c.codec} height`);
        assert.deepEqual(s.errors, {}, c.codec);
        const tr = s.transport as Json;
        assert.equal(tr.lost, 0, c.codec);
        assert.equal(typeof tr.srNtpUnixMs, "number", `${c.codec}: SR seen on port+1`);
        // ffmpeg stamps SRs with its wall clock (ff_ntp_time): within a minute of ours
        assert.ok(Math.abs((tr.srNtpUnixMs as number) - Date.now()) < 60_000, `${c.codec} SR time`);
      }
    } finally {
      for (const p of peers) p.kill();
      await ts.stop();
    }
  },
});

Deno.test({
  name:
    "rtp live: ffmpeg -f rtp Opus (inferred), PCMU (static) and AAC (ffmpeg's SDP) match ffprobe",
  ignore: missing("ffmpeg", "ffprobe"),
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "sluice_rtp_live_" });
    const ssrc = { opus: 0x22220001, pcmu: 0x22220002, aac: 0x22220003 };
    const sdp = `${dir}/aac.sdp`;
    // sources as files, so ffprobe counts exactly the packets ffmpeg then sends
    const opus = `${dir}/sine.ogg`, ulaw = `${dir}/sine.ul`, m4a = `${dir}/aac.m4a`;
    const ulawIn = ["-f", "mulaw", "-sample_rate", "8000"];
    await Promise.all([
      ffmpeg(["-f", "lavfi", "-i", "sine=d=2", "-c:a", "libopus", opus]),
      ffmpeg([
        "-f",
        "lavfi",
        "-i",
        "sine=d=2",
        "-ar",
        "8000",
        "-c:a",
        "pcm_mulaw",
        "-f",
        "mulaw",
        ulaw,
      ]),
      // the TS's ADTS frames as MP4 (AudioSpecificConfig in extradata, so ffmpeg writes config=)
      ffmpeg(["-i", fixture("ts/h264_aac.ts"), "-map", "0:a", "-c", "copy", m4a]),
    ]);
    const [po, pu, pa, pts] = await Promise.all([
      probe(opus, "a:0"),
      probe(ulaw, "a:0", ulawIn),
      probe(m4a, "a:0"),
      probe(fixture("ts/h264_aac.ts"), "a:0"),
    ]);
    assert.equal(pa.packets, pts.packets, "the MP4 holds every ADTS frame of the TS");
    // ffmpeg's SDP for this input, written before sluice starts, as a config file needs it:
    // loadConfig refuses an SDP file that does not exist (lib/config/checks.ts)
    await ffmpeg([
      "-i",
      m4a,
      "-c",
      "copy",
      "-frames:a",
      "1",
      "-sdp_file",
      sdp,
      "-f",
      "rtp",
      `rtp://127.0.0.1:${freePort("udp")}`,
    ]);
    const ts = await startTestServer(
      `rtp:\n  streams:\n    - { ssrc: ${ssrc.aac}, name: aac-live, sdp: ${sdp} }\n`,
    );
    const peers: Peer[] = [];
    const send = (input: string[], s: number, extra: string[] = []) =>
      peers.push(spawn("ffmpeg", [
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-re",
        ...input,
        "-c",
        "copy",
        "-ssrc",
        String(s),
        ...extra,
        "-f",
        "rtp",
        rtpUrl(ts),
      ]));
    try {
      send(["-i", opus], ssrc.opus);
      send([...ulawIn, "-i", ulaw], ssrc.pcmu);
      // -muxdelay 0: one AU per packet. ffmpeg's AAC packetizer (rtpenc_aac.c) sends an
      // AU only when the next one arrives and its trailer does not flush, so the last
      // AU of the file never goes on the wire: sluice must see ffprobe's count minus one.
      send(["-i", m4a], ssrc.aac, ["-muxdelay", "0", "-sdp_file", sdp]);
      for (const p of peers) {
        const r = await finish(p, 15_000);
        assert.equal(r.code, 0, r.stderr);
      }
      assert.match(await Deno.readTextFile(sdp), /a=rtpmap:\d+ MPEG4-GENERIC\/48000\/2/);
      const cases = [
        { ssrc: ssrc.opus, p: po, codec: "opus", source: "inferred" },
        { ssrc: ssrc.pcmu, p: pu, codec: "pcmu", source: "rtp_static" },
        { ssrc: ssrc.aac, p: { ...pa, packets: pa.packets - 1 }, codec: "aac", source: "sdp" },
      ];
      for (const c of cases) {
        const s = await settled(ts, c.ssrc, c.p.packets, c.codec);
        const t = track(s);
        assert.equal(t.codec, c.codec);
        assert.equal(t.codecSource, c.source, c.codec);
        assert.equal(t.kind, "audio");
        assert.equal(t.sampleRate, c.p.sampleRate, `${c.codec} sample rate`);
        assert.equal(t.channels, c.p.channels, `${c.codec} channels`);
        assert.deepEqual(s.errors, {}, c.codec);
        assert.equal((s.transport as Json).lost, 0, c.codec);
        assert.equal(typeof (s.transport as Json).srNtpUnixMs, "number", `${c.codec} SR`);
      }
      assert.equal((await streamOf(ts, ssrc.aac))!.id, "aac-live", "named by rtp.streams");
      // raw AUs: the track's bytes are the MP4's samples (all but the unsent last one)
      const aacStream = (await streamOf(ts, ssrc.aac))!;
      assert.equal(aacStream.packets, pa.packets - 1, "one AU per RTP packet");
      const sent = pa.sizes.slice(0, -1).reduce((a, b) => a + b, 0);
      assert.equal(track(aacStream).bytes, sent, "AAC access unit bytes");
      assert.equal(track((await streamOf(ts, ssrc.pcmu))!).bytes, pu.bytes, "PCMU sample bytes");
    } finally {
      for (const p of peers) p.kill();
      await ts.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Runs gst-launch-1.0 with a pipeline description (split on spaces; no quoting needed). */
function gst(pipeline: string): Peer {
  return spawn("gst-launch-1.0", ["-q", ...pipeline.split(" ")]);
}

Deno.test({
  name: "rtp live: GStreamer rtph264pay, rtph265pay, rtpopuspay (all inferred) match ffprobe",
  ignore: missing("gst-launch-1.0", "ffprobe"),
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "sluice_rtp_gst_" });
    const opusSrc = "audiotestsrc num-buffers=100 ! opusenc";
    // oracle: the same Opus encoding written to Ogg instead of RTP
    const oggFile = `${dir}/gst.ogg`;
    const o = await finish(gst(`${opusSrc} ! oggmux ! filesink location=${oggFile}`), 15_000);
    assert.equal(o.code, 0, o.stderr);
    const cases = [
      {
        ssrc: 0x33330264,
        codec: "h264",
        file: fixture("ts/h264_aac.ts"),
        pay: "h264parse ! rtph264pay config-interval=-1",
      },
      {
        ssrc: 0x33330265,
        codec: "h265",
        file: fixture("ts/hevc_aac.ts"),
        pay: "h265parse ! rtph265pay config-interval=-1",
      },
    ];
    const [pv264, pv265, po] = await Promise.all([
      probe(cases[0].file, "v:0"),
      probe(cases[1].file, "v:0"),
      probe(oggFile, "a:0"),
    ]);
    const ts = await startTestServer();
    const sink = `udpsink host=127.0.0.1 port=${ts.rtpPort} sync=true`;
    const peers: Peer[] = [];
    try {
      // sync=true paces the payloaders in real time: no burst that loopback could drop
      for (const c of cases) {
        peers.push(gst(`filesrc location=${c.file} ! tsdemux ! ${c.pay} ssrc=${c.ssrc} ! ${sink}`));
      }
      const opusSsrc = 0x33330001;
      peers.push(gst(`${opusSrc} ! rtpopuspay ssrc=${opusSsrc} ! ${sink}`));
      for (const p of peers) {
        const r = await finish(p, 15_000);
        assert.equal(r.code, 0, r.stderr);
      }
      for (const [i, want] of [pv264, pv265].entries()) {
        const c = cases[i];
        const s = await settled(ts, c.ssrc, want.packets, `gst ${c.codec}`);
        const t = track(s);
        assert.equal(t.codec, c.codec);
        assert.equal(t.codecSource, "inferred");
        assert.equal(t.keyframes, want.keyframes, `gst ${c.codec} keyframes`);
        assert.equal(t.width, want.width);
        assert.equal(t.height, want.height);
        assert.deepEqual(s.errors, {}, c.codec);
        assert.equal((s.transport as Json).lost, 0);
      }
      const s = await settled(ts, opusSsrc, po.packets, "gst opus");
      const t = track(s);
      assert.equal(t.codec, "opus");
      assert.equal(t.codecSource, "inferred");
      assert.equal(t.sampleRate, po.sampleRate);
      assert.equal(t.channels, po.channels);
      assert.deepEqual(s.errors, {});
    } finally {
      for (const p of peers) p.kill();
      await ts.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
