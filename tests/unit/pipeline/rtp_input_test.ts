/**
 * The RTP side of the pipeline wired as the RTP adapter wires it, without sockets:
 * capture packets (tests/fixtures/rtp/*.bin) -> RtpSession (sequencing, jitter buffer)
 * -> RtpInput (payload map from the capture's SDP, or sniffing; depacketizer and DTS from
 * the codec registry) -> a recording StreamSink. Checked against the fixture table
 * (tests/fixtures/README.md, "RTP captures: expected counts").
 */
import assert from "node:assert/strict";
import { RtpInput, streamCounter } from "@lib/pipeline/rtp_input.ts";
import { PayloadMap } from "@lib/transport/rtp/payload_map.ts";
import { parseSdp } from "@lib/transport/rtp/sdp.ts";
import { RtpSession } from "@lib/transport/rtp/session.ts";
import { readFixture } from "@tests/_helpers.ts";
import { capturePackets } from "@tests/support/rtp.ts";
import { RecordingSink } from "@tests/support/sink.ts";

/** capture, its SDP (undefined: sniffed), codec, frames per the fixture table. */
const TABLE: [string, string | undefined, string, number][] = [
  ["rtp_h264_ffmpeg.bin", "rtp_h264_ffmpeg.sdp", "h264", 60],
  ["rtp_h264_gst.bin", undefined, "h264", 60],
  ["rtp_h265_ffmpeg.bin", "rtp_h265_ffmpeg.sdp", "h265", 60],
  ["rtp_h265_gst.bin", "rtp_h265_gst.sdp", "h265", 60],
  ["rtp_av1_ffmpeg81.bin", "rtp_av1_ffmpeg81.sdp", "av1", 60],
  ["rtp_av1_libdatachannel.bin", "rtp_av1_libdatachannel.sdp", "av1", 60],
  ["rtp_libopus_ffmpeg.bin", "rtp_libopus_ffmpeg.sdp", "opus", 101],
  ["rtp_aac_ffmpeg.bin", "rtp_aac_ffmpeg.sdp", "aac", 92],
  ["rtp_aac_mp4g_gst.bin", "rtp_aac_mp4g_gst.sdp", "aac", 100],
];

function run(bin: string, sdpFile: string | undefined): RecordingSink {
  const map = new PayloadMap();
  if (sdpFile) {
    const sdp = parseSdp(new TextDecoder().decode(readFixture(`rtp/${sdpFile}`)));
    assert.ok(sdp.ok);
    map.addSdp(sdp.value);
  }
  const sink = new RecordingSink();
  const input = new RtpInput(sink, { lookup: (pt) => map.lookup(pt), emitAfterLoss: false });
  const packets = capturePackets(bin);
  const session = new RtpSession({
    ssrc: packets[0].ssrc,
    clockRate: map.lookup(packets[0].payloadType)?.clockRate ?? 90000,
    jitterLatencyMs: 50,
    createDepacketizer: (pt, p) => input.create(pt, p),
    count: streamCounter(sink),
  });
  for (const p of packets) {
    session.pushRtp(p, p.arrivalMs);
    session.poll(p.arrivalMs);
  }
  session.flush();
  return sink;
}

for (const [bin, sdp, codec, frames] of TABLE) {
  Deno.test(`rtp input: ${bin} gives the fixture table's ${frames} frames (${codec})`, () => {
    const sink = run(bin, sdp);
    assert.equal(sink.frames.length, frames);
    assert.ok(sink.frames.every((f) => f.codec === codec));
    const track = [...sink.tracks.values()][0];
    assert.equal(track.codec, codec);
    assert.equal(track.codecSource, sdp ? "sdp" : "inferred");
    assert.deepEqual(sink.errors, {});
    if (track.kind === "video") {
      assert.ok(sink.frames[0].key, "the first frame out is a keyframe");
      for (let i = 1; i < sink.frames.length; i++) {
        assert.ok(sink.frames[i].dts >= sink.frames[i - 1].dts, "dts never decreases");
      }
    }
  });
}

Deno.test("rtp input: PCMU by its static payload type, one frame per packet", () => {
  const sink = run("rtp_pcm_mulaw_ffmpeg.bin", undefined);
  const packets = capturePackets("rtp_pcm_mulaw_ffmpeg.bin");
  assert.equal(sink.frames.length, packets.length);
  assert.equal([...sink.tracks.values()][0].codecSource, "rtp_static");
  assert.ok(sink.frames.every((f) => f.codec === "pcmu" && f.clockRate === 8000));
});
