/**
 * RTP A/V: one stream with several tracks, and the sync figures against known injected
 * errors. Live ffmpeg H.264 + Opus with one CNAME (joined by CNAME, reference rtcp); the
 * committed ffmpeg capture av_rtp_* (H.264 + Opus + their sender reports) joined by a
 * config SSRC list and by its two-`m=` SDP, replayed at its recorded pace with the audio
 * SRs' NTP moved +200 ms (avOffsetMs +200 +- 5 against the unchanged copy), and without
 * RTCP with the audio RTP timestamps running 1000 ppm fast (reference arrival, drift
 * ~1000 ppm). And the multi-SSRC defect: 25 SSRCs sent concurrently from one socket are
 * 25 streams with the fixture's frame counts.
 */
import assert from "node:assert/strict";
import { fixture, missing } from "@tests/_helpers.ts";
import { startTestServer, type TestServer, until } from "./_server.ts";
import { finish, sleep, spawn } from "./srt_harness.ts";
import { avSource, isRtcpDatagram, rewriteRtp, sendTimed, ssrcOfRtp } from "./_sync_media.ts";
import { type CapturedDatagram, readCapture } from "@tests/support/replay.ts";
import { DriftEstimator } from "@lib/sync/estimator.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
type Json = Record<string, unknown>;
type Status = {
  reference: string;
  state: string;
  avOffsetMs: number | null;
  tracks: { id: number; kind: string; reference: string; driftPpm: number | null }[];
};

const VIDEO = readCapture("rtp/av_rtp_15004.bin");
const VIDEO_RTCP = readCapture("rtp/av_rtp_15005.bin");
const AUDIO = readCapture("rtp/av_rtp_15008.bin");
const AUDIO_RTCP = readCapture("rtp/av_rtp_15009.bin");
const V_SSRC = ssrcOfRtp(VIDEO[0].data);
const A_SSRC = ssrcOfRtp(AUDIO[0].data);

function socket(): Deno.DatagramConn {
  return Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
}

/** The four capture files as timed sends: RTP to the port, RTCP to port + 1, one socket per medium. */
function avItems(
  ts: TestServer,
  v: CapturedDatagram[],
  a: CapturedDatagram[],
  socks: Deno.DatagramConn[],
) {
  const to = (port: number): Deno.NetAddr => ({ transport: "udp", hostname: "127.0.0.1", port });
  return [
    ...v.map((g) => ({ g, sock: socks[0] })),
    ...a.map((g) => ({ g, sock: socks[1] })),
  ].map(({ g, sock }) => ({
    at: g.arrivalNs,
    data: g.data,
    sock,
    to: to(isRtcpDatagram(g.data) ? ts.rtpPort + 1 : ts.rtpPort),
  }));
}

async function streams(ts: TestServer): Promise<Json[]> {
  return (await ts.get("/api/v1/streams")).streams as Json[];
}

Deno.test({
  name: "sync rtp: ffmpeg H.264 + Opus with one CNAME -> one stream, two tracks, reference rtcp",
  ...opts,
  ignore: missing("ffmpeg"),
  async fn() {
    const ts = await startTestServer();
    const url = `rtp://127.0.0.1:${ts.rtpPort}`;
    const p = spawn("ffmpeg", [
      "-hide_banner",
      "-loglevel",
      "error",
      "-re",
      ...avSource(4),
      "-map",
      "0:v",
      "-f",
      "rtp",
      "-cname",
      "cam@sluice-test",
      url,
      "-map",
      "1:a",
      "-c:a",
      "libopus",
      "-f",
      "rtp",
      "-cname",
      "cam@sluice-test",
      url,
    ]);
    try {
      const live = await until(async () => {
        const l = (await streams(ts)).filter((s) => s.state !== "closed");
        const s = l[0];
        if (l.length !== 1 || (s.tracks as Json[]).length !== 2) return undefined;
        const st = await ts.get(`/api/v1/sync/status/${s.id}`) as unknown as Status;
        return st.reference === "rtcp" && st.avOffsetMs !== null ? { s, st } : undefined;
      }, 8000);
      assert.ok(live, JSON.stringify(await streams(ts)));
      const { s, st } = live;
      assert.equal((s.ssrcs as number[]).length, 2);
      assert.equal(s.ssrc, (s.ssrcs as number[])[0]);
      assert.deepEqual((s.tracks as Json[]).map((t) => t.codec).sort(), ["h264", "opus"]);
      assert.deepEqual(st.tracks.map((t) => t.reference), ["rtcp", "rtcp"]);
      // transport stats (the first source's) are published once a second
      const withStats = await until(async () => {
        const x = await ts.get(`/api/v1/streams/${s.id}`);
        return (x.transport as Json)?.cname ? x : undefined;
      }, 3000);
      assert.equal((withStats?.transport as Json)?.cname, "cam@sluice-test");
      // the younger stream was merged away
      const joined = (await streams(ts)).filter((x) => x.closeReason === "joined");
      assert.equal(joined.length, 1);
      assert.ok((s.ssrcs as number[]).includes(joined[0].ssrc as number));
      const r = await finish(p, 10_000);
      assert.equal(r.code, 0, r.stderr);
    } finally {
      p.kill();
      await p.status;
      await ts.stop();
    }
  },
});

Deno.test({
  name: "sync rtp: audio SR NTP +200 ms reads as avOffsetMs +200 (config SSRC lists, rtcp)",
  ...opts,
  async fn() {
    const ts = await startTestServer(
      `rtp:\n  streams:\n    - { name: av, ssrc: [${V_SSRC}, ${A_SSRC}] }\n` +
        `    - { name: av-moved, ssrc: [0x7001, 0x7002] }\n`,
    );
    const socks = [socket(), socket(), socket(), socket()];
    try {
      const moved = avItems(
        ts,
        rewriteRtp([...VIDEO, ...VIDEO_RTCP], { ssrc: 0x7001 }),
        rewriteRtp([...AUDIO, ...AUDIO_RTCP], { ssrc: 0x7002, ntpShiftMs: 200 }),
        socks.slice(2),
      );
      const plain = avItems(ts, [...VIDEO, ...VIDEO_RTCP], [...AUDIO, ...AUDIO_RTCP], socks);
      await sendTimed([...plain, ...moved]);
      // the jitter buffer releases the last frames a moment later (longer on a loaded box)
      const both = await until(async () => {
        const a = await ts.get("/api/v1/sync/status/av") as unknown as Status;
        const b = await ts.get("/api/v1/sync/status/av-moved") as unknown as Status;
        return a.avOffsetMs != null && b.avOffsetMs != null ? { a, b } : undefined;
      }, 5000);
      assert.ok(both, JSON.stringify(await streams(ts)));
      await sleep(300);
      const a = await ts.get("/api/v1/sync/status/av") as unknown as Status;
      const b = await ts.get("/api/v1/sync/status/av-moved") as unknown as Status;
      for (const s of [a, b]) {
        assert.equal(s.reference, "rtcp", JSON.stringify(s));
        assert.deepEqual(s.tracks.map((t) => t.kind).sort(), ["audio", "video"]);
      }
      const d = b.avOffsetMs! - a.avOffsetMs!;
      assert.ok(Math.abs(d - 200) <= 5, `avOffsetMs ${b.avOffsetMs} vs ${a.avOffsetMs}`);
      const av = await ts.get("/api/v1/streams/av");
      assert.deepEqual([...(av.ssrcs as number[])].sort(), [V_SSRC, A_SSRC].sort());
      assert.equal((await streams(ts)).length, 2, "no stream per SSRC");
    } finally {
      for (const s of socks) s.close();
      await ts.stop();
    }
  },
});

Deno.test({
  name: "sync rtp: one SDP with two m= lines joins the pair from one host",
  ...opts,
  async fn() {
    const ts = await startTestServer(`rtp:\n  sdp: [${fixture("rtp/av_rtp.sdp")}]\n`);
    const socks = [socket(), socket()];
    try {
      await sendTimed(avItems(ts, VIDEO, AUDIO, socks), 4);
      const s = await until(async () => {
        const l = await streams(ts);
        return l.length === 1 && (l[0].tracks as Json[]).length === 2 ? l[0] : undefined;
      }, 3000);
      assert.ok(s, JSON.stringify(await streams(ts)));
      assert.deepEqual((s.tracks as Json[]).map((t) => [t.id, t.codec, t.codecSource]).sort(), [
        [96, "h264", "sdp"],
        [97, "opus", "sdp"],
      ]);
      assert.equal((s.ssrcs as number[]).length, 2);
    } finally {
      for (const x of socks) x.close();
      await ts.stop();
    }
  },
});

/** `dgrams` repeated `n` times with sequence numbers and timestamps running on. */
/**
 * The drift a receiver measuring against arrival sees from the sender's lateness alone
 * (ppm; negative when the sender fell behind), for the datagrams sent from `sock`: the
 * same robust line fit sluice uses, through (sent at, -lateness).
 */
function senderLagPpm(
  items: { sock: Deno.DatagramConn }[],
  sent: { dueMs: number; lateMs: number }[],
  sock: Deno.DatagramConn,
): number {
  const est = new DriftEstimator();
  items.forEach((it, i) => {
    if (it.sock === sock) est.add(sent[i].dueMs + sent[i].lateMs, -sent[i].lateMs);
  });
  return Math.round(est.fit()?.driftPpm ?? 0);
}

function loop(dgrams: CapturedDatagram[], n: number, rate: number): CapturedDatagram[] {
  const dv = (d: Uint8Array) => new DataView(d.buffer, d.byteOffset);
  const ts = dgrams.map((g) => dv(g.data).getUint32(4));
  const steps = ts.slice(1).map((t, i) => t - ts[i]).filter((d) => d > 0).sort((a, b) => a - b);
  const period = ts[ts.length - 1] - ts[0] + steps[steps.length >> 1];
  const out: CapturedDatagram[] = [];
  for (let k = 0; k < n; k++) {
    for (
      const [i, g] of rewriteRtp(dgrams, { ts: (t) => t + k * period, seqAdd: k * dgrams.length })
        .entries()
    ) {
      // sent at its media time: the sender's clock is the RTP clock
      const at = BigInt(Math.round(((ts[i] - ts[0] + k * period) / rate) * 1e9));
      out.push({ arrivalNs: at, data: g.data });
    }
  }
  return out;
}

Deno.test({
  name:
    "sync rtp: no RTCP, audio RTP clock 1000 ppm fast -> reference arrival, audio drift ~1000 ppm",
  ...opts,
  async fn() {
    const ts = await startTestServer(
      `rtp:\n  streams:\n    - { name: av, ssrc: [${V_SSRC}, ${A_SSRC}] }\n`,
    );
    const socks = [socket(), socket()];
    try {
      const v = loop(VIDEO, 4, 90000);
      const a0 = AUDIO.map((g) => new DataView(g.data.buffer, g.data.byteOffset).getUint32(4))[0];
      const a = rewriteRtp(loop(AUDIO, 4, 48000), {
        ts: (t) => a0 + Math.round(((t - a0) >>> 0) * 1.001),
      });
      const items = avItems(ts, v, a, socks);
      const sent = await sendTimed(items);
      const s = await ts.get("/api/v1/sync/status/av") as unknown as Status;
      assert.equal(s.reference, "arrival", JSON.stringify(s));
      const audio = s.tracks.find((t) => t.kind === "audio")!;
      const video = s.tracks.find((t) => t.kind === "video")!;
      // Against arrival, a sender that fell behind on the shared machine reads as a slow
      // clock: the expectation is the sender's own lag slope, fitted the way sluice fits.
      const lag = senderLagPpm(items, sent, socks[0]);
      const msg = `video drift ${video.driftPpm}, audio ${audio.driftPpm}, sender lag ${lag}`;
      assert.ok(Math.abs(audio.driftPpm! - 1000 - lag) <= 150, msg);
      assert.ok(Math.abs(video.driftPpm! - lag) <= 150, msg);
    } finally {
      for (const x of socks) x.close();
      await ts.stop();
    }
  },
});

Deno.test({
  name: "rtp: 25 concurrent SSRCs from one socket are 25 streams with every frame",
  ...opts,
  async fn() {
    const ts = await startTestServer(
      "ingestion:\n  max_connections: 40\nrtp:\n  new_stream_rate: 100\n",
    );
    const sock = socket();
    try {
      const cap = readCapture("rtp/rtp_h264_ffmpeg.bin");
      const copies = Array.from(
        { length: 25 },
        (_, i) => rewriteRtp(cap, { ssrc: 0x25000000 + i, seqAdd: i * 1000 }),
      );
      const to: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port: ts.rtpPort };
      let n = 0;
      for (let j = 0; j < cap.length; j++) {
        for (const c of copies) {
          await sock.send(c[j].data, to);
          if (++n % 64 === 0) await sleep(1);
        }
      }
      const all = await until(async () => {
        const l = await streams(ts);
        const done = l.filter((s) => ((s.tracks as Json[])[0]?.frames as number) === 60);
        return done.length === 25 ? l : undefined;
      }, 5000);
      const l = await streams(ts);
      assert.ok(
        all,
        `frames per stream: ${l.map((s) => (s.tracks as Json[])[0]?.frames).join(",")}`,
      );
      assert.equal(l.length, 25);
      assert.deepEqual(
        l.map((s) => s.ssrc as number).sort((a, b) => a - b),
        copies.map((_, i) => 0x25000000 + i),
      );
      for (const s of l) assert.deepEqual(s.drops, {}, String(s.id));
      const stats = await ts.get("/api/v1/stats");
      assert.equal((stats.portErrors as Json).rtp_ssrc_change, undefined);
    } finally {
      sock.close();
      await ts.stop();
    }
  },
});
