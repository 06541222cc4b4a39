/** Fuzz: RTP/RTCP/SDP parsers and the demux never throw on random or mutated bytes (fixed seed). */
import assert from "node:assert/strict";
import fc from "npm:fast-check@^3";
import { fuzzRuns } from "@tests/_helpers.ts";
import { parseHeaderExtensions, parseRtp } from "@lib/transport/rtp/packet.ts";
import { parseRtcp } from "@lib/transport/rtp/rtcp.ts";
import { parseSdp } from "@lib/transport/rtp/sdp.ts";
import { RtpDemux } from "@lib/transport/rtp/demux.ts";
import { RtpSession } from "@lib/transport/rtp/session.ts";
import { readCapture } from "@tests/support/replay.ts";

const SEED = 20261125;
const RUNS = 1500;

const seeds: Uint8Array[] = [
  ...readCapture("rtp/rtp_h264_ffmpeg.bin").slice(0, 8),
  ...readCapture("rtp/rtp_libopus_ffmpeg.bin").slice(0, 4),
  readCapture("rtp/av_rtp_15005.bin")[0],
  readCapture("rtp/av_rtp_15009.bin")[0],
].map((d) => d.data.slice());
// a compound RR + SDES + BYE, as a structured seed for the RTCP mutations
seeds.push(
  new Uint8Array([
    0x81,
    201,
    0,
    7,
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    2,
    1,
    0,
    0,
    3,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    9,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0x81,
    202,
    0,
    3,
    0,
    0,
    0,
    2,
    1,
    3,
    0x61,
    0x62,
    0x63,
    0,
    0,
    0,
    0x81,
    203,
    0,
    1,
    0,
    0,
    0,
    2,
  ]),
);

/** A seed datagram with random byte overwrites and an optional truncation. */
const mutated = fc.tuple(
  fc.nat(seeds.length - 1),
  fc.array(fc.tuple(fc.nat(2000), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
  fc.option(fc.nat(2000)),
).map(([i, edits, cut]) => {
  const d = seeds[i].slice();
  for (const [pos, v] of edits) if (d.length) d[pos % d.length] = v;
  return cut === null ? d : d.subarray(0, cut % (d.length + 1));
});

const bytes = fc.oneof(fc.uint8Array({ maxLength: 1600 }), mutated);

Deno.test("parseRtp never throws; accepted packets stay inside the datagram", () => {
  fc.assert(
    fc.property(bytes, (d) => {
      const before = d.slice();
      const r = parseRtp(d);
      assert.deepEqual(d, before);
      if (!r.ok) return assert.match(r.reason, /^rtp_/);
      const p = r.value;
      assert.equal(p.payload.buffer, d.buffer);
      const start = p.payload.byteOffset - d.byteOffset;
      assert.ok(start >= 12 && start + p.payload.length <= d.length);
      if (p.extensionData) parseHeaderExtensions(p.extensionProfile!, p.extensionData);
    }),
    { seed: SEED, numRuns: fuzzRuns(RUNS) },
  );
});

Deno.test("parseRtcp never throws on random and mutated compound packets", () => {
  let accepted = 0;
  fc.assert(
    fc.property(bytes, (d) => {
      const r = parseRtcp(d);
      if (!r.ok) return assert.match(r.reason, /^rtcp_/);
      accepted++;
      for (const p of r.value) assert.ok(["sr", "rr", "sdes", "bye"].includes(p.type));
    }),
    { seed: SEED, numRuns: fuzzRuns(RUNS) },
  );
  assert.ok(accepted > 0, "some mutations stay valid (the property is exercised)");
});

Deno.test("parseSdp and the demux never throw", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (t) => {
      parseSdp(t);
      parseSdp(`v=0\r\nm=video ${t}\r\na=rtpmap:${t}\r\na=fmtp:96 ${t}\r\na=ssrc:${t}`);
    }),
    { seed: SEED, numRuns: fuzzRuns(RUNS) },
  );
  const demux = new RtpDemux<RtpSession>({
    newSourcesPerSec: 1000,
    onNewSource: (k) =>
      new RtpSession({
        ssrc: k.ssrc,
        createDepacketizer: () => ({ push: () => {}, flush: () => {} }),
      }),
  });
  let t = 0;
  fc.assert(
    fc.property(bytes, fc.nat(3), (d, port) => {
      t += 3;
      demux.onDatagram(d, { hostname: "h", port }, t);
      demux.onRtcpDatagram(d, { hostname: "h", port }, t);
    }),
    { seed: SEED, numRuns: fuzzRuns(RUNS) },
  );
  assert.ok(demux.size <= 1024);
});

Deno.test("jitter buffer: random pushes and polls release strictly increasing, within caps", async () => {
  const { JitterBuffer } = await import("@lib/transport/rtp/jitter.ts");
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: -6, max: 40 }), fc.nat(30), fc.nat(300)), {
        maxLength: 200,
      }),
      (ops) => {
        let last = -1;
        const jb = new JitterBuffer({
          latencyMs: 20,
          maxPackets: 32,
          maxBytes: 3000,
          onPacket: (p) => {
            assert.ok(p.extSeq > last);
            last = p.extSeq;
            released++;
          },
        });
        let now = 0;
        let ext = 1000;
        let released = 0;
        for (const [step, dt, size] of ops) {
          now += dt;
          ext = Math.max(0, ext + (step > 30 ? step * 3 : step)); // mostly near, sometimes far
          jb.poll(now);
          const p = parseRtp(new Uint8Array(12 + size).fill(0x80, 0, 1));
          assert.ok(p.ok);
          jb.push({ ...p.value, extSeq: ext }, now);
          assert.ok(jb.packets <= 32 && jb.bytes <= 3000);
          const dl = jb.nextDeadline();
          assert.ok(dl === undefined || dl > now);
        }
        jb.flush();
        assert.equal(jb.packets, 0);
        assert.equal(released + jb.late + jb.duplicated, ops.length, "every push accounted");
      },
    ),
    { seed: SEED, numRuns: fuzzRuns(300) },
  );
});
