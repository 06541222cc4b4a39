/**
 * RTP abuse through a running sluice (real UDP on loopback): random datagrams at a few
 * thousand per second, valid-looking RTP under many SSRCs (new-source rate limit and
 * max_connections), real captures (GStreamer/ffmpeg H.264, H.265) with seeded payload
 * mutations, and oversize datagrams. Every datagram is accounted for (a stream packet or a
 * port error), refusals show in stats and /metrics, the server stays healthy and a clean
 * publisher is still admitted afterwards.
 */
import assert from "node:assert/strict";
import { readFixture } from "@tests/_helpers.ts";
import { startTestServer, type TestServer, until } from "./_server.ts";
import { assertNoDuplicateSeries } from "./_server.ts";
import { parseCapture, replay } from "@tests/support/replay.ts";
import { prng } from "@tests/support/prng.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
type Json = Record<string, unknown>;
type Counts = Record<string, number>;

const sum = (c: Counts | undefined) => Object.values(c ?? {}).reduce((a, b) => a + b, 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function udp(): Deno.DatagramConn {
  return Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
}

function to(ts: TestServer): Deno.NetAddr {
  return { transport: "udp", hostname: "127.0.0.1", port: ts.rtpPort };
}

async function rtpHealth(ts: TestServer): Promise<Json> {
  return ((await ts.get("/api/v1/health")).listeners as Json).rtp as Json;
}

async function streams(ts: TestServer): Promise<Json[]> {
  return (await ts.get("/api/v1/streams")).streams as Json[];
}

/** A clean capture replayed after the abuse is admitted and fully assembled. */
async function cleanPublisherWorks(ts: TestServer): Promise<void> {
  const dgrams = parseCapture(readFixture("rtp/rtp_h264_ffmpeg.bin"));
  const ssrc = 0x5eed0001;
  for (const d of dgrams) new DataView(d.data.buffer, d.data.byteOffset).setUint32(8, ssrc);
  await replay(dgrams, { hostname: "127.0.0.1", port: ts.rtpPort }, { pace: "fast" });
  const s = await until(async () => {
    const s = (await streams(ts)).find((x) => x.ssrc === ssrc);
    const t = (s?.tracks as Json[] | undefined)?.[0];
    return t?.frames === 60 ? s : undefined;
  }, 5000);
  assert.ok(s, "a clean H.264 publisher after the abuse gets all 60 frames");
  assert.deepEqual(s.errors, {});
}

Deno.test({
  name:
    "rtp robustness: 2 s of random datagrams at 3000/s are all counted and never become streams",
  ...opts,
  async fn() {
    const ts = await startTestServer();
    const sock = udp();
    try {
      const h0 = await rtpHealth(ts);
      const rss0 = Deno.memoryUsage().rss;
      const rnd = prng(7);
      let sent = 0;
      const t0 = performance.now();
      for (let tick = 0; tick < 200; tick++) {
        for (let k = 0; k < 30; k++) {
          const b = new Uint8Array(Math.floor(rnd() * 1400));
          for (let i = 0; i < b.length; i++) b[i] = rnd() * 256;
          await sock.send(b, to(ts));
          sent++;
        }
        const due = t0 + (tick + 1) * 10 - performance.now();
        if (due > 0) await sleep(due);
      }
      const got = await until(async () => {
        const h = await rtpHealth(ts);
        return (h.datagrams as number) - (h0.datagrams as number) >= sent ? h : undefined;
      }, 5000);
      assert.ok(got, `every datagram received (${sent})`);
      assert.equal(got.truncated, 0);
      // Packets held on probation are counted when their source expires (after 1 s, seen by
      // the housekeeping tick): wait, bounded, until they all are.
      let pe: Counts = {}, list: Record<string, unknown>[] = [], inStreams = 0, rejected = 0;
      await until(async () => {
        pe = (await ts.get("/api/v1/stats")).portErrors as Counts;
        list = await streams(ts);
        inStreams = list.reduce((a, s) => a + (s.packets as number), 0);
        // ssrc_change is counted as well as delivered (to the session it continues)
        rejected = sum(pe) - (pe.rtp_ssrc_change ?? 0);
        return rejected + inStreams >= sent ? true : undefined;
      }, 5000);
      assert.equal(
        rejected + inStreams,
        sent,
        `each datagram is a stream packet or a port error ${JSON.stringify(pe)}`,
      );
      assert.ok(rejected > sent * 0.7, "most random datagrams are rejected at the port");
      for (const r of ["rtp_rtp_version", "rtp_rtcp_version", "rtp_source_probation"]) {
        assert.ok(pe[r] > 0, r);
      }
      assert.equal(list.length, 0, "random datagrams never become streams");
      const metrics = await (await fetch(`${ts.url}/metrics`)).text();
      assertNoDuplicateSeries(metrics);
      for (const [k, n] of Object.entries(pe)) {
        const reason = k.slice("rtp_".length);
        assert.match(
          metrics,
          new RegExp(`sluice_port_errors_total\\{listener="rtp",reason="${reason}"\\} ${n}\\n`),
        );
      }
      // and at the RTCP port (rtp_port + 1)
      const rtcp: Deno.NetAddr = { ...to(ts), port: ts.rtpPort + 1 };
      for (let i = 0; i < 500; i++) {
        const b = new Uint8Array(1 + Math.floor(rnd() * 600));
        for (let k = 0; k < b.length; k++) b[k] = rnd() * 256;
        if (i % 2 === 0) b[0] = 0x80 | (b[0] & 0x3f); // version 2 half the time
        await sock.send(b, rtcp);
        if (i % 50 === 49) await sleep(5);
      }
      const pe1 = await until(async () => {
        const p = (await ts.get("/api/v1/stats")).portErrors as Counts;
        return sum(p) - sum(pe) >= 500 ? p : undefined;
      }, 3000);
      assert.ok(pe1, "every random RTCP datagram is counted");
      assert.equal(sum(pe1) - sum(pe), 500);
      assert.equal((await ts.get("/api/v1/health")).status, "ok");
      const grew = Deno.memoryUsage().rss - rss0;
      assert.ok(grew < 150 * 1024 * 1024, `rss grew ${grew} bytes`);
      await cleanPublisherWorks(ts);
    } finally {
      sock.close();
      await ts.stop();
    }
  },
});

Deno.test({
  name: "rtp robustness: many SSRCs hit new_stream_rate and max_connections, refusals counted",
  ...opts,
  async fn() {
    const ts = await startTestServer(
      "ingestion:\n  max_connections: 4\nrtp:\n  new_stream_rate: 5\n",
    );
    const socks = Array.from({ length: 40 }, udp);
    try {
      const rnd = prng(11);
      for (let round = 0; round < 10; round++) {
        for (let i = 0; i < socks.length; i++) {
          const b = new Uint8Array(200);
          for (let k = 12; k < b.length; k++) b[k] = rnd() * 256;
          const v = new DataView(b.buffer);
          v.setUint8(0, 0x80);
          v.setUint8(1, 96);
          v.setUint16(2, 1000 + round);
          v.setUint32(4, round * 3000);
          v.setUint32(8, 0x10000 + i);
          await socks[i].send(b, to(ts));
        }
        await sleep(20);
      }
      await sleep(300);
      const st = await ts.get("/api/v1/stats");
      const refused = st.refused as Counts;
      const pe = st.portErrors as Counts;
      assert.ok(refused.rtp_max_connections > 0, JSON.stringify(refused));
      assert.ok(pe.rtp_new_source_rate > 0, JSON.stringify(pe));
      assert.ok(pe.rtp_source_refused >= refused.rtp_max_connections, JSON.stringify(pe));
      const live = (await streams(ts)).filter((s) => s.state !== "closed");
      assert.equal(live.length, 4, "exactly max_connections streams");
      assert.equal((st.streams as Json).live, 4);
      const total = live.reduce((a, s) => a + (s.packets as number), 0);
      assert.equal(total + sum(pe), 400, "each datagram is a stream packet or a port error");
      const metrics = await (await fetch(`${ts.url}/metrics`)).text();
      assertNoDuplicateSeries(metrics);
      assert.match(
        metrics,
        new RegExp(
          `sluice_streams_refused_total\\{protocol="rtp",reason="max_connections"\\} ${refused.rtp_max_connections}\\n`,
        ),
      );
      assert.equal((await ts.get("/api/v1/health")).status, "ok");
    } finally {
      for (const s of socks) s.close();
      await ts.stop();
    }
  },
});

Deno.test({
  name: "rtp robustness: real captures with seeded payload mutations are counted, never fatal",
  ...opts,
  async fn() {
    const ts = await startTestServer();
    try {
      const names = ["rtp_h264_gst", "rtp_h264_ffmpeg", "rtp_h265_gst", "rtp_h265_ffmpeg"];
      let ssrc = 0x7000;
      const reasons = new Set<string>();
      for (const name of names) {
        for (const seed of [1, 2, 3]) {
          const dgrams = parseCapture(readFixture(`rtp/${name}.bin`));
          const rnd = prng(seed * 101);
          ssrc++;
          for (const [i, d] of dgrams.entries()) {
            new DataView(d.data.buffer, d.data.byteOffset).setUint32(8, ssrc);
            // damage after the codec sniffing window (the first 8 packets decide the codec)
            if (i >= 16 && rnd() < 0.3) {
              const flips = 1 + Math.floor(rnd() * 4);
              for (let f = 0; f < flips; f++) {
                // payload bytes only, biased to the payload headers (NAL/FU/AP headers)
                const off = 12 + Math.floor(rnd() < 0.5 ? rnd() * 4 : rnd() * (d.data.length - 12));
                if (off < d.data.length) d.data[off] ^= 1 << Math.floor(rnd() * 8);
              }
            }
          }
          await replay(dgrams, { hostname: "127.0.0.1", port: ts.rtpPort }, { pace: "fast" });
          const s = await until(async () => {
            const s = (await streams(ts)).find((x) => x.ssrc === ssrc);
            return s?.packets === dgrams.length ? s : undefined;
          }, 5000);
          assert.ok(s, `${name} seed ${seed}: every packet counted`);
          await sleep(150); // jitter window
          const j = await ts.get(`/api/v1/streams/${s.id}`);
          const errors = j.errors as Counts;
          const drops = j.drops as Counts;
          assert.ok(sum(errors) + sum(drops) > 0, `${name} seed ${seed}: damage counted`);
          assert.equal(errors.await_keyframe, undefined, "waiting for a key frame is a drop");
          for (const [r, n] of Object.entries(errors)) {
            assert.ok(Number.isInteger(n) && n > 0, r);
            reasons.add(r);
          }
          const t = (j.tracks as Json[])[0];
          assert.ok((t?.frames as number ?? 0) <= 60, "no frames invented");
        }
      }
      assert.ok(reasons.size >= 2, `several error reasons seen: ${[...reasons]}`);
      const metrics = await (await fetch(`${ts.url}/metrics`)).text();
      assertNoDuplicateSeries(metrics);
      for (const r of reasons) {
        assert.match(
          metrics,
          new RegExp(`sluice_stream_errors_total\\{[^}]*reason="${r}"\\} \\d+`),
        );
      }
      assert.equal((await ts.get("/api/v1/health")).status, "ok");
      await cleanPublisherWorks(ts);
    } finally {
      await ts.stop();
    }
  },
});

Deno.test({
  name: "rtp robustness: oversize datagrams are counted as truncated and dropped",
  ...opts,
  async fn() {
    const ts = await startTestServer();
    const sock = udp();
    try {
      const h0 = await rtpHealth(ts);
      const pe0 = sum((await ts.get("/api/v1/stats")).portErrors as Counts);
      for (const n of [2049, 3000, 9000, 60000]) {
        for (let i = 0; i < 5; i++) {
          const b = new Uint8Array(n);
          b[0] = 0x80; // looks like RTP: must still not be parsed from a cut buffer
          b[1] = 96;
          b[11] = i + 1;
          await sock.send(b, to(ts));
        }
      }
      const h = await until(async () => {
        const h = await rtpHealth(ts);
        return (h.truncated as number) - (h0.truncated as number) >= 20 ? h : undefined;
      }, 3000);
      assert.ok(h, "20 oversize datagrams counted as truncated");
      assert.equal((h.truncated as number) - (h0.truncated as number), 20);
      assert.equal(h.datagrams, h0.datagrams, "none delivered");
      assert.equal(sum((await ts.get("/api/v1/stats")).portErrors as Counts), pe0);
      assert.equal((await streams(ts)).length, 0, "no stream from a cut datagram");
      const metrics = await (await fetch(`${ts.url}/metrics`)).text();
      assert.match(
        metrics,
        new RegExp(`sluice_udp_truncated_total\\{listener="rtp"\\} ${h.truncated}\\n`),
      );
      await cleanPublisherWorks(ts);
    } finally {
      sock.close();
      await ts.stop();
    }
  },
});
