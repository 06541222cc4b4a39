/**
 * RTCP through the whole appliance (RFC 3550 6): a BYE (6.6, hand-built compound RR +
 * BYE, on rtp_port + 1 and multiplexed on rtp_port per RFC 5761, and ffmpeg's own with
 * `-rtpflags send_bye`, sent back to back with its last RTP packets) closes its stream,
 * only its stream, and after the data that raced it (6.2.1); with `rtp.send_rr` the
 * sender's RTCP port receives RRs (6.4.2) whose block names the stream's SSRC, with the
 * cumulative loss injected, the highest sequence number sent and LSR/DLSR of the SR we
 * sent; an SSRC change from the same address within 2 s continues the stream.
 */
import assert from "node:assert/strict";
import { RESTART_SILENT_MS } from "@lib/transport/rtp/source_identity.ts";
import { missing, readFixture } from "@tests/_helpers.ts";
import { senderPorts, startTestServer, type TestServer, until } from "./_server.ts";
import { finish, spawn } from "./srt_harness.ts";
import { type CapturedDatagram, parseCapture, replay } from "@tests/support/replay.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
type Json = Record<string, unknown>;

function capture(name: string): CapturedDatagram[] {
  return parseCapture(readFixture(`rtp/${name}.bin`));
}

function u32(d: Uint8Array, o: number): number {
  return new DataView(d.buffer, d.byteOffset).getUint32(o);
}

function u16(d: Uint8Array, o: number): number {
  return new DataView(d.buffer, d.byteOffset).getUint16(o);
}

/** A copy of an RTP datagram with another SSRC (and sequence number, if given). */
function withSsrc(d: Uint8Array, ssrc: number, seq?: number): Uint8Array {
  const c = d.slice();
  const dv = new DataView(c.buffer);
  dv.setUint32(8, ssrc);
  if (seq !== undefined) dv.setUint16(2, seq & 0xffff);
  return c;
}

async function streamOf(ts: TestServer, ssrc: number): Promise<Json | undefined> {
  const list = (await ts.get("/api/v1/streams")).streams as Json[];
  return list.find((s) => s.ssrc === ssrc);
}

async function streamById(ts: TestServer, id: string): Promise<Json | undefined> {
  const list = (await ts.get("/api/v1/streams")).streams as Json[];
  return list.find((s) => s.id === id);
}

/**
 * An empty RR (RFC 3550 6.4.2, RC = 0: a compound packet must start with SR or RR,
 * 6.1) followed by a BYE (6.6): V=2, SC=1, PT=203, the SSRC, then a reason
 * (length octet + text, padded with zeros to a 32-bit boundary).
 */
function rrBye(reporter: number, ssrc: number, reason: string): Uint8Array {
  const text = new TextEncoder().encode(reason);
  const byeLen = 8 + Math.ceil((1 + text.length) / 4) * 4;
  const out = new Uint8Array(8 + byeLen);
  const dv = new DataView(out.buffer);
  out[0] = 0x80;
  out[1] = 201;
  dv.setUint16(2, 1);
  dv.setUint32(4, reporter);
  out[8] = 0x81;
  out[9] = 203;
  dv.setUint16(10, byeLen / 4 - 1);
  dv.setUint32(12, ssrc);
  out[16] = text.length;
  out.set(text, 17);
  return out;
}

/** A sender report (RFC 3550 6.4.1) with no report blocks. */
function senderReport(ssrc: number, ntpSec: number, ntpFrac: number, rtpTs: number): Uint8Array {
  const out = new Uint8Array(28);
  const dv = new DataView(out.buffer);
  out[0] = 0x80;
  out[1] = 200;
  dv.setUint16(2, 6);
  dv.setUint32(4, ssrc);
  dv.setUint32(8, ntpSec);
  dv.setUint32(12, ntpFrac);
  dv.setUint32(16, rtpTs);
  dv.setUint32(20, 1);
  dv.setUint32(24, 100);
  return out;
}

async function settle(ts: TestServer, ssrc: number, packets: number): Promise<Json> {
  const s = await until(async () => {
    const s = await streamOf(ts, ssrc);
    return s && s.packets === packets ? s : undefined;
  }, 5000);
  assert.ok(s, `ssrc ${ssrc}: ${packets} packets`);
  return s;
}

Deno.test({
  name: "rtp rtcp: a BYE closes its stream (rtcp port and RFC 5761 mux), not the others",
  ...opts,
  async fn() {
    const ts = await startTestServer();
    // the BYEs come from the senders' own ports (RTCP port = RTP port + 1, or muxed):
    // RTCP from elsewhere is spoofed (tests/e2e/rtcp_spoof_test.ts)
    const [opusRtp, sock] = senderPorts();
    const pcmuRtp = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    const to = (port: number): Deno.NetAddr => ({ transport: "udp", hostname: "127.0.0.1", port });
    try {
      const opus = capture("rtp_libopus_ffmpeg"), pcmu = capture("rtp_pcm_mulaw_ffmpeg");
      const so = u32(opus[0].data, 8), su = u32(pcmu[0].data, 8);
      const dest = { hostname: "127.0.0.1", port: ts.rtpPort };
      await replay(opus, dest, { pace: "fast", socket: opusRtp });
      await replay(pcmu, dest, { pace: "fast", socket: pcmuRtp });
      await settle(ts, so, opus.length);
      await settle(ts, su, pcmu.length);
      // a BYE for an SSRC nobody sends closes nothing
      await sock.send(rrBye(0x1234, 0xdeadbeef, "other"), to(ts.rtpPort + 1));
      await sock.send(rrBye(0x1234, so, "end of opus"), to(ts.rtpPort + 1));
      const closed = await until(async () => {
        const s = await streamOf(ts, so);
        return s?.state === "closed" ? s : undefined;
      }, 3000);
      assert.ok(closed, "BYE on rtp_port + 1 closes the Opus stream");
      assert.match(closed.closeReason as string, /bye/);
      assert.notEqual((await streamOf(ts, su))!.state, "closed", "PCMU untouched");
      // RTCP multiplexed on the RTP port (PT 201 is 64..95 as an RTP payload type)
      await pcmuRtp.send(rrBye(0x1234, su, "end of pcmu"), to(ts.rtpPort));
      const closed2 = await until(async () => {
        const s = await streamOf(ts, su);
        return s?.state === "closed" ? s : undefined;
      }, 3000);
      assert.ok(closed2, "BYE multiplexed on rtp_port closes the PCMU stream");
      assert.match(closed2.closeReason as string, /bye/);
      assert.equal((closed2.tracks as Json[])[0].frames, pcmu.length, "frames kept after close");
    } finally {
      sock.close();
      opusRtp.close();
      pcmuRtp.close();
      await ts.stop();
    }
  },
});

Deno.test({
  name: "rtp rtcp: ffmpeg's BYE (-rtpflags send_bye) closes its stream",
  ignore: missing("ffmpeg"),
  ...opts,
  async fn() {
    const ts = await startTestServer();
    const ssrc = 0x44440001;
    try {
      const p = spawn("ffmpeg", [
        "-hide_banner",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        "sine=d=0.5",
        "-c:a",
        "libopus",
        "-ssrc",
        String(ssrc),
        "-rtpflags",
        "send_bye",
        "-f",
        "rtp",
        `rtp://127.0.0.1:${ts.rtpPort}`,
      ]);
      const r = await finish(p, 15_000);
      assert.equal(r.code, 0, r.stderr);
      const s = await until(async () => {
        const s = await streamOf(ts, ssrc);
        return s?.state === "closed" ? s : undefined;
      }, 3000);
      assert.ok(s, `closed by ffmpeg's BYE: ${JSON.stringify(await streamOf(ts, ssrc))}`);
      assert.match(s.closeReason as string, /bye/);
      assert.equal((s.tracks as Json[])[0].codec, "opus");
      // the BYE raced the last RTP packets (other socket): none of them reopened the stream
      assert.equal(s.sessions, 1, "not revived by straggler data");
      assert.equal(
        (s.tracks as Json[])[0].frames,
        s.packets,
        "every packet before the BYE counted",
      );
    } finally {
      await ts.stop();
    }
  },
});

/** One RR report block (RFC 3550 6.4.1). */
interface Block {
  ssrc: number;
  fractionLost: number;
  cumulativeLost: number;
  extHighestSeq: number;
  lsr: number;
  dlsr: number;
}

/** Report blocks of the RRs in a compound datagram. */
function rrBlocks(d: Uint8Array): Block[] {
  const out: Block[] = [];
  for (let o = 0; o + 8 <= d.length;) {
    const len = (u16(d, o + 2) + 1) * 4;
    if (d[o + 1] === 201) {
      for (let k = 0; k < (d[o] & 0x1f); k++) {
        const b = o + 8 + k * 24;
        const lost = u32(d, b + 4) & 0xffffff;
        out.push({
          ssrc: u32(d, b),
          fractionLost: d[b + 4],
          cumulativeLost: lost & 0x800000 ? lost - 0x1000000 : lost,
          extHighestSeq: u32(d, b + 8),
          lsr: u32(d, b + 16),
          dlsr: u32(d, b + 20),
        });
      }
    }
    o += len;
  }
  return out;
}

Deno.test({
  name: "rtp rtcp: send_rr reports the stream's SSRC, the injected loss and our SR to port+1",
  ...opts,
  async fn() {
    const ts = await startTestServer("rtp:\n  send_rr: true\n");
    const [rtp, rtcp] = senderPorts();
    try {
      const dgrams = capture("rtp_h264_gst");
      const ssrc = u32(dgrams[0].data, 8);
      const drop = new Set([20, 21, 100, 177]); // never the first (probation) or last packet
      const to: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port: ts.rtpPort };
      let n = 0;
      for (const [i, g] of dgrams.entries()) {
        if (drop.has(i)) continue;
        await rtp.send(g.data, to);
        if (++n % 32 === 0) await new Promise((r) => setTimeout(r, 1));
      }
      await settle(ts, ssrc, dgrams.length - drop.size);
      const lastSeq = u16(dgrams[dgrams.length - 1].data, 2);
      const firstSeq = u16(dgrams[0].data, 2);
      const highest = firstSeq + ((lastSeq - firstSeq) & 0xffff); // first cycle, no wrap count
      // an SR from the sender's RTCP port: later RRs carry its middle 32 NTP bits as LSR
      const ntpSec = 3_900_000_000, ntpFrac = 0x12345678;
      await rtcp.send(senderReport(ssrc, ntpSec, ntpFrac, u32(dgrams[0].data, 4)), {
        ...to,
        port: ts.rtpPort + 1,
      });
      const lsr = (((ntpSec & 0xffff) << 16) | (ntpFrac >>> 16)) >>> 0;
      const seen: Block[] = [];
      const deadline = Date.now() + 5000;
      let match: Block | undefined;
      while (!match && Date.now() < deadline) {
        const got = await Promise.race([
          rtcp.receive(),
          new Promise<undefined>((r) => setTimeout(r, deadline - Date.now())),
        ]);
        if (!got) break;
        const [d] = got;
        assert.equal(d[1], 201, "an RR (PT 201) first");
        for (const b of rrBlocks(d)) {
          seen.push(b);
          if (b.ssrc === ssrc && b.lsr === lsr) match = b;
        }
      }
      assert.ok(match, `an RR with our LSR: ${JSON.stringify(seen)}`);
      assert.equal(match.cumulativeLost, drop.size, "cumulative number of packets lost");
      assert.equal(match.extHighestSeq, highest, "extended highest sequence number received");
      assert.ok(match.dlsr < 5 * 65536, "DLSR: seconds since our SR, in 1/65536 s");
      const s = (await streamOf(ts, ssrc))!;
      assert.equal((s.transport as Json).lost, drop.size);
    } finally {
      rtp.close();
      rtcp.close();
      await ts.stop();
    }
  },
});

Deno.test({
  name: "rtp rtcp: an SSRC change within 2 s continues the stream; after 2 s it is a new one",
  ...opts,
  async fn() {
    const ts = await startTestServer();
    const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    try {
      const dgrams = capture("rtp_h264_gst");
      const a = u32(dgrams[0].data, 8), b = 0x55550002, c = 0x55550003;
      const to: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port: ts.rtpPort };
      const half = 60;
      for (const g of dgrams.slice(0, half)) await sock.send(g.data, to);
      const before = await settle(ts, a, half);
      // the sender restarts: the old SSRC goes silent (a concurrent SSRC is another source,
      // see demux.ts RESTART_SILENT_MS), then a new SSRC and sequence space, same socket and PT
      await new Promise((r) => setTimeout(r, RESTART_SILENT_MS + 150));
      for (const [i, g] of dgrams.slice(half).entries()) {
        await sock.send(withSsrc(g.data, b, 30000 + i), to);
      }
      const s = await until(async () => {
        const s = await streamById(ts, before.id as string);
        return s && s.packets === dgrams.length && (s.transport as Json).ssrcChanges === 1
          ? s
          : undefined;
      }, 5000);
      assert.ok(s, `one stream: ${JSON.stringify(await streamById(ts, before.id as string))}`);
      assert.equal(s.ssrc, b, "the stream now shows the new SSRC");
      assert.equal((s.transport as Json).ssrc, b);
      assert.equal((s.drops as Json).ssrc_change, 1);
      assert.equal(s.state, "active");
      const list = (await ts.get("/api/v1/streams")).streams as Json[];
      assert.equal(list.length, 1, "no second stream for the new SSRC");
      const t = (s.tracks as Json[])[0];
      assert.equal(t.keyframes, 2, "the second GOP's key frame arrived after the change");
      // after more than 2 s of silence a new SSRC is a new stream
      await new Promise((r) => setTimeout(r, 2300));
      for (const [i, g] of dgrams.slice(0, 20).entries()) {
        await sock.send(withSsrc(g.data, c, 1000 + i), to);
      }
      const fresh = await settle(ts, c, 20);
      assert.notEqual(fresh.id, s.id);
      assert.equal((fresh.transport as Json | undefined)?.ssrcChanges ?? 0, 0);
      assert.equal((await streamById(ts, s.id as string))!.ssrc, b, "old stream keeps its SSRC");
    } finally {
      sock.close();
      await ts.stop();
    }
  },
});
