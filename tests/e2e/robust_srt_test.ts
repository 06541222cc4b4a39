/**
 * SRT with garbage through a running sluice: srt-live-transmit (a real libsrt caller)
 * publishes paced random bytes, then a damaged copy of an ffmpeg-made TS (deleted, cut,
 * TEI-flagged and CRC-broken packets, flipped payload bits, inserted junk). The server
 * stays healthy, each damage shows up under its reason in the stream's `errors` and as
 * sluice_stream_errors_total, RSS stays bounded, and a clean ffmpeg publisher afterwards
 * gets exactly ffprobe's frame counts.
 */
import assert from "node:assert/strict";
import { fixture, missing, readFixture } from "@tests/_helpers.ts";
import { finish, type Peer, spawn } from "./srt_harness.ts";
import { startTestServer, type TestServer, until } from "./_server.ts";
import { prng } from "@tests/support/prng.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
type Json = Record<string, unknown>;
type Counts = Record<string, number>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TS = 188;

/** Publishes `data` through srt-live-transmit (paced 1316-byte messages); returns the stream. */
async function publish(ts: TestServer, id: string, data: Uint8Array): Promise<Json> {
  const peer: Peer = spawn("srt-live-transmit", [
    "-a:no",
    "-chunk:1316",
    "file://con",
    `srt://127.0.0.1:${ts.srtPort}?streamid=${id}&latency=120`,
  ], "piped");
  try {
    // it drops what is written before the connection is up: wait for the stream
    const up = await until(async () => {
      const r = await fetch(`${ts.url}/api/v1/streams/${id}`);
      return r.ok ? await r.json() : (await r.body?.cancel(), undefined);
    }, 8000);
    assert.ok(up, `${id}: srt-live-transmit connected`);
    const w = peer.child.stdin.getWriter();
    const t0 = performance.now();
    let k = 0;
    for (let o = 0; o < data.length; o += 1316, k++) {
      await w.write(data.subarray(o, Math.min(o + 1316, data.length)));
      if (k % 20 === 19) { // ~1316 kB/s, well inside the link's budget
        const due = t0 + (k + 1) - performance.now();
        if (due > 0) await sleep(due);
      }
    }
    await w.close().catch(() => {}); // EOF flushes a last partial chunk
    let last: Json = {};
    const s = await until(async () => {
      last = await ts.get(`/api/v1/streams/${id}`);
      return last.bytes === data.length ? last : undefined;
    }, 8000);
    assert.ok(s, `${id}: all ${data.length} bytes arrived (got ${last.bytes})`);
    await sleep(300); // let the frame stage settle
    return await ts.get(`/api/v1/streams/${id}`);
  } finally {
    peer.kill("SIGKILL");
    await peer.status;
  }
}

/** h264_aac.ts with deterministic damage; returns the bytes and what was done. */
function damaged(): Uint8Array {
  const src = readFixture("ts/h264_aac.ts");
  const rnd = prng(42);
  const pkts: Uint8Array[] = [];
  for (let i = 0; i < src.length / TS; i++) pkts.push(src.slice(i * TS, (i + 1) * TS));
  const pid = (p: Uint8Array) => ((p[1] & 0x1f) << 8) | p[2];
  // payload bit flips in 2% of the media packets (not PSI, not headers)
  for (const p of pkts) {
    if ((pid(p) === 0x100 || pid(p) === 0x101) && rnd() < 0.02) {
      p[4 + Math.floor(rnd() * (TS - 4))] ^= 1 << Math.floor(rnd() * 8);
    }
  }
  pkts[44][8] ^= 0x01; // PAT: transport_stream_id bit -> CRC mismatch (psi_crc)
  pkts[45][12] ^= 0x10; // PMT body bit -> psi_crc
  pkts[30][1] |= 0x80; // transport_error_indicator (tei)
  pkts[300] = pkts[300].subarray(0, 100); // cut packet (sync_loss)
  const junk = new Uint8Array(88); // as long as the cut: the total stays whole packets
  for (let i = 0; i < junk.length; i++) junk[i] = rnd() * 256 & 0x7f; // no 0x47
  pkts.splice(400, 0, junk); // inserted bytes (sync_loss)
  pkts.splice(20, 2); // two video packets lost (cc_error)
  // null packets (PID 0x1FFF) up to whole 1316-byte messages: srt-live-transmit drops a
  // last partial chunk
  while (pkts.reduce((a, p) => a + p.length, 0) % 1316 !== 0) {
    const nul = new Uint8Array(TS).fill(0xff);
    nul.set([0x47, 0x1f, 0xff, 0x10]);
    pkts.push(nul);
  }
  const n = pkts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of pkts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

Deno.test({
  name:
    "srt robustness: random bytes and a damaged TS are counted per reason, then a clean publisher works",
  ignore: missing("srt-live-transmit", "ffmpeg"),
  ...opts,
  async fn() {
    const ts = await startTestServer();
    try {
      const rss0 = Deno.memoryUsage().rss;
      // 1. random bytes
      const rnd = prng(5);
      const noise = new Uint8Array(1316 * 600);
      for (let i = 0; i < noise.length; i++) noise[i] = rnd() * 256;
      const j = await publish(ts, "junk", noise);
      const je = j.errors as Counts;
      assert.ok(je.sync_loss > 0, `random bytes: sync_loss ${JSON.stringify(je)}`);
      assert.equal((j.tracks as Json[]).length, 0, "no track invented from noise");
      assert.equal((await ts.get("/api/v1/health")).status, "ok");

      // 2. a damaged real TS
      const bad = damaged();
      const d = await publish(ts, "damaged", bad);
      const de = d.errors as Counts;
      for (const r of ["sync_loss", "cc_error", "psi_crc", "tei"]) {
        assert.ok(de[r] > 0, `damaged TS: ${r} in ${JSON.stringify(de)}`);
      }
      const v = (d.tracks as Json[]).find((t) => t.kind === "video");
      assert.ok(v && v.codec === "h264", "the video track survives the damage");
      assert.ok((v.frames as number) > 0 && (v.frames as number) <= 60, `frames ${v.frames}`);
      const metrics = await (await fetch(`${ts.url}/metrics`)).text();
      for (const [id, errs] of [["junk", je], ["damaged", de]] as const) {
        for (const [r, n] of Object.entries(errs)) {
          assert.match(
            metrics,
            new RegExp(
              `sluice_stream_errors_total\\{stream="${id}",protocol="srt",reason="${r}"\\} ${n}\\n`,
            ),
          );
        }
      }
      const st = await ts.get("/api/v1/stats");
      assert.ok((st.errors as number) >= Object.values(de).reduce((a, b) => a + b, 0));
      const grew = Deno.memoryUsage().rss - rss0;
      assert.ok(grew < 150 * 1024 * 1024, `rss grew ${grew} bytes`);

      // 3. random datagrams straight at the SRT port (not even SRT handshakes)
      const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
      try {
        const to: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port: ts.srtPort };
        for (let i = 0; i < 2000; i++) {
          const b = new Uint8Array(1 + Math.floor(rnd() * 1500));
          for (let k = 0; k < b.length; k++) b[k] = rnd() * 256;
          if (i % 4 === 0) b[0] = 0x80; // control-packet bit set
          await sock.send(b, to);
          if (i % 100 === 99) await sleep(5);
        }
      } finally {
        sock.close();
      }
      const h = await ts.get("/api/v1/health");
      assert.equal(h.status, "ok");
      assert.equal(((h.listeners as Json).srt as Json).enabled, true);

      // 4. a clean publisher afterwards
      const peer = spawn("ffmpeg", [
        "-hide_banner",
        "-loglevel",
        "error",
        "-re",
        "-i",
        fixture("ts/h264_aac.ts"),
        "-c",
        "copy",
        "-f",
        "mpegts",
        `srt://127.0.0.1:${ts.srtPort}?pkt_size=1316&linger=2&streamid=clean`,
      ]);
      const r = await finish(peer, 20_000);
      assert.equal(r.code, 0, r.stderr);
      const c = await until(async () => {
        const s = await ts.get("/api/v1/streams/clean");
        return s.state === "closed" ? s : undefined;
      });
      assert.ok(c, "clean stream closed after its sender finished");
      assert.deepEqual(c.errors, {});
      const cv = (c.tracks as Json[]).find((t) => t.kind === "video")!;
      assert.equal(cv.frames, 60, "ffprobe counts 60 video frames");
      assert.equal(cv.keyframes, 2);
      const buf = await ts.get("/api/v1/video/buffer/clean?track=256");
      assert.equal((buf.frames as Json[])[0].key, true);
    } finally {
      await ts.stop();
    }
  },
});
