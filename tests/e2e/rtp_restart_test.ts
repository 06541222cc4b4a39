/**
 * An RTP sender restarting on a new source port (issue 16, lib/transport/rtp/source_identity.ts
 * "new_port"): a real capture (ffmpeg's H.264 RTP) replayed through a UDP socket, then
 * again from a new socket 0.7 s later, is one stream with two sessions: frame and keyframe
 * counts are twice the first replay's, the buffer holds whole GOPs with output-timeline decode
 * times (`dtsMs`) increasing across the sessions while the source `dts` repeat, the new session
 * is one `corrections.resyncs` in the sync status and /metrics, the preview decodes with ffmpeg. Two senders of the host running at once stay two
 * streams.
 */
import assert from "node:assert/strict";
import { assertPictureDecodes, missing } from "@tests/_helpers.ts";
import { type CapturedDatagram, readCapture, replay } from "@tests/support/replay.ts";
import { startTestServer, type TestServer, until } from "./_server.ts";
import { sleep } from "./srt_harness.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
type Json = Record<string, unknown>;

async function streams(ts: TestServer): Promise<Json[]> {
  return (await ts.get("/api/v1/streams")).streams as Json[];
}

/** The stream once its packet count stops at `packets`. */
async function settled(ts: TestServer, id: string, packets: number): Promise<Json> {
  const s = await until(async () => {
    const s = (await streams(ts)).find((s) => s.id === id);
    return s && s.packets === packets ? s : undefined;
  }, 10_000);
  assert.ok(s, `${id}: ${packets} packets`);
  return s;
}

function withSsrc(dgrams: CapturedDatagram[], ssrc: number): CapturedDatagram[] {
  return dgrams.map((d) => {
    const data = d.data.slice();
    new DataView(data.buffer).setUint32(8, ssrc);
    return { ...d, data };
  });
}

Deno.test({
  name: "rtp restart e2e: a replayed sender restarting on a new source port continues its stream",
  ignore: missing("ffmpeg"),
  ...opts,
  async fn() {
    const ts = await startTestServer();
    try {
      const to = { hostname: "127.0.0.1", port: ts.rtpPort };
      const dgrams = readCapture("rtp/rtp_h264_ffmpeg.bin");
      const ssrc = new DataView(dgrams[0].data.buffer, dgrams[0].data.byteOffset).getUint32(8);
      const id = `ssrc-${ssrc.toString(16).padStart(8, "0")}`;
      await replay(dgrams, to, { pace: "fast" });
      const first = await settled(ts, id, dgrams.length);
      const t1 = (first.tracks as Json[])[0];
      assert.ok((t1.keyframes as number) >= 2, "the capture has more than one GOP");
      await sleep(700);
      await replay(dgrams, to, { pace: "fast" }); // a new socket: a new source port
      const s = await settled(ts, id, 2 * dgrams.length);
      assert.equal((await streams(ts)).length, 1, "no second stream for the new port");
      assert.equal(s.sessions, 2);
      assert.notEqual(s.remote, first.remote);
      const t2 = (s.tracks as Json[])[0];
      assert.equal(t2.frames, 2 * (t1.frames as number), "every frame of both sessions");
      assert.equal(t2.keyframes, 2 * (t1.keyframes as number));
      assert.equal(s.resyncs, undefined, "resyncs has one home: the sync status");
      const sync = await ts.get(`/api/v1/sync/status/${id}`);
      assert.equal((sync.corrections as Json).resyncs, 1, "the new session rebased once");
      const metrics = await (await fetch(`${ts.url}/metrics`)).text();
      assert.match(
        metrics,
        new RegExp(`sluice_sync_resyncs_total\\{stream="${id}",protocol="rtp"\\} 1\n`),
      );
      assert.equal((s.errors as Json).rtp_seq_jump, undefined, "the new session's sequence space");
      const buf = await ts.get(`/api/v1/video/buffer/${id}`);
      const frames = buf.frames as Json[];
      const gops = new Map<number, Json[]>();
      for (const f of frames) gops.set(f.gop as number, [...(gops.get(f.gop as number) ?? []), f]);
      for (const g of gops.values()) assert.equal(g[0].key, true, "each GOP starts with its key");
      for (let i = 1; i < frames.length; i++) {
        const [a, b] = [frames[i - 1].dtsMs as number, frames[i].dtsMs as number];
        assert.ok(b > a, `dtsMs increases across sessions: ${a} then ${b} at ${i}`);
      }
      const dts = frames.map((f) => f.dts as number);
      assert.ok(
        dts.some((d, i) => i > 0 && d < dts[i - 1]),
        "source dts kept as sent: the replay repeats them",
      );
      const prev = await fetch(`${ts.url}/api/v1/video/preview/${id}`);
      assert.equal(prev.status, 200);
      await assertPictureDecodes(new Uint8Array(await prev.arrayBuffer()), ".h264");
      const stats = await ts.get("/api/v1/stats");
      assert.deepEqual(stats.takeovers, { rtp_new_port: 1 });

      // two senders of this host at once: separate streams, nothing taken over
      await Promise.all([
        replay(withSsrc(dgrams, 0x11110001), to, { pace: "fast" }),
        replay(withSsrc(dgrams, 0x11110002), to, { pace: "fast" }),
      ]);
      await settled(ts, "ssrc-11110001", dgrams.length);
      await settled(ts, "ssrc-11110002", dgrams.length);
      assert.deepEqual((await ts.get("/api/v1/stats")).takeovers, { rtp_new_port: 1 });
    } finally {
      await ts.stop();
    }
  },
});
