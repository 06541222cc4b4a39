/**
 * JPEG XS over RTP (RFC 9134) end to end. No third-party RFC 9134 packetizer exists on
 * these machines, so the SVT-JPEG-XS codestreams of the fixture are packetized with
 * lib/codecs/jpegxs/packetizer.ts (codestream mode K=0 and slice mode K=1, progressive)
 * and sent as real UDP datagrams to a running sluice with no RTP configuration. The API
 * must infer jpegxs, count 10 key frames of 320x240 (the picture header's Wf/Hf), and
 * hand back each codestream byte for byte; the preview is a whole codestream (SOC..EOC).
 */
import assert from "node:assert/strict";
import { JpegXsPacketizer, serializeRtp } from "@lib/codecs/jpegxs/packetizer.ts";
import { codestreams, pictureSize } from "@tests/unit/codecs/jpegxs/_jxs.ts";
import { startTestServer, type TestServer, until } from "./_server.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
type Json = Record<string, unknown>;

/** Frame interval at 30 fps on the 90 kHz RTP clock (RFC 9134 4.1). */
const TICKS = 3000;

async function streamOf(ts: TestServer, ssrc: number): Promise<Json | undefined> {
  const list = (await ts.get("/api/v1/streams")).streams as Json[];
  return list.find((s) => s.ssrc === ssrc);
}

async function bytesOf(ts: TestServer, path: string): Promise<Uint8Array> {
  const r = await fetch(ts.url + path);
  assert.equal(r.status, 200, path);
  return new Uint8Array(await r.arrayBuffer());
}

/** Packetizes every codestream and sends the datagrams, a frame at a time. */
async function send(
  ts: TestServer,
  sock: Deno.DatagramConn,
  ssrc: number,
  sliceMode: boolean,
): Promise<number> {
  const to: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port: ts.rtpPort };
  const pz = new JpegXsPacketizer({ sliceMode, ssrc, payloadType: 112, seq: 65000 });
  let n = 0;
  for (const [i, cs] of codestreams().entries()) {
    const r = pz.frame(cs, 0xfffff000 + i * TICKS); // the RTP clock wraps mid-stream
    assert.ok(r.ok);
    for (const p of r.value) {
      await sock.send(serializeRtp(p), to);
      n++;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return n;
}

for (const sliceMode of [false, true]) {
  const mode = sliceMode ? "slice mode (K=1)" : "codestream mode (K=0)";
  Deno.test({
    name: `rtp jpegxs: ${mode} is inferred and every codestream comes back byte for byte`,
    ...opts,
    async fn() {
      const want = codestreams();
      assert.equal(want.length, 10);
      const [w, h] = pictureSize(want[0]);
      const ts = await startTestServer("ingestion:\n  gop_buffer_size: 20\n");
      const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
      const ssrc = sliceMode ? 0x4a580001 : 0x4a580000;
      try {
        const sent = await send(ts, sock, ssrc, sliceMode);
        const s = await until(async () => {
          const s = await streamOf(ts, ssrc);
          const t = (s?.tracks as Json[] | undefined)?.[0];
          return t && t.frames === want.length && s!.packets === sent ? s : undefined;
        }, 5000);
        assert.ok(s, `10 frames from ${sent} packets: ${JSON.stringify(await streamOf(ts, ssrc))}`);
        const t = (s.tracks as Json[])[0];
        assert.equal(t.codec, "jpegxs");
        assert.equal(t.codecSource, "inferred");
        assert.equal(t.keyframes, 10);
        assert.equal(t.width, 320);
        assert.equal(t.height, 240);
        assert.equal(t.width, w, "picture header Wf");
        assert.equal(t.height, h, "picture header Hf");
        assert.deepEqual(s.errors, {});
        assert.deepEqual(s.drops, {});
        const id = s.id as string;
        const index = await ts.get(`/api/v1/video/buffer/${id}`);
        const frames = index.frames as Json[];
        assert.equal(frames.length, 10);
        for (const [i, f] of frames.entries()) {
          assert.equal(f.key, true);
          assert.equal(f.size, want[i].length, `frame ${i} size`);
          const got = await bytesOf(ts, `/api/v1/video/buffer/${id}/frames/${f.index}`);
          assert.deepEqual(got, want[i], `frame ${i} bytes`);
        }
        // pts are unwrapped across the 32-bit RTP timestamp wrap
        const pts = frames.map((f) => f.pts as number);
        for (let i = 1; i < pts.length; i++) assert.equal(pts[i] - pts[i - 1], TICKS);
        const pv = await bytesOf(ts, `/api/v1/video/preview/${id}`);
        assert.deepEqual([pv[0], pv[1]], [0xff, 0x10], "SOC");
        assert.deepEqual([pv[pv.length - 2], pv[pv.length - 1]], [0xff, 0x11], "EOC");
        assert.deepEqual(pv, want[9], "the preview is the latest codestream");
      } finally {
        sock.close();
        await ts.stop();
      }
    },
  });
}
