/**
 * RTP end to end: a stream whose first packets arrive reordered, duplicated and between
 * garbage still yields its first keyframe and every frame. Real captures (FFmpeg 8.1 AV1,
 * ffmpeg H.264) with their first packets swapped, the third sent twice and garbage
 * datagrams (not RTP, and RTP of version 1) in between, replayed through a real socket
 * into a running sluice; frame and keyframe counts are the fixture table's
 * (tests/fixtures/README.md) and nothing is dropped waiting for a keyframe.
 */
import assert from "node:assert/strict";
import { readFixture } from "@tests/_helpers.ts";
import { type CapturedDatagram, parseCapture, replay } from "@tests/support/replay.ts";
import { startTestServer, until } from "./_server.ts";

type Json = Record<string, unknown>;

/** The capture with its start scrambled: [1, G, 0, 2, G, 2, 3, ...]. */
function scrambled(name: string): CapturedDatagram[] {
  const cap = parseCapture(readFixture(`rtp/${name}.bin`));
  const garbage = (bytes: number[]): CapturedDatagram => ({
    arrivalNs: cap[0].arrivalNs,
    data: new Uint8Array(bytes),
  });
  const notRtp = garbage([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b]);
  const v1 = garbage([0x40, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 1, 2, 3, 4]);
  return [cap[1], notRtp, cap[0], cap[2], v1, cap[2], ...cap.slice(3)];
}

const CASES: [string, string, number, number, number][] = [
  ["rtp_av1_ffmpeg81", "av1", 130, 60, 2],
  ["rtp_h264_ffmpeg", "h264", 106, 60, 2],
];

for (const [name, codec, packets, frames, keys] of CASES) {
  Deno.test({
    name: `rtp e2e: ${name} with a reordered, duplicated start keeps its first GOP`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const ts = await startTestServer();
      try {
        const d = scrambled(name);
        const ssrc = new DataView(d[0].data.buffer, d[0].data.byteOffset).getUint32(8);
        await replay(d, { hostname: "127.0.0.1", port: ts.rtpPort }, { pace: "fast" });
        const s = await until(async () => {
          const list = (await ts.get("/api/v1/streams")).streams as Json[];
          const x = list.find((s) => s.ssrc === ssrc);
          return (x?.transport as Json)?.packets === packets ? x : undefined;
        }, 8000);
        assert.ok(s, `${name}: every packet arrived and was published`);
        const t = (s.tracks as Json[])[0];
        assert.equal(t.codec, codec);
        assert.equal(t.frames, frames, "frames");
        assert.equal(t.keyframes, keys, "keyframes: the first one is kept");
        assert.equal((s.drops as Json).waiting_for_key, undefined, JSON.stringify(s.drops));
        assert.equal((s.transport as Json).duplicated, 1);
        assert.equal((s.transport as Json).lost, 0);
      } finally {
        await ts.stop();
      }
    },
  });
}
