/**
 * Previews of RTP video through the whole appliance, decoded by ffmpeg: captures of
 * ffmpeg (H.264), GStreamer (H.265) and FFmpeg 8.1 (AV1, a low-overhead OBU stream,
 * AV1 spec 5.2 / `-f obu`) are replayed into a running sluice, and the preview keyframe
 * must decode to a picture of the track's size. An H.264 stream whose SPS/PPS travel
 * only in the SDP's sprop-parameter-sets (RFC 6184 8.1) must still give width/height
 * and a decodable preview; the same stream without the SDP must not (control).
 */
import assert from "node:assert/strict";
import { missing, readFixture } from "@tests/_helpers.ts";
import { startTestServer, type TestServer, until } from "./_server.ts";
import { finish, spawn } from "./srt_harness.ts";
import { type CapturedDatagram, parseCapture, replay } from "@tests/support/replay.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
type Json = Record<string, unknown>;

function capture(name: string): CapturedDatagram[] {
  return parseCapture(readFixture(`rtp/${name}.bin`));
}

function ssrcOf(d: Uint8Array): number {
  return new DataView(d.buffer, d.byteOffset).getUint32(8);
}

async function streamOf(ts: TestServer, ssrc: number): Promise<Json | undefined> {
  const list = (await ts.get("/api/v1/streams")).streams as Json[];
  return list.find((s) => s.ssrc === ssrc);
}

/** Replays datagrams and waits until the stream counted them all and `frames` frames. */
async function ingest(
  ts: TestServer,
  dgrams: CapturedDatagram[],
  frames: number,
): Promise<Json> {
  await replay(dgrams, { hostname: "127.0.0.1", port: ts.rtpPort }, { pace: "fast" });
  const ssrc = ssrcOf(dgrams[0].data);
  const s = await until(async () => {
    const s = await streamOf(ts, ssrc);
    const t = (s?.tracks as Json[] | undefined)?.[0];
    return t && s!.packets === dgrams.length && t.frames === frames ? s : undefined;
  }, 5000);
  assert.ok(s, `ssrc ${ssrc}: ${JSON.stringify(await streamOf(ts, ssrc))}`);
  return s;
}

/**
 * Fetches the stream's preview, has ffmpeg decode its first frame to PNG, and returns
 * the PNG's size by ffprobe; undefined when ffmpeg cannot decode it.
 */
async function decodePreview(
  ts: TestServer,
  id: string,
  demuxer: string,
): Promise<{ width: number; height: number; codec: string } | undefined> {
  const r = await fetch(`${ts.url}/api/v1/video/preview/${id}`);
  assert.equal(r.status, 200);
  const codec = r.headers.get("x-codec") ?? "";
  const dir = await Deno.makeTempDir({ prefix: "sluice_preview_" });
  try {
    const inp = `${dir}/preview.bin`, png = `${dir}/out.png`;
    await Deno.writeFile(inp, new Uint8Array(await r.arrayBuffer()));
    const args = ["-hide_banner", "-loglevel", "error", "-y", "-f", demuxer, "-i", inp];
    const d = await finish(spawn("ffmpeg", [...args, "-frames:v", "1", png]), 15_000);
    if (d.code !== 0) return undefined;
    const p = await new Deno.Command("ffprobe", {
      args: ["-v", "error", "-show_entries", "stream=width,height", "-of", "json", png],
      stdout: "piped",
      signal: AbortSignal.timeout(10_000),
    }).output();
    if (!p.success) return undefined;
    const s = JSON.parse(new TextDecoder().decode(p.stdout)).streams[0];
    return { width: s.width, height: s.height, codec };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "rtp preview: H.264, H.265 and AV1 previews decode with ffmpeg at the track's size",
  ignore: missing("ffmpeg", "ffprobe"),
  ...opts,
  async fn() {
    const ts = await startTestServer();
    try {
      const table: [string, string, string][] = [
        ["rtp_h264_ffmpeg", "h264", "h264"],
        ["rtp_h265_gst", "h265", "hevc"],
        ["rtp_av1_ffmpeg81", "av1", "obu"],
      ];
      for (const [name, codec, demuxer] of table) {
        const s = await ingest(ts, capture(name), 60);
        const t = (s.tracks as Json[])[0];
        assert.equal(t.codec, codec);
        assert.ok((t.width as number) > 0, `${name} width`);
        const png = await decodePreview(ts, s.id as string, demuxer);
        assert.ok(png, `${name}: ffmpeg decodes the preview`);
        assert.equal(png.codec, codec);
        assert.equal(png.width, t.width, `${name} decoded width`);
        assert.equal(png.height, t.height, `${name} decoded height`);
      }
    } finally {
      await ts.stop();
    }
  },
});

function encodeBase64(b: Uint8Array): string {
  return btoa(String.fromCharCode(...b));
}

/** RTP payload offset (RFC 3550 5.1: CSRCs and extension skipped). */
function payloadOffset(d: Uint8Array): number {
  let o = 12 + (d[0] & 0x0f) * 4;
  if (d[0] & 0x10) o += 4 + ((d[o + 2] << 8) | d[o + 3]) * 4;
  return o;
}

/**
 * Removes SPS (7) and PPS (8) NAL units from an H.264 capture (RFC 6184 5.6 single NAL
 * packets, 5.7.1 STAP-A): a STAP-A left with one NAL unit becomes a single NAL unit
 * packet, a packet left empty is dropped, and sequence numbers are renumbered so no gap
 * shows. Returns the new datagrams (SSRC replaced by `ssrc`) and the removed sets.
 */
function stripParamSets(
  dgrams: CapturedDatagram[],
  ssrc: number,
): { out: CapturedDatagram[]; sets: Map<number, Uint8Array> } {
  const sets = new Map<number, Uint8Array>();
  const out: CapturedDatagram[] = [];
  const seq0 = new DataView(dgrams[0].data.buffer, dgrams[0].data.byteOffset).getUint16(2);
  for (const g of dgrams) {
    const d = g.data;
    const o = payloadOffset(d);
    const type = d[o] & 0x1f;
    let nals: Uint8Array[] | undefined;
    if (type === 24) {
      nals = [];
      for (let p = o + 1; p + 2 <= d.length;) {
        const n = (d[p] << 8) | d[p + 1];
        nals.push(d.subarray(p + 2, p + 2 + n));
        p += 2 + n;
      }
    } else if (type === 7 || type === 8) nals = [d.subarray(o)];
    let payload: Uint8Array = d.subarray(o);
    if (nals) {
      const keep = nals.filter((n) => {
        const t = n[0] & 0x1f;
        if (t === 7 || t === 8) sets.set(t, n.slice());
        return t !== 7 && t !== 8;
      });
      if (keep.length === 0) continue;
      if (keep.length === 1) payload = keep[0];
      else {
        const parts = keep.flatMap((n) => [new Uint8Array([n.length >> 8, n.length & 0xff]), n]);
        payload = new Uint8Array(1 + parts.reduce((a, p) => a + p.length, 0));
        payload[0] = d[o]; // STAP-A header: F, NRI, type 24
        let w = 1;
        for (const p of parts) {
          payload.set(p, w);
          w += p.length;
        }
      }
    }
    const pkt = new Uint8Array(o + payload.length);
    pkt.set(d.subarray(0, o));
    pkt.set(payload, o);
    const dv = new DataView(pkt.buffer);
    dv.setUint32(8, ssrc);
    dv.setUint16(2, (seq0 + out.length) & 0xffff);
    out.push({ arrivalNs: g.arrivalNs, data: pkt });
  }
  return { out, sets };
}

/** Counts NAL units of `type` in an Annex B buffer (4- or 3-byte start codes). */
function countNals(b: Uint8Array, type: number): number {
  let n = 0;
  for (let i = 0; i + 3 < b.length; i++) {
    if (b[i] === 0 && b[i + 1] === 0 && b[i + 2] === 1 && (b[i + 3] & 0x1f) === type) n++;
  }
  return n;
}

Deno.test({
  name: "rtp preview: H.264 with SPS/PPS only in SDP sprop-parameter-sets still decodes",
  ignore: missing("ffmpeg", "ffprobe"),
  ...opts,
  async fn() {
    const withSdp = 0x5350_0001, without = 0x5350_0002;
    const src = capture("rtp_h264_ffmpeg");
    const a = stripParamSets(src, withSdp);
    const b = stripParamSets(src, without);
    assert.ok(a.sets.has(7) && a.sets.has(8), "the capture carried SPS and PPS in band");
    const dir = await Deno.makeTempDir({ prefix: "sluice_sprop_" });
    const sdp = `${dir}/h264.sdp`;
    const sprop = `${encodeBase64(a.sets.get(7)!)},${encodeBase64(a.sets.get(8)!)}`;
    await Deno.writeTextFile(
      sdp,
      "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=sprop\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
        "m=video 5004 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n" +
        `a=fmtp:96 packetization-mode=1; sprop-parameter-sets=${sprop}\r\n`,
    );
    const ts = await startTestServer(
      `rtp:\n  streams:\n    - { ssrc: ${withSdp}, name: sprop-only, sdp: ${sdp} }\n`,
    );
    try {
      const s = await ingest(ts, a.out, 60);
      assert.equal(s.id, "sprop-only");
      const t = (s.tracks as Json[])[0];
      assert.equal(t.codec, "h264");
      assert.equal(t.codecSource, "sdp");
      assert.equal(t.width, 320);
      assert.equal(t.height, 240);
      assert.deepEqual(s.errors, {});
      const png = await decodePreview(ts, "sprop-only", "h264");
      assert.deepEqual(png, { width: 320, height: 240, codec: "h264" });
      // control: the same packets without the SDP carry no parameter sets at all
      const c = await ingest(ts, b.out, 60);
      const ct = (c.tracks as Json[])[0];
      assert.equal(ct.codecSource, "inferred");
      assert.equal(ct.width, null, "no SPS seen without the SDP");
      const raw = new Uint8Array(
        await (await fetch(`${ts.url}/api/v1/video/preview/${c.id}`)).arrayBuffer(),
      );
      assert.equal(countNals(raw, 7) + countNals(raw, 8), 0, "control preview has no SPS/PPS");
      assert.equal(countNals(raw, 5) > 0, true, "control preview is an IDR");
      assert.equal(await decodePreview(ts, c.id as string, "h264"), undefined);
    } finally {
      await ts.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
