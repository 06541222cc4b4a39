import assert from "node:assert/strict";
import { codecForEncoding, CODECS, codecSpec } from "@lib/codecs/registry.ts";
import { codecOfEncoding, PayloadMap } from "@lib/transport/rtp/payload_map.ts";
import { parseSdp } from "@lib/transport/rtp/sdp.ts";
import { JpegXsPacketizer } from "@lib/codecs/jpegxs/packetizer.ts";
import type { Codec } from "@lib/core/types.ts";
import { readFixture } from "@tests/_helpers.ts";
import { rtpOf } from "@tests/support/rtp.ts";
import { sniffRtpPayloads } from "@lib/codecs/sniff.ts";
import { classifyStreamType } from "@lib/container/mpegts/stream_types.ts";
import { readCapture } from "@tests/support/replay.ts";

/** What each SDP fixture's sender put on the wire (tests/fixtures/README.md). */
const SDP: Record<string, { pt: number; codec: Codec; clockRate: number; bin?: string }[]> = {
  "av_rtp.sdp": [
    { pt: 96, codec: "h264", clockRate: 90000, bin: "av_rtp_15004.bin" },
    { pt: 97, codec: "opus", clockRate: 48000, bin: "av_rtp_15008.bin" },
  ],
  "rtp_aac_ffmpeg.sdp": [{ pt: 98, codec: "aac", clockRate: 48000, bin: "rtp_aac_ffmpeg.bin" }],
  "rtp_aac_latm_ffmpeg.sdp": [{
    pt: 99,
    codec: "aac",
    clockRate: 48000,
    bin: "rtp_aac_latm_ffmpeg.bin",
  }],
  "rtp_aac_mp4g_gst.sdp": [{ pt: 98, codec: "aac", clockRate: 48000, bin: "rtp_aac_mp4g_gst.bin" }],
  "rtp_av1_ffmpeg81.sdp": [{ pt: 96, codec: "av1", clockRate: 90000, bin: "rtp_av1_ffmpeg81.bin" }],
  "rtp_av1_libdatachannel.sdp": [{
    pt: 45,
    codec: "av1",
    clockRate: 90000,
    bin: "rtp_av1_libdatachannel.bin",
  }],
  "rtp_h264_ffmpeg.sdp": [{ pt: 96, codec: "h264", clockRate: 90000, bin: "rtp_h264_ffmpeg.bin" }],
  "rtp_h265_ffmpeg.sdp": [{ pt: 97, codec: "h265", clockRate: 90000, bin: "rtp_h265_ffmpeg.bin" }],
  "rtp_h265_gst.sdp": [{ pt: 97, codec: "h265", clockRate: 90000, bin: "rtp_h265_gst.bin" }],
  "rtp_libopus_ffmpeg.sdp": [{
    pt: 111,
    codec: "opus",
    clockRate: 48000,
    bin: "rtp_libopus_ffmpeg.bin",
  }],
  "rtp_pcm_mulaw_ffmpeg.sdp": [{
    pt: 0,
    codec: "pcmu",
    clockRate: 8000,
    bin: "rtp_pcm_mulaw_ffmpeg.bin",
  }],
};
/** A capture without an SDP file: GStreamer rtph264pay. */
const EXTRA_BINS: [string, Codec][] = [["rtp_h264_gst.bin", "h264"]];

Deno.test("codec: every SDP fixture's rtpmap (or static payload type) maps to its codec", () => {
  for (const [file, want] of Object.entries(SDP)) {
    const sdp = parseSdp(new TextDecoder().decode(readFixture(`rtp/${file}`)));
    assert.ok(sdp.ok, file);
    const media = sdp.value.media;
    assert.equal(media.length, want.length, file);
    const map = new PayloadMap().addSdp(sdp.value);
    media.forEach((m, i) => {
      const pt = m.payloadTypes[0];
      assert.equal(pt, want[i].pt, file);
      const g = map.lookup(pt);
      assert.ok(g, file);
      assert.equal(g.codec, want[i].codec, file);
      assert.equal(g.kind, m.kind, file);
      assert.equal(g.clockRate, want[i].clockRate, file);
      assert.equal(g.source, m.rtpmap.has(pt) ? "sdp" : "rtp_static", file);
      const bin = want[i].bin;
      if (bin) assert.equal(rtpOf(readCapture(`rtp/${bin}`)[0].data).payloadType, pt, bin);
    });
  }
});

function payloads(bin: string, from: number, to: number): Uint8Array[] {
  return readCapture(`rtp/${bin}`).slice(from, to).map((c) => rtpOf(c.data).payload);
}

Deno.test("codec: sniffing the first 20 packets of each capture finds its codec", () => {
  const cases: [string, Codec][] = [...EXTRA_BINS];
  for (const list of Object.values(SDP)) {
    for (const w of list) if (w.bin && w.codec !== "pcmu") cases.push([w.bin, w.codec]);
  }
  assert.equal(cases.length, 12);
  for (const [bin, codec] of cases) {
    const caps = readCapture(`rtp/${bin}`);
    const pt = rtpOf(caps[0].data).payloadType;
    const g = sniffRtpPayloads(payloads(bin, 0, 20));
    assert.equal(g?.codec, codec, `${bin} (pt ${pt})`);
    assert.equal(g?.source, "inferred");
  }
});

Deno.test("codec: sniffing mid-stream windows (no parameter sets) still finds video and Opus", () => {
  for (
    const [bin, codec] of [
      ["rtp_h264_ffmpeg.bin", "h264"],
      ["rtp_h264_gst.bin", "h264"],
      ["rtp_h265_ffmpeg.bin", "h265"],
      ["rtp_h265_gst.bin", "h265"],
      ["rtp_av1_ffmpeg81.bin", "av1"],
      ["rtp_av1_libdatachannel.bin", "av1"],
      ["rtp_libopus_ffmpeg.bin", "opus"],
      ["rtp_aac_mp4g_gst.bin", "aac"],
    ] as const
  ) {
    assert.equal(sniffRtpPayloads(payloads(bin, 20, 40))?.codec, codec, bin);
  }
});

Deno.test("codec: PCMU is known by its static payload type, not by sniffing", () => {
  const caps = readCapture("rtp/rtp_pcm_mulaw_ffmpeg.bin");
  const pt = rtpOf(caps[0].data).payloadType;
  assert.deepEqual(new PayloadMap().lookup(pt), {
    codec: "pcmu",
    encoding: "PCMU",
    kind: "audio",
    clockRate: 8000,
    source: "rtp_static",
    channels: 1,
  });
  assert.equal(sniffRtpPayloads(payloads("rtp_pcm_mulaw_ffmpeg.bin", 0, 20)), undefined);
});

Deno.test("codec: sniffing JPEG XS (the SVT fixture packetized per RFC 9134, both modes)", () => {
  const jxs = readFixture("jpegxs/svt_320x240_422_10f.jxs");
  for (const sliceMode of [false, true]) {
    const p = new JpegXsPacketizer({ sliceMode });
    const pkts: Uint8Array[] = [];
    for (let i = 0; i < 2; i++) {
      const r = p.frame(jxs.subarray(i * 28800, (i + 1) * 28800), i * 3000);
      assert.ok(r.ok);
      pkts.push(...r.value.map((x) => x.payload));
    }
    assert.equal(sniffRtpPayloads(pkts.slice(0, 20))?.codec, "jpegxs", `sliceMode ${sliceMode}`);
    assert.equal(sniffRtpPayloads(pkts.slice(0, 1))?.codec, "jpegxs", `sliceMode ${sliceMode}`);
  }
});

Deno.test("codec: MPEG-TS stream types and registration descriptors", () => {
  const t = (st: number, reg?: string) => {
    const g = classifyStreamType(st, reg);
    return [g.codec, g.kind, g.codecSource].join(" ");
  };
  assert.equal(t(0x1b), "h264 video ts_stream_type");
  assert.equal(t(0x24), "h265 video ts_stream_type");
  assert.equal(t(0x0f), "aac audio ts_stream_type");
  assert.equal(t(0x11), "aac audio ts_stream_type");
  assert.equal(t(0x03), "mp2 audio ts_stream_type");
  assert.equal(t(0x81), "ac3 audio ts_stream_type");
  assert.equal(t(0x32), "jpegxs video ts_stream_type");
  assert.equal(t(0x06, "AV01"), "av1 video ts_descriptor");
  assert.equal(t(0x06, "Opus"), "opus audio ts_descriptor");
  assert.equal(t(0x06, "AC-3"), "ac3 audio ts_descriptor");
  assert.equal(t(0x06), "unknown data ts_descriptor");
  assert.equal(t(0x06, "HEVC"), "unknown data ts_descriptor"); // as the demuxer has it
  assert.equal(t(0x02), "unknown data ts_stream_type"); // MPEG-2 video: not supported
  assert.equal(t(0x86), "unknown data ts_stream_type");
});

Deno.test("codec: encoding names and static payload types (RFC 3551) through the registry", () => {
  const names: [string, Codec][] = [
    ["h264", "h264"],
    ["H265", "h265"],
    ["AV1", "av1"],
    ["jxsv", "jpegxs"],
    ["MP4A-LATM", "aac"],
    ["mpeg4-generic", "aac"],
    ["OPUS", "opus"],
    ["PCMU", "pcmu"],
    ["PCMA", "pcma"],
    ["L16", "l16"],
    ["MPA", "mp2"],
    ["AC3", "ac3"],
    ["VP8", "unknown"],
  ];
  for (const [n, c] of names) assert.equal(codecOfEncoding(n)[0], c, n);
  assert.deepEqual(codecOfEncoding("VP8", "video"), ["unknown", "video"]);
  const st = (pt: number) => {
    const g = new PayloadMap().lookup(pt);
    return g && [g.codec, g.clockRate, g.channels].join(" ");
  };
  assert.equal(st(0), "pcmu 8000 1");
  assert.equal(st(8), "pcma 8000 1");
  assert.equal(st(10), "l16 44100 2");
  assert.equal(st(11), "l16 44100 1");
  assert.equal(st(14), "mp2 90000 ");
  assert.equal(st(9), "unknown 8000 1"); // G722: known type, no parser
  assert.equal(st(96), undefined);
  assert.equal(st(2), undefined); // unassigned
});

Deno.test("codec registry: one spec per name, encodings unique, every parsed codec complete", () => {
  const names = CODECS.map((c) => c.name);
  assert.equal(new Set(names).size, names.length);
  const encodings = CODECS.flatMap((c) => c.rtp?.encodings.map((e) => e.toUpperCase()) ?? []);
  assert.equal(new Set(encodings).size, encodings.length);
  for (const c of CODECS) {
    assert.equal(codecSpec(c.name), c);
    for (const e of c.rtp?.encodings ?? []) assert.equal(codecForEncoding(e.toLowerCase()), c);
    // a codec with a depacketizer is parsed: video needs a key rule (Annex B or isKeyFrame)
    if (c.depacketizer && c.kind === "video") {
      assert.ok(c.annexB || c.isKeyFrame, `${c.name}: key rule`);
      assert.ok(c.params, `${c.name}: parameter reader`);
    }
  }
});
