import assert from "node:assert/strict";
import { parseRtcp, type SenderReport } from "@lib/transport/rtp/rtcp.ts";
import { parseRtp } from "@lib/transport/rtp/packet.ts";
import {
  buildReceiverReport,
  ntpToUnixMs,
  rtpToUnixMs,
  SenderReportTable,
} from "@lib/transport/rtp/rtcp_report.ts";
import { readCapture } from "@tests/support/replay.ts";

function srOf(name: string): { sr: SenderReport; arrivalUnixMs: number } {
  const [d] = readCapture(`rtp/${name}`);
  const r = parseRtcp(d.data);
  assert.ok(r.ok, name);
  assert.equal(r.value.length, 1);
  const sr = r.value[0];
  assert.equal(sr.type, "sr");
  return { sr: sr as SenderReport, arrivalUnixMs: Number(d.arrivalNs) / 1e6 };
}

/** Lag (arrival - SR-mapped wall clock) of every RTP packet of a capture, ms. */
function lags(rtpName: string, sr: SenderReport, rate: number): number[] {
  const table = new SenderReportTable();
  const e = table.update(sr, 0);
  return readCapture(`rtp/${rtpName}`).map((d) => {
    const p = parseRtp(d.data);
    assert.ok(p.ok);
    assert.equal(p.value.ssrc, sr.ssrc, "SR describes this track's SSRC");
    return Number(d.arrivalNs) / 1e6 - rtpToUnixMs(e, p.value.timestamp, rate);
  });
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];

Deno.test("ffmpeg sender reports (av_rtp): fields, NTP clock and NTP<->RTP mapping", () => {
  const v = srOf("av_rtp_15005.bin");
  const a = srOf("av_rtp_15009.bin");
  // the sender and the capture ran on one host: the SR's NTP time is its send time
  for (const x of [v, a]) {
    const skew = x.arrivalUnixMs - ntpToUnixMs(x.sr.ntpSec, x.sr.ntpFrac);
    assert.ok(skew >= 0 && skew < 20, `NTP vs arrival ${skew} ms`);
    assert.equal(x.sr.packetCount, 0, "ffmpeg sends its first SR before the first packet");
    assert.equal(x.sr.reports.length, 0);
  }
  assert.equal(v.sr.ssrc, 0x69e79ba7);
  assert.equal(v.sr.rtpTimestamp, 0xbb0b267c);
  assert.equal(a.sr.ssrc, 0x9c3b6839);
  // the first Opus packet is sent with the SR: its timestamp is within one 20 ms frame
  const firstOpus = parseRtp(readCapture("rtp/av_rtp_15008.bin")[0].data);
  assert.ok(firstOpus.ok);
  assert.ok(Math.abs(firstOpus.value.timestamp - a.sr.rtpTimestamp) < 960);
  // steady state (10%..80% of each capture, between the sender's start and its end-of-file
  // flush): arrival minus SR-mapped time is one constant sender delay per track ...
  const allV = lags("av_rtp_15004.bin", v.sr, 90000);
  const allA = lags("av_rtp_15008.bin", a.sr, 48000);
  const steady = (l: number[]) => l.slice(Math.floor(l.length * 0.1), Math.floor(l.length * 0.8));
  const lv = steady(allV);
  const la = steady(allA);
  const mv = median(lv);
  const ma = median(la);
  for (const l of lv) assert.ok(Math.abs(l - mv) < 2 * 33.4, `video lag ${l} vs ${mv}`);
  for (const l of la) assert.ok(Math.abs(l - ma) < 2 * 20, `audio lag ${l} vs ${ma}`);
  // ... and the two tracks' SRs put them on one clock: the delays agree within a frame or two
  assert.ok(Math.abs(mv - ma) < 2 * 33.4, `video ${mv} ms vs audio ${ma} ms`);
  // the flush sends each track's last packet at its mapped time (within two frames)
  assert.ok(Math.abs(allV[allV.length - 1]) < 2 * 33.4, `last video ${allV.at(-1)}`);
  assert.ok(Math.abs(allA[allA.length - 1]) < 2 * 20, `last audio ${allA.at(-1)}`);
  // a wrong clock rate would break it (the check can fail)
  const wrong = median(steady(lags("av_rtp_15008.bin", a.sr, 90000)));
  assert.ok(Math.abs(wrong - mv) > 100);
});

function be32(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}

Deno.test("compound RR + SDES CNAME + APP + BYE with padding (RFC 3550 6.1, A.2)", () => {
  const cname = [...new TextEncoder().encode("cam@host")]; // 8 bytes
  const rr = [0x80, 201, 0, 1, ...be32(0x11111111)];
  // SDES: ssrc, CNAME item (1, 8, text), null + padding to a word: 4 + 10 + 2 = 16 bytes
  const sdes = [0x81, 202, 0, 4, ...be32(0x22222222), 1, 8, ...cname, 0, 0];
  const app = [0x80, 204, 0, 2, ...be32(0x22222222), 0x41, 0x42, 0x43, 0x44];
  // BYE with reason "gone" (1 + 4 = 5 bytes) + 3 bytes padding, P bit, count 3
  const bye = [0xa1, 203, 0, 3, ...be32(0x22222222), 4, 0x67, 0x6f, 0x6e, 0x65, 0, 0, 3];
  const r = parseRtcp(new Uint8Array([...rr, ...sdes, ...app, ...bye]));
  assert.ok(r.ok, !r.ok ? r.reason : "");
  assert.deepEqual(r.value, [
    { type: "rr", ssrc: 0x11111111, reports: [] },
    { type: "sdes", chunks: [{ ssrc: 0x22222222, cname: "cam@host" }] },
    { type: "bye", ssrcs: [0x22222222], reason: "gone" },
  ]);
  const reason = (b: number[]) => {
    const x = parseRtcp(new Uint8Array(b));
    return x.ok ? "ok" : x.reason;
  };
  assert.equal(reason(sdes), "rtcp_first_type");
  assert.equal(reason([0x40, 201, 0, 1, 0, 0, 0, 0]), "rtcp_version");
  assert.equal(reason([0xa0, 201, 0, 1, 0, 0, 0, 4]), "rtcp_padding");
  assert.equal(reason([...rr.slice(0, 3), 2, ...rr.slice(4)]), "rtcp_length");
  assert.equal(reason([...rr, ...bye, ...app]), "rtcp_padding", "padding only on the last");
  assert.equal(reason([0x81, 201, 0, 1, ...be32(1)]), "rtcp_malformed", "RC=1, no block");
  assert.equal(reason([1, 2, 3]), "rtcp_too_short");
});

Deno.test("buildReceiverReport round-trips through parseRtcp with LSR/DLSR", () => {
  const { sr } = srOf("av_rtp_15005.bin");
  const table = new SenderReportTable();
  const last = table.update(sr, 1000);
  const pkt = buildReceiverReport(0xabcdef01, [{
    ssrc: sr.ssrc,
    fractionLost: 64,
    cumulativeLost: -3,
    extHighestSeq: 0x10005,
    jitter: 123.9,
    lastSr: last,
  }], 1500);
  const r = parseRtcp(pkt);
  assert.ok(r.ok);
  assert.equal(r.value[0].type, "rr");
  const block = (r.value[0] as { reports: unknown[] }).reports[0];
  assert.deepEqual(block, {
    ssrc: 0x69e79ba7,
    fractionLost: 64,
    cumulativeLost: -3,
    extHighestSeq: 0x10005,
    jitter: 123,
    lsr: 0xb1eeeccc, // middle 32 bits of NTP eeb0b1ee.eccccccc
    dlsr: 32768, // 0.5 s in 1/65536 s
  });
  assert.equal(table.get(sr.ssrc), last);
});
