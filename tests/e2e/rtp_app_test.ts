/**
 * RTP end to end: real captures (ffmpeg, GStreamer, FFmpeg 8.1, libdatachannel) replayed
 * through a real UDP socket into a running sluice; the API must show each stream with
 * the right codec and the fixture table's packet and frame counts; injected loss,
 * duplication and reordering must show up exactly; garbage is counted and harmless.
 */
import assert from "node:assert/strict";
import { fixture, readFixture } from "@tests/_helpers.ts";
import { startTestServer, type TestServer, until } from "./_server.ts";
import { parseCapture, plan, replay } from "@tests/support/replay.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

type Json = Record<string, unknown>;
type Track = { codec: string; codecSource: string; frames: number; keyframes: number } & Json;

function capture(name: string) {
  return parseCapture(readFixture(`rtp/${name}.bin`));
}

function ssrcOf(name: string): number {
  const d = capture(name)[0].data;
  return new DataView(d.buffer, d.byteOffset).getUint32(8);
}

async function streamOf(ts: TestServer, ssrc: number): Promise<Json | undefined> {
  const list = (await ts.get("/api/v1/streams")).streams as Json[];
  return list.find((s) => s.ssrc === ssrc);
}

/** Replays a capture and waits until the stream has taken every packet and the jitter window passed. */
async function ingest(ts: TestServer, name: string, packets: number): Promise<Json> {
  await replay(capture(name), { hostname: "127.0.0.1", port: ts.rtpPort }, { pace: "fast" });
  const s = await until(async () => {
    const s = await streamOf(ts, ssrcOf(name));
    return s && s.packets === packets ? s : undefined;
  });
  assert.ok(s, `${name}: stream with ${packets} packets`);
  // transport stats are published every second, after the jitter window passed
  const done = await until(async () => {
    const s = await streamOf(ts, ssrcOf(name));
    return (s?.transport as Json)?.packets === packets ? s : undefined;
  }, 3000);
  assert.ok(done, `${name}: transport stats published`);
  return done!;
}

Deno.test({
  name: "rtp e2e: video captures show up with the inferred codec and the fixture's frame counts",
  ...opts,
  async fn() {
    const ts = await startTestServer();
    try {
      const table: [string, number, string, number, number][] = [
        ["rtp_h264_ffmpeg", 106, "h264", 60, 2],
        ["rtp_h264_gst", 242, "h264", 60, 2],
        ["rtp_h265_ffmpeg", 86, "h265", 60, 2],
        ["rtp_h265_gst", 245, "h265", 60, 2],
        ["rtp_av1_ffmpeg81", 130, "av1", 60, 2],
        ["rtp_av1_libdatachannel", 130, "av1", 60, 2],
      ];
      for (const [name, packets, codec, frames, keys] of table) {
        const s = await ingest(ts, name, packets);
        assert.equal(s.protocol, "rtp");
        assert.match(s.id as string, /^ssrc-[0-9a-f]{8}/);
        const t = (s.tracks as Track[])[0];
        assert.equal(t.codec, codec, name);
        assert.equal(t.codecSource, "inferred", name);
        assert.equal(t.frames, frames, `${name} frames`);
        assert.equal(t.keyframes, keys, `${name} keyframes`);
        assert.ok((t.width as number) > 0 && (t.height as number) > 0, `${name} resolution`);
        assert.deepEqual(s.errors, {}, name);
        const tr = s.transport as Json;
        assert.equal(tr.lost, 0, name);
      }
      const h = await ts.get("/api/v1/health");
      const rtp = (h.listeners as Json).rtp as Json;
      assert.equal(rtp.enabled, true);
      assert.equal(rtp.receiver, "recvmmsg");
      assert.ok((rtp.socketBufferBytes as number) >= 1 << 20);
    } finally {
      await ts.stop();
    }
  },
});

Deno.test({
  name: "rtp e2e: audio by static type, by inference and by per-stream SDP",
  ...opts,
  async fn() {
    const aac = ssrcOf("rtp_aac_ffmpeg");
    const latm = ssrcOf("rtp_aac_latm_ffmpeg");
    const ts = await startTestServer(
      `rtp:\n  streams:\n    - { ssrc: ${aac}, name: aac1, sdp: ${
        fixture("rtp/rtp_aac_ffmpeg.sdp")
      } }\n` +
        `    - { ssrc: ${latm}, name: latm1, sdp: ${fixture("rtp/rtp_aac_latm_ffmpeg.sdp")} }\n`,
    );
    try {
      const pcmu = await ingest(ts, "rtp_pcm_mulaw_ffmpeg", 94);
      const tp = (pcmu.tracks as Track[])[0];
      assert.equal(tp.codec, "pcmu");
      assert.equal(tp.codecSource, "rtp_static");
      assert.equal(tp.frames, 94);
      const opus = await ingest(ts, "rtp_libopus_ffmpeg", 101);
      const to = (opus.tracks as Track[])[0];
      assert.equal(to.codec, "opus");
      assert.equal(to.codecSource, "inferred");
      assert.equal(to.frames, 101);
      const a = await ingest(ts, "rtp_aac_ffmpeg", 28);
      assert.equal(a.id, "aac1");
      const ta = (a.tracks as Track[])[0];
      assert.equal(ta.codec, "aac");
      assert.equal(ta.codecSource, "sdp");
      assert.equal(ta.frames, 92);
      assert.equal(ta.sampleRate, 48000);
      assert.equal(ta.channels, 2);
      const l = await ingest(ts, "rtp_aac_latm_ffmpeg", 95);
      assert.equal(l.id, "latm1");
      assert.equal((l.tracks as Track[])[0].frames, 95);
    } finally {
      await ts.stop();
    }
  },
});

Deno.test({
  name: "rtp e2e: injected loss, duplication and reordering are counted exactly",
  ...opts,
  async fn() {
    const ts = await startTestServer();
    try {
      const name = "rtp_h264_gst";
      const dgrams = capture(name);
      const imp = { loss: 0.03, dup: 0.03, reorder: 0.05 };
      // a fixed seed whose plan keeps the first packets intact, so probation passes
      let seed = 1;
      while (plan(dgrams.length, { ...imp, seed }).order.slice(0, 3).join() !== "0,1,2") seed++;
      const report = await replay(dgrams, { hostname: "127.0.0.1", port: ts.rtpPort }, {
        pace: "fast",
        ...imp,
        seed,
      });
      assert.ok(
        report.lost.length > 0 && report.duplicated.length > 0 && report.reordered.length > 0,
      );
      assert.ok(
        !report.lost.includes(0) && !report.lost.includes(1),
        "seed keeps probation packets",
      );
      const unique = dgrams.length - report.lost.length;
      const st = (await until(async () => {
        const s = await streamOf(ts, ssrcOf(name));
        return (s?.transport as Json)?.packets === unique ? s : undefined;
      }, 5000))!;
      assert.ok(st, "every unique packet counted once in the session");
      assert.equal(
        st.packets,
        report.sent,
        "the stream counts every datagram, duplicates included",
      );
      const tr = st.transport as Json;
      assert.equal(tr.lost, report.lost.length);
      assert.equal(tr.duplicated, report.duplicated.length);
      // reordered = arrived after a later packet, not a duplicate (RFC 3550 A.1 sense)
      const { order } = plan(dgrams.length, { ...imp, seed });
      let max = -1;
      let late = 0;
      const seen = new Set<number>();
      for (const i of order) {
        if (!seen.has(i) && i < max) late++;
        seen.add(i);
        max = Math.max(max, i);
      }
      assert.ok(late > 0);
      assert.equal(tr.reordered, late);
      const t = (st.tracks as Track[])[0];
      assert.ok(t.frames < 60, "damaged frames were dropped, not emitted");
      assert.ok(((st.drops as Json).frame_loss as number) > 0);
    } finally {
      await ts.stop();
    }
  },
});

Deno.test({
  name: "rtp e2e: garbage on the port is counted per reason and harmless",
  ...opts,
  async fn() {
    const ts = await startTestServer();
    const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    try {
      const to: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port: ts.rtpPort };
      let seed = 3;
      for (let i = 0; i < 300; i++) {
        const n = (i * 37) % 1400;
        const b = new Uint8Array(n);
        for (let k = 0; k < n; k++) b[k] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
        if (i % 3 === 0 && n > 0) b[0] = 0x40; // version 1
        await sock.send(b, to);
      }
      const stats = await until(async () => {
        const s = await ts.get("/api/v1/stats");
        const errs = s.portErrors as Record<string, number>;
        const total = Object.values(errs).reduce((a, b) => a + b, 0);
        return total > 0 ? s : undefined;
      });
      assert.ok(stats, "port errors counted");
      assert.ok(((stats!.portErrors as Record<string, number>).rtp_rtp_version ?? 0) > 0);
      const metrics = await (await fetch(`${ts.url}/metrics`)).text();
      assert.match(metrics, /sluice_port_errors_total\{listener="rtp",reason="rtp_version"\} \d+/);
      assert.equal((await ts.get("/api/v1/health")).status, "ok");
    } finally {
      sock.close();
      await ts.stop();
    }
  },
});

Deno.test({
  name: "rtp e2e: the A/V pair's sender reports map both tracks to one NTP clock",
  ...opts,
  async fn() {
    const ts = await startTestServer();
    try {
      const v = await ingest(ts, "av_rtp_15004", 111);
      const a = await ingest(ts, "av_rtp_15008", 151);
      for (const f of ["av_rtp_15005", "av_rtp_15009"]) {
        await replay(capture(f), { hostname: "127.0.0.1", port: ts.rtpPort + 1 }, { pace: "fast" });
      }
      const both = await until(async () => {
        await new Promise((r) => setTimeout(r, 1100)); // transport stats publish every second
        const vs = await streamOf(ts, v.ssrc as number);
        const as = await streamOf(ts, a.ssrc as number);
        const ok = (s?: Json) => (s?.transport as Json)?.srNtpUnixMs !== null;
        return vs && as && ok(vs) && ok(as) ? [vs, as] : undefined;
      }, 5000);
      assert.ok(both, "both tracks have an SR mapping");
      const [vs, as] = both!;
      const vt = vs.transport as Json, at = as.transport as Json;
      assert.equal(typeof vt.srNtpUnixMs, "number");
      // one session, one NTP clock: the two SRs are within a few seconds of each other
      assert.ok(Math.abs((vt.srNtpUnixMs as number) - (at.srNtpUnixMs as number)) < 10_000);
    } finally {
      await ts.stop();
    }
  },
});
