import assert from "node:assert/strict";
import { isRtcp, RtpDemux, type RtpSourceSink } from "@lib/transport/rtp/demux.ts";
import { RtpSession } from "@lib/transport/rtp/session.ts";
import type { RtpPacket } from "@lib/core/types.ts";
import { readCapture } from "@tests/support/replay.ts";
import { tinyRtp } from "@tests/support/rtp.ts";

function counter() {
  const c: Record<string, number> = {};
  return { c, count: (r: string, n = 1) => void (c[r] = (c[r] ?? 0) + n) };
}

Deno.test("interleaved real captures from three senders, SR on rtp_port+1 and muxed", () => {
  const A = "10.0.0.1";
  const feeds: [string, string, number, "rtp" | "rtcp"][] = [
    ["av_rtp_15004.bin", A, 15004, "rtp"],
    ["av_rtp_15005.bin", A, 15005, "rtcp"],
    ["av_rtp_15008.bin", A, 15008, "rtp"],
    ["av_rtp_15009.bin", A, 15008, "rtp"], // RTCP multiplexed on the RTP port (RFC 5761)
    ["rtp_pcm_mulaw_ffmpeg.bin", "10.0.0.2", 40000, "rtp"],
  ];
  const all = feeds.flatMap(([f, host, port, kind]) =>
    readCapture(`rtp/${f}`).map((d) => ({ ...d, host, port, kind, f }))
  );
  all.sort((a, b) => (a.arrivalNs < b.arrivalNs ? -1 : a.arrivalNs > b.arrivalNs ? 1 : 0));
  const t0 = all[0].arrivalNs;
  const got = new Map<string, number[]>();
  const sessions = new Map<string, RtpSession>();
  const { c, count } = counter();
  const demux = new RtpDemux<RtpSession>({
    count,
    onNewSource: (key) => {
      const seqs: number[] = [];
      got.set(key.key, seqs);
      const s = new RtpSession({
        ssrc: key.ssrc,
        createDepacketizer: () => ({ push: (p) => seqs.push(p.seq), flush: () => {} }),
      });
      sessions.set(key.key, s);
      return s;
    },
  });
  for (const d of all) {
    const ms = Number(d.arrivalNs - t0) / 1e6;
    const remote = { hostname: d.host, port: d.port };
    if (d.kind === "rtcp") demux.onRtcpDatagram(d.data, remote, ms);
    else demux.onDatagram(d.data, remote, ms);
  }
  for (const s of sessions.values()) s.flush();
  assert.deepEqual(c, {});
  assert.deepEqual(
    [...got.keys()].sort(),
    [
      `${0x69e79ba7}@${A}:15004`,
      `${0x89e41432}@10.0.0.2:40000`,
      `${0x9c3b6839}@${A}:15008`,
    ].sort(),
  );
  for (const [f, host, port] of [feeds[0], feeds[2], feeds[4]]) {
    const cap = readCapture(`rtp/${f}`);
    const ssrc = new DataView(cap[0].data.buffer, cap[0].data.byteOffset).getUint32(8);
    assert.deepEqual(
      got.get(`${ssrc}@${host}:${port}`),
      cap.map((d) => (d.data[2] << 8) | d.data[3]),
    );
  }
  const video = sessions.get(`${0x69e79ba7}@${A}:15004`)!;
  const audio = sessions.get(`${0x9c3b6839}@${A}:15008`)!;
  assert.equal(video.lastSr?.rtpTimestamp, 0xbb0b267c);
  assert.equal(audio.lastSr?.rtpTimestamp, 0x8bf30b38);
  assert.equal(isRtcp(readCapture("rtp/av_rtp_15009.bin")[0].data), true);
  assert.equal(isRtcp(readCapture("rtp/av_rtp_15008.bin")[0].data), false);
});

const rtp = tinyRtp;

class Sink implements RtpSourceSink {
  pkts: RtpPacket[] = [];
  ssrcs: number[] = [];
  flushed = 0;
  pushRtp(p: RtpPacket) {
    this.pkts.push(p);
  }
  changeSsrc(s: number) {
    this.ssrcs.push(s);
  }
  flush() {
    this.flushed++;
  }
}

Deno.test("copies reused receiver buffers and never mutates the input", () => {
  const sink = new Sink();
  const demux = new RtpDemux<Sink>({ onNewSource: () => sink });
  const buf = rtp(1, 5);
  const before = buf.slice();
  demux.onDatagram(buf, { hostname: "h", port: 1 }, 0);
  assert.deepEqual(buf, before);
  buf.fill(0xee); // the receiver reuses its slot
  assert.deepEqual([...sink.pkts[0].payload], [1, 2, 3, 4]);
});

Deno.test("new-source rate limit, refusal memory, bad datagrams counted", () => {
  const { c, count } = counter();
  let offered = 0;
  const demux = new RtpDemux<Sink>({
    count,
    newSourcesPerSec: 10,
    onNewSource: (k) => {
      offered++;
      return k.ssrc === 999 ? undefined : new Sink();
    },
  });
  for (let i = 0; i < 30; i++) demux.onDatagram(rtp(1, 100 + i), { hostname: "h", port: i }, 0);
  assert.equal(demux.size, 10);
  assert.equal(c.new_source_rate, 20);
  for (let i = 10; i < 15; i++) demux.onDatagram(rtp(2, 100 + i), { hostname: "h", port: i }, 500);
  assert.equal(demux.size, 15, "half a second refills 5 tokens");
  demux.onDatagram(rtp(1, 999), { hostname: "h", port: 99 }, 2000);
  demux.onDatagram(rtp(2, 999), { hostname: "h", port: 99 }, 2100);
  assert.equal(c.source_refused, 2);
  assert.equal(offered, 16, "a refused source is not offered again within the TTL");
  demux.onDatagram(new Uint8Array([0x40, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]), {
    hostname: "h",
    port: 1,
  }, 2200);
  demux.onDatagram(new Uint8Array(3), { hostname: "h", port: 1 }, 2200);
  demux.onDatagram(new Uint8Array([0x80, 200, 0, 9]), { hostname: "h", port: 1 }, 2200);
  assert.equal(c.rtp_version, 1);
  assert.equal(c.rtp_too_short, 1);
  assert.equal(c.rtcp_too_short, 1);
});

Deno.test("SSRC change within the window continues the session; later it is a new source", () => {
  const { c, count } = counter();
  const sinks: Sink[] = [];
  const changes: string[] = [];
  const demux = new RtpDemux<Sink>({
    count,
    onNewSource: () => {
      sinks.push(new Sink());
      return sinks[sinks.length - 1];
    },
    onSsrcChange: (a, b) => changes.push(`${a.ssrc}->${b.ssrc}`),
  });
  const r = { hostname: "10.1.1.1", port: 6000 };
  demux.onDatagram(rtp(1, 1), r, 0);
  demux.onDatagram(rtp(2, 1), r, 20);
  demux.onDatagram(rtp(900, 2), r, 1500); // restart within 2 s
  demux.onDatagram(rtp(901, 2), r, 1520);
  assert.equal(sinks.length, 1);
  assert.deepEqual(sinks[0].ssrcs, [2]);
  assert.deepEqual(changes, ["1->2"]);
  assert.equal(c.ssrc_change, 1);
  demux.onDatagram(rtp(5, 1), r, 1530); // the old SSRC again: not another restart
  assert.equal(sinks.length, 2);
  demux.onDatagram(rtp(7, 3, 97), r, 1540); // other payload type: a second stream
  assert.equal(sinks.length, 3);
  demux.onDatagram(rtp(1, 4), r, 1520 + 2500); // silence > window: new source
  assert.equal(sinks.length, 4);
  assert.equal(c.ssrc_change, 1);
});

Deno.test("idle timeout and BYE close sources", () => {
  const closed: string[] = [];
  const demux = new RtpDemux<Sink>({
    idleTimeoutMs: 5000,
    onNewSource: () => new Sink(),
    onSourceClosed: (k, s, why) => closed.push(`${k.ssrc}:${why}:${s.flushed}`),
  });
  demux.onDatagram(rtp(1, 1), { hostname: "a", port: 1 }, 0);
  demux.onDatagram(rtp(1, 2), { hostname: "b", port: 1 }, 4000);
  assert.equal(demux.expire(5500), 1);
  assert.deepEqual(closed, ["1:timeout:1"]);
  // BYE from b's RTCP port: RR header (required first) + BYE for SSRC 2
  const bye = new Uint8Array([0x80, 201, 0, 1, 0, 0, 0, 9, 0x81, 203, 0, 1, 0, 0, 0, 2]);
  demux.onRtcpDatagram(bye, { hostname: "b", port: 2 }, 5600);
  assert.deepEqual(closed, ["1:timeout:1", "2:bye:1"]);
  assert.equal(demux.size, 0);
  // lazy expiry inside onDatagram
  demux.onDatagram(rtp(1, 3), { hostname: "c", port: 1 }, 6000);
  demux.onDatagram(rtp(1, 4), { hostname: "d", port: 1 }, 20000);
  assert.deepEqual(closed.at(-1), "3:timeout:1");
  assert.equal(demux.remove(`4@d:1`), true);
  assert.equal(demux.size, 0);
  // the next packet of a removed source (the previous datagram's) opens a new source
  demux.onDatagram(rtp(2, 4), { hostname: "d", port: 1 }, 20001);
  assert.equal(demux.size, 1);
  assert.equal(demux.remove(`4@d:1`), true);
});

Deno.test("probation: a source is offered after two packets close in sequence, the first delivered", () => {
  const { c, count } = counter();
  const sinks: Sink[] = [];
  const rtcp: number[] = [];
  const demux = new RtpDemux<Sink>({
    count,
    probation: true,
    newSourcesPerSec: 1,
    onNewSource: (k, first) => {
      assert.equal(first.seq, 10, "offered with the held first packet");
      if (k.remote.port === 9) return undefined;
      const s = new Sink();
      (s as RtpSourceSink).pushRtcp = (_p, ms) => void rtcp.push(ms);
      sinks.push(s);
      return s;
    },
  });
  const a = { hostname: "a", port: 1 };
  // An SR before any RTP is kept for the source (RFC 3550 6.4.1: senders may send it first).
  const sr = new Uint8Array(28);
  sr.set([0x80, 200, 0, 6, 0, 0, 0, 7]);
  demux.onRtcpDatagram(sr, a, 5);
  demux.onDatagram(rtp(10, 7), a, 10);
  assert.equal(demux.size, 0, "one packet is not a source yet");
  demux.onDatagram(rtp(11, 7), a, 20);
  assert.equal(demux.size, 1);
  assert.deepEqual(sinks[0].pkts.map((p) => p.seq), [10, 11]);
  assert.deepEqual(rtcp, [5]);
  // Far apart in sequence: both held, nothing admitted or counted yet.
  const b = { hostname: "b", port: 1 };
  demux.onDatagram(rtp(500, 8), b, 30);
  demux.onDatagram(rtp(10, 8), b, 40);
  assert.equal(demux.size, 1);
  assert.equal(c.source_probation, undefined);
  // Close in sequence but over the rate: the two count as refused by the rate, the far
  // one (beyond PROBATION_SPAN) as probation.
  demux.onDatagram(rtp(11, 8), b, 50);
  assert.equal(c.new_source_rate, 2);
  assert.equal(c.source_probation, 1);
  // Refused by the owner after probation: both packets counted.
  demux.onDatagram(rtp(10, 9), { hostname: "h", port: 9 }, 5000);
  demux.onDatagram(rtp(11, 9), { hostname: "h", port: 9 }, 5010);
  assert.equal(c.source_refused, 2);
  // A held packet never followed in sequence times out after refuseTtlMs (1 s).
  demux.onDatagram(rtp(10, 10), { hostname: "x", port: 1 }, 6000);
  demux.expire(7001);
  assert.equal(c.source_probation, 2);
  demux.onDatagram(rtp(11, 10), { hostname: "x", port: 1 }, 7002);
  assert.equal(demux.size, 1, "after expiry the next packet starts probation again");
});

Deno.test("RTCP for a source is taken only from its ports; spoofed SR and BYE are counted", () => {
  const { c, count } = counter();
  const closed: string[] = [];
  const srs: number[] = [];
  const demux = new RtpDemux<Sink>({
    count,
    onNewSource: () => {
      const s = new Sink();
      (s as RtpSourceSink).pushRtcp = (p) => void (p.type === "sr" && srs.push(p.ntpSec));
      return s;
    },
    onSourceClosed: (k, _s, why) => closed.push(`${k.ssrc}:${why}`),
  });
  const host = "10.0.0.5";
  demux.onDatagram(rtp(1, 7), { hostname: host, port: 5000 }, 0);
  demux.onDatagram(rtp(2, 7), { hostname: host, port: 5000 }, 1);
  const sr = (ntpSec: number) => {
    const b = new Uint8Array(28);
    b.set([0x80, 200, 0, 6, 0, 0, 0, 7]);
    new DataView(b.buffer).setUint32(8, ntpSec);
    return b;
  };
  const bye = new Uint8Array([0x80, 201, 0, 1, 0, 0, 0, 9, 0x81, 203, 0, 1, 0, 0, 0, 7]);
  // same host, another port: neither the SR nor the BYE speaks for SSRC 7
  demux.onRtcpDatagram(bye, { hostname: host, port: 6666 }, 2);
  assert.deepEqual(closed, []);
  assert.equal(c.rtcp_spoofed, 1);
  // muxed on the RTP port, but from another port than the source's
  demux.onDatagram(sr(111), { hostname: host, port: 6667 }, 3);
  assert.deepEqual(srs, []);
  assert.equal(c.rtcp_spoofed, 2);
  // the real RTCP port (RTP + 1) is learned; the SR goes through
  demux.onRtcpDatagram(sr(222), { hostname: host, port: 5001 }, 4);
  assert.deepEqual(srs, [222]);
  assert.deepEqual(demux.rtcpRemote(`7@${host}:5000`), { hostname: host, port: 5001 });
  // once learned, an SR from another port carrying the SSRC does not take over
  demux.onRtcpDatagram(sr(333), { hostname: host, port: 7777 }, 5);
  assert.deepEqual(srs, [222]);
  assert.equal(c.rtcp_spoofed, 3);
  // muxed from the source's own RTP port is fine, and its BYE closes it
  demux.onDatagram(sr(444), { hostname: host, port: 5000 }, 6);
  assert.deepEqual(srs, [222, 444]);
  demux.onRtcpDatagram(bye, { hostname: host, port: 5001 }, 7);
  assert.deepEqual(closed, ["7:bye"]);
});

Deno.test("RTCP port learned from a first SR of the SSRC when it is not RTP + 1", () => {
  const { c, count } = counter();
  const srs: number[] = [];
  const demux = new RtpDemux<Sink>({
    count,
    onNewSource: () => {
      const s = new Sink();
      (s as RtpSourceSink).pushRtcp = (p) => void (p.type === "sr" && srs.push(1));
      return s;
    },
  });
  const h = "10.0.0.6";
  demux.onDatagram(rtp(1, 9), { hostname: h, port: 5000 }, 0);
  const sr = new Uint8Array(28);
  sr.set([0x80, 200, 0, 6, 0, 0, 0, 9]);
  demux.onRtcpDatagram(sr, { hostname: h, port: 6000 }, 1);
  demux.onRtcpDatagram(sr, { hostname: h, port: 6000 }, 2);
  demux.onRtcpDatagram(sr, { hostname: h, port: 5001 }, 3);
  assert.equal(srs.length, 2);
  assert.equal(c.rtcp_spoofed, 1);
});

Deno.test("probation: a reordered, duplicated start with garbage keeps every packet, in order", () => {
  const { c, count } = counter();
  const sinks: Sink[] = [];
  const demux = new RtpDemux<Sink>({
    count,
    probation: true,
    onNewSource: (_k, first) => {
      assert.equal(first.seq, 100, "offered with the lowest held packet");
      const s = new Sink();
      sinks.push(s);
      return s;
    },
  });
  const a = { hostname: "a", port: 1 };
  demux.onDatagram(rtp(102, 7), a, 0);
  demux.onDatagram(new Uint8Array([1, 2, 3]), a, 1); // garbage: not RTP
  demux.onDatagram(rtp(102, 7), a, 2); // duplicate
  demux.onDatagram(rtp(40000, 7), a, 3); // same SSRC, far away
  assert.equal(demux.size, 0);
  demux.onDatagram(rtp(100, 7), a, 4); // within the window of 102: admitted
  demux.onDatagram(rtp(101, 7), a, 5);
  demux.onDatagram(rtp(103, 7), a, 6);
  assert.deepEqual(sinks[0].pkts.map((p) => p.seq), [100, 102, 101, 103]);
  assert.equal(c.source_probation, 2, "the duplicate and the far packet");
});

Deno.test("concurrent SSRCs from one address are separate sources, never a restart", () => {
  const { c, count } = counter();
  const sinks: Sink[] = [];
  const demux = new RtpDemux<Sink>({
    count,
    newSourcesPerSec: 100,
    onNewSource: () => {
      sinks.push(new Sink());
      return sinks[sinks.length - 1];
    },
  });
  const r = { hostname: "10.1.1.1", port: 6000 };
  // 25 SSRCs, same payload type, interleaved packet by packet from one socket
  for (let seq = 1; seq <= 10; seq++) {
    for (let i = 0; i < 25; i++) demux.onDatagram(rtp(seq, 100 + i), r, seq * 20 + i * 0.1);
  }
  assert.equal(sinks.length, 25);
  assert.equal(c.ssrc_change, undefined);
  for (const [i, s] of sinks.entries()) {
    assert.deepEqual(s.ssrcs, [], "no SSRC change");
    assert.deepEqual(new Set(s.pkts.map((p) => p.ssrc)), new Set([100 + i]));
    assert.equal(s.pkts.length, 10);
  }
  // a low-rate source (one packet a second) is not silent between its packets
  demux.onDatagram(rtp(1, 500), { hostname: "10.1.1.2", port: 1 }, 1000);
  demux.onDatagram(rtp(2, 500), { hostname: "10.1.1.2", port: 1 }, 2000);
  demux.onDatagram(rtp(3, 500), { hostname: "10.1.1.2", port: 1 }, 3000);
  demux.onDatagram(rtp(1, 501), { hostname: "10.1.1.2", port: 1 }, 3900);
  assert.equal(sinks.length, 27);
  assert.equal(c.ssrc_change, undefined);
});
