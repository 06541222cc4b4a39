/**
 * End to end: every key lib/reload.ts calls "live", changed by SIGHUP on a running sluice
 * subprocess and checked against real peers (ffmpeg SRT callers, srt-live-transmit, raw
 * RTP datagrams): srt.passphrase and srt.streams per connection, max_connections,
 * max_per_source, connect_timeout, per_stream_limit on a running stream, global_limit,
 * rtp.new_stream_rate (the token bucket), rtp.send_rr, log.format.
 */
import assert from "node:assert/strict";
import { fixture, missing } from "@tests/_helpers.ts";
import { tinyRtp } from "@tests/support/rtp.ts";
import { senderPorts, type SluiceProcess, spawnSluice, until } from "./_server.ts";
import { ffmpegSend, finish, type Peer, sleep, spawn } from "./srt_harness.ts";

type Json = Record<string, unknown>;
const opts = { sanitizeOps: false, sanitizeResources: false };
const SHORT = fixture("ts/h264_aac.ts");
const BIG = fixture("ts/realworld_VID_20191220_170832.ts");
const SECRET = "reloaded-secret-1";

function srtUrl(p: SluiceProcess, sid: string, pass?: string): string {
  const k = pass ? `&passphrase=${pass}&pbkeylen=16` : "";
  return `srt://127.0.0.1:${p.srtPort}?streamid=${sid}&pkt_size=1316&linger=2${k}`;
}

async function stream(p: SluiceProcess, id: string): Promise<Json | undefined> {
  const r = await fetch(`${p.url}/api/v1/streams/${id}`);
  return r.ok ? await r.json() : (await r.body?.cancel(), undefined);
}

async function stats(p: SluiceProcess): Promise<Json> {
  return await p.get("/api/v1/stats");
}

Deno.test({
  name: "e2e reload: srt.passphrase and srt.streams apply to the next SRT caller",
  ignore: missing("ffmpeg"),
  ...opts,
  async fn() {
    const p = await spawnSluice("ingestion:\n  connect_timeout: 30s\n");
    const peers: Peer[] = [];
    try {
      const a = await finish(spawn("ffmpeg", ffmpegSend(SHORT, srtUrl(p, "open1"))), 15_000);
      assert.equal(a.code, 0, a.stderr);
      assert.ok(await stream(p, "open1"), "no passphrase configured: accepted");

      await p.reload(`srt:\n  passphrase: ${SECRET}\n`);
      assert.ok(p.lines().some((l) => /config\.reloaded.*applied=[^ ]*srt\.passphrase/.test(l)));
      const [none, right] = await Promise.all([
        finish(spawn("ffmpeg", ffmpegSend(SHORT, srtUrl(p, "nopass"))), 15_000),
        finish(spawn("ffmpeg", ffmpegSend(SHORT, srtUrl(p, "withpass", SECRET))), 15_000),
      ]);
      assert.notEqual(none.code, 0, "a caller without the reloaded passphrase is refused");
      assert.equal(right.code, 0, right.stderr);
      assert.equal(await stream(p, "nopass"), undefined);
      const w = await until(async () => {
        const s = await stream(p, "withpass");
        return (s?.transport as Json | undefined)?.keyState === "secured" ? s : undefined;
      });
      assert.ok(w, "the caller with the reloaded passphrase is in, encrypted");

      await p.reload(`srt:\n  passphrase: ${SECRET}\n  streams:\n    allowed1: {}\n`);
      const [other, allowed] = await Promise.all([
        finish(spawn("ffmpeg", ffmpegSend(SHORT, srtUrl(p, "other1", SECRET))), 15_000),
        finish(spawn("ffmpeg", ffmpegSend(SHORT, srtUrl(p, "allowed1", SECRET))), 15_000),
      ]);
      assert.notEqual(other.code, 0, "not in the reloaded allowlist");
      assert.equal(allowed.code, 0, allowed.stderr);
      assert.ok(await stream(p, "allowed1"));
      const refused = (await stats(p)).refused as Record<string, number>;
      assert.equal(refused.srt_not_allowed, 1);

      // passphrase failures are counted per reason and host; after three the host backs off
      for (let i = 0; i < 3; i++) {
        const bad = spawn("ffmpeg", ffmpegSend(SHORT, srtUrl(p, "allowed1", "wrong-secret-99")));
        assert.notEqual((await finish(bad, 15_000)).code, 0);
      }
      const counted = await until(async () => {
        const r = (await stats(p)).refused as Record<string, number>;
        return r.srt_passphrase_mismatch >= 4 ? r : undefined; // "nopass" above was one
      }, 8000);
      assert.ok(counted, "passphrase failures in /api/v1/stats refused");
      const late = await finish(
        spawn("ffmpeg", ffmpegSend(SHORT, srtUrl(p, "allowed1", SECRET))),
        15_000,
      );
      assert.notEqual(late.code, 0, "the right passphrase is refused during the back-off");
      assert.equal(((await stats(p)).refused as Json).srt_handshake_backoff, 1);
      const metrics = await (await fetch(`${p.url}/metrics`)).text();
      assert.match(
        metrics,
        /sluice_streams_refused_total\{protocol="srt",reason="passphrase_mismatch"\} 4/,
      );
      const logged = p.lines().filter((l) => l.includes("srt_handshake_failures"));
      assert.equal(logged.length, 1, logged.join("\n"));
    } finally {
      for (const x of peers) x.kill();
      assert.equal(await p.stop(), 0);
    }
  },
});

Deno.test({
  name: "e2e reload: per_stream_limit bounds a running stream; global_limit and " +
    "max_connections, max_per_source and connect_timeout apply at once",
  ignore: missing("ffmpeg", "srt-live-transmit"),
  ...opts,
  async fn() {
    const p = await spawnSluice("ingestion:\n  connect_timeout: 30s\n");
    const peers: Peer[] = [];
    try {
      peers.push(spawn("ffmpeg", ffmpegSend(BIG, srtUrl(p, "big"), true)));
      const grown = await until(async () => {
        const s = await stream(p, "big");
        return (s?.bufferedBytes as number) > 1_500_000 ? s : undefined;
      }, 20_000);
      assert.ok(grown, "the stream buffers more than 1.5 MB under the default limit");

      const LIMIT = 256 * 1024;
      await p.reload(`ingestion:\n  memory:\n    per_stream_limit: ${LIMIT}\n`);
      await sleep(1500); // a few frames: the next one evicts down to the limit
      for (let i = 0; i < 10; i++) {
        const s = await stream(p, "big");
        assert.ok(s && s.state !== "closed");
        assert.ok((s.bufferedBytes as number) <= LIMIT, `${s.bufferedBytes} > ${LIMIT}`);
        await sleep(200);
      }

      // two streams against a 1 MB global limit, each allowed 1 MB
      const G = 1024 * 1024;
      await p.reload(
        `ingestion:\n  memory:\n    global_limit: ${G}\n    per_stream_limit: ${G}\n`,
      );
      peers.push(spawn("ffmpeg", ffmpegSend(BIG, srtUrl(p, "big2"), true)));
      assert.ok(await until(() => stream(p, "big2")));
      let peak = 0;
      for (let i = 0; i < 30; i++) {
        const mem = (await stats(p)).memory as Json;
        peak = Math.max(peak, mem.bufferedBytes as number);
        await sleep(100);
      }
      assert.ok(peak > G / 2, `both streams buffer (peak ${peak})`);
      assert.ok(peak <= G, `global_limit ${G} exceeded: ${peak}`);

      await p.reload(
        `ingestion:\n  max_connections: 2\n  memory:\n    global_limit: ${G}\n    per_stream_limit: ${G}\n`,
      );
      const third = await finish(spawn("ffmpeg", ffmpegSend(SHORT, srtUrl(p, "third"))), 15_000);
      assert.notEqual(third.code, 0, "max_connections 2 with two live streams");
      assert.equal(((await stats(p)).refused as Json).srt_max_connections, 1);

      await p.reload(
        `ingestion:\n  max_connections: 10\n  max_per_source: 2\n  memory:\n    global_limit: ${G}\n    per_stream_limit: ${G}\n`,
      );
      const fourth = await finish(spawn("ffmpeg", ffmpegSend(SHORT, srtUrl(p, "fourth"))), 15_000);
      assert.notEqual(fourth.code, 0, "max_per_source 2 with two live streams from 127.0.0.1");
      assert.equal(((await stats(p)).refused as Json).srt_max_per_source, 1);

      // a caller that connects and sends nothing holds a slot until connect_timeout
      await p.reload("ingestion:\n  connect_timeout: 1s\n");
      const idle = spawn("srt-live-transmit", [
        "-a:no",
        "file://con",
        `srt://127.0.0.1:${p.srtPort}?streamid=idle&latency=120`,
      ], "piped");
      peers.push(idle);
      const seen = await until(() => stream(p, "idle"), 8000);
      assert.ok(seen, "the idle caller was accepted");
      const closed = await until(async () => {
        const s = await stream(p, "idle");
        return s?.state === "closed" ? s : undefined;
      }, 8000);
      assert.equal(closed?.closeReason, "connect_timeout");
      assert.equal(((await stats(p)).closed as Json).srt_connect_timeout, 1);
      const metrics = await (await fetch(`${p.url}/metrics`)).text();
      assert.match(
        metrics,
        /sluice_streams_closed_total\{protocol="srt",reason="connect_timeout"\} 1/,
      );
    } finally {
      for (const x of peers) x.kill();
      await Promise.all(peers.map((x) => x.status));
      assert.equal(await p.stop(), 0);
    }
  },
});

Deno.test({
  name: "e2e reload: rtp.new_stream_rate refills the token bucket at the new rate; " +
    "rtp.send_rr and log.format apply at once",
  ...opts,
  async fn() {
    const p = await spawnSluice(
      "ingestion:\n  max_connections: 200\n  connect_timeout: 60s\nrtp:\n  new_stream_rate: 2\n",
    );
    const [sRtp, sRtcp] = senderPorts();
    const s = { rtp: sRtp, rtcp: sRtcp };
    const to = { transport: "udp" as const, hostname: "127.0.0.1", port: p.rtpPort };
    // one socket per source: a new SSRC from a live sender's address is that sender's
    // restart (ssrc_change), not a new source
    const burst = async (base: number, n: number) => {
      for (let k = 0; k < n; k++) {
        const u = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
        await u.send(tinyRtp(1, base + k), to);
        await u.send(tinyRtp(2, base + k), to);
        u.close();
      }
    };
    try {
      await burst(0x1000, 20);
      await sleep(500);
      const before = (await stats(p)).streams as Json;
      assert.ok((before.live as number) <= 3, `rate 2/s admitted ${before.live} of 20`);
      const refused = (await stats(p)).portErrors as Record<string, number>;
      assert.ok(refused.rtp_new_source_rate >= 17);

      await p.reload(
        "ingestion:\n  max_connections: 200\n  connect_timeout: 60s\n" +
          "rtp:\n  new_stream_rate: 1000\n  send_rr: true\nlog:\n  format: json\n",
      );
      const from = p.lines().length;
      await burst(0x2000, 20);
      await s.rtp.send(tinyRtp(1, 0x3000), to); // the source the receiver reports go back to
      await s.rtp.send(tinyRtp(2, 0x3000), to);
      const after = await until(async () => {
        const st = (await stats(p)).streams as Json;
        return (st.live as number) >= (before.live as number) + 21 ? st : undefined;
      }, 5000);
      assert.ok(after, "rate 1000/s admits all 21 new sources");

      // send_rr: receiver reports arrive on the sender's RTCP port (rtp port + 1)
      const rr = await Promise.race([
        s.rtcp.receive(),
        sleep(4000).then(() => undefined),
      ]);
      assert.ok(rr, "a receiver report within 4 s of send_rr: true");
      assert.equal(rr[0][1], 201, "RTCP RR (PT 201)");

      // every line after the reload is one JSON object
      await sleep(200);
      const lines = p.lines().slice(from).filter((l) => l.trim());
      assert.ok(lines.length > 0);
      for (const l of lines) assert.doesNotThrow(() => JSON.parse(l), l);
    } finally {
      s.rtp.close();
      s.rtcp.close();
      assert.equal(await p.stop(), 0);
    }
  },
});
