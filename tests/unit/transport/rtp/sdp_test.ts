import assert from "node:assert/strict";
import { readFixture } from "@tests/_helpers.ts";
import { parseFmtpParams, parseSdp } from "@lib/transport/rtp/sdp.ts";
import { PayloadMap } from "@lib/transport/rtp/payload_map.ts";
import { readCapture } from "@tests/support/replay.ts";

/** sdp file, capture(s) it describes, expected codec and clock per payload type. */
const CASES: [string, string[], Record<number, [string, number, number?]>][] = [
  ["av_rtp.sdp", ["av_rtp_15004.bin", "av_rtp_15008.bin"], {
    96: ["h264", 90000],
    97: ["opus", 48000, 2],
  }],
  ["rtp_aac_ffmpeg.sdp", ["rtp_aac_ffmpeg.bin"], { 98: ["aac", 48000, 2] }],
  ["rtp_aac_latm_ffmpeg.sdp", ["rtp_aac_latm_ffmpeg.bin"], { 99: ["aac", 48000, 2] }],
  ["rtp_aac_mp4g_gst.sdp", ["rtp_aac_mp4g_gst.bin"], { 98: ["aac", 48000, 2] }],
  ["rtp_av1_ffmpeg81.sdp", ["rtp_av1_ffmpeg81.bin"], { 96: ["av1", 90000] }],
  ["rtp_av1_libdatachannel.sdp", ["rtp_av1_libdatachannel.bin"], { 45: ["av1", 90000] }],
  ["rtp_h264_ffmpeg.sdp", ["rtp_h264_ffmpeg.bin"], { 96: ["h264", 90000] }],
  ["rtp_h265_ffmpeg.sdp", ["rtp_h265_ffmpeg.bin"], { 97: ["h265", 90000] }],
  ["rtp_h265_gst.sdp", ["rtp_h265_gst.bin"], { 97: ["h265", 90000] }],
  ["rtp_libopus_ffmpeg.sdp", ["rtp_libopus_ffmpeg.bin"], { 111: ["opus", 48000, 2] }],
  ["rtp_pcm_mulaw_ffmpeg.sdp", ["rtp_pcm_mulaw_ffmpeg.bin"], { 0: ["pcmu", 8000, 1] }],
];

Deno.test("every fixture SDP parses and maps the capture's payload type to its codec", () => {
  const files = [...Deno.readDirSync(new URL("../../../fixtures/rtp/", import.meta.url))]
    .map((e) => e.name).filter((n) => n.endsWith(".sdp")).sort();
  assert.deepEqual(files, CASES.map((c) => c[0]).sort(), "every .sdp has a case");
  for (const [file, captures, expect] of CASES) {
    const r = parseSdp(new TextDecoder().decode(readFixture(`rtp/${file}`)));
    assert.ok(r.ok, file);
    const map = new PayloadMap().addSdp(r.value);
    for (const [pt, [codec, clock, channels]] of Object.entries(expect)) {
      const info = map.lookup(Number(pt));
      assert.ok(info, `${file} pt ${pt}`);
      assert.equal(info.codec, codec, file);
      assert.equal(info.clockRate, clock, file);
      assert.equal(info.channels, channels, file);
      assert.equal(info.source, Number(pt) < 96 && file.includes("mulaw") ? "rtp_static" : "sdp");
    }
    // the payload type on the wire is the one the SDP declares
    const declared = r.value.media.flatMap((m) => m.payloadTypes);
    for (const cap of captures) {
      const pt = readCapture(`rtp/${cap}`)[0].data[1] & 0x7f;
      assert.ok(declared.includes(pt), `${cap} pt ${pt} in ${file}`);
    }
  }
});

Deno.test("SDP details: ports, fmtp verbatim, rtcp-mux, connection", () => {
  const av = parseSdp(new TextDecoder().decode(readFixture("rtp/av_rtp.sdp")));
  assert.ok(av.ok);
  assert.deepEqual(av.value.media.map((m) => [m.kind, m.port, m.proto]), [
    ["video", 15004, "RTP/AVP"],
    ["audio", 15008, "RTP/AVP"],
  ]);
  assert.equal(av.value.media[0].connection, "127.0.0.1");
  assert.deepEqual(av.value.media[0].fmtp.get(96), { "packetization-mode": "1" });
  const aac = parseSdp(new TextDecoder().decode(readFixture("rtp/rtp_aac_ffmpeg.sdp")));
  assert.ok(aac.ok);
  assert.equal(aac.value.media[0].fmtp.get(98)?.config, "119056E500"); // after "; "
  assert.equal(aac.value.media[0].fmtp.get(98)?.sizelength, "13");
  const ldc = parseSdp(new TextDecoder().decode(readFixture("rtp/rtp_av1_libdatachannel.sdp")));
  assert.ok(ldc.ok);
  assert.equal(ldc.value.media[0].rtcpMux, true);
  assert.equal(ldc.value.media[0].connection, "0.0.0.0");
  // base64 '=' padding stays in the value; a=ssrc cname
  const s = parseSdp(
    "v=0\r\nm=video 5004 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n" +
      "a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z0IACpZTBYmI,aMljiA==\r\n" +
      "a=ssrc:305419896 cname:cam1@example\r\na=ssrc:305419896 msid:x y\r\n",
  );
  assert.ok(s.ok);
  assert.equal(s.value.media[0].fmtp.get(96)?.["sprop-parameter-sets"], "Z0IACpZTBYmI,aMljiA==");
  assert.deepEqual(s.value.media[0].ssrcs, [{ ssrc: 0x12345678, cname: "cam1@example" }]);
  assert.deepEqual(parseFmtpParams("A=1; b ;c=x=y"), { a: "1", b: "", c: "x=y" });
});

Deno.test("SDP failures are reasons, not throws", () => {
  const reason = (t: string) => {
    const r = parseSdp(t);
    return r.ok ? "ok" : r.reason;
  };
  assert.equal(reason("v=0\ns=x\n"), "sdp_no_media");
  assert.equal(reason("v=0\nm=video\n"), "sdp_bad_media");
  assert.equal(reason("v=0\nm=video 99999 RTP/AVP 96\n"), "sdp_bad_media");
  assert.equal(reason("x".repeat(70000)), "sdp_too_large");
  // malformed attributes are skipped
  const r = parseSdp("m=audio 1 RTP/AVP 96\na=rtpmap:96 opus\na=rtpmap:300 X/1\na=fmtp:x y\n");
  assert.ok(r.ok);
  assert.equal(r.value.media[0].rtpmap.size, 0);
});

Deno.test("payload map layers: static < config < SDP < stream config", () => {
  const sdp = parseSdp("m=video 5004 RTP/AVP 96 97\na=rtpmap:96 H265/90000\na=fmtp:97 x=1\n");
  assert.ok(sdp.ok);
  const global = new PayloadMap().addConfig({ 96: "H264/90000", 97: "AV1/90000" });
  assert.equal(global.lookup(96)?.codec, "h264");
  assert.equal(global.lookup(96)?.source, "config");
  global.addSdp(sdp.value);
  assert.equal(global.lookup(96)?.codec, "h265");
  assert.equal(global.lookup(96)?.source, "sdp");
  assert.deepEqual(global.lookup(97)?.fmtp, { x: "1" }, "fmtp without rtpmap decorates config");
  assert.equal(global.lookup(97)?.codec, "av1");
  const stream = global.clone().addConfig({ "96": "jxsv/90000" }, "rtp.streams[0].payload_types");
  assert.equal(stream.lookup(96)?.codec, "jpegxs");
  assert.equal(global.lookup(96)?.codec, "h265", "clone does not leak back");
  assert.equal(global.lookup(8)?.codec, "pcma");
  assert.equal(global.lookup(8)?.source, "rtp_static");
  assert.equal(global.lookup(34)?.codec, "unknown");
  assert.equal(global.lookup(34)?.kind, "video");
  assert.equal(global.lookup(100), undefined, "dynamic, unmapped: caller sniffs");
  assert.throws(() => new PayloadMap().addConfig({ 96: "H264" }), /rtp\.payload_types\.96/);
  assert.throws(() => new PayloadMap().addConfig({ 200: "H264/90000" }), RangeError);
});
