import assert from "node:assert/strict";
import { opusConfig, parseOpusToc } from "@lib/codecs/opus/toc.ts";
import { rtpOf } from "@tests/support/rtp.ts";
import { readCapture } from "@tests/support/replay.ts";

const hex = (s: string) => Uint8Array.from(s.match(/../g)!, (b) => parseInt(b, 16));

Deno.test("opus toc: packet durations of the libopus RTP captures equal the RTP timestamp steps", () => {
  // Oracle: the sender's RTP timestamps (48 kHz clock, RFC 7587 4.1) advance by exactly the
  // duration of each packet.
  for (const rel of ["rtp/rtp_libopus_ffmpeg.bin", "rtp/av_rtp_15008.bin"]) {
    const pkts = readCapture(rel).map((c) => ({
      ts: new DataView(c.data.buffer, c.data.byteOffset + 4, 4).getUint32(0),
      payload: rtpOf(c.data).payload,
    }));
    assert.ok(pkts.length > 50, rel);
    for (let i = 0; i + 1 < pkts.length; i++) {
      const r = parseOpusToc(pkts[i].payload);
      assert.ok(r.ok, `${rel} #${i}`);
      assert.equal(r.value.packetSamples, (pkts[i + 1].ts - pkts[i].ts) >>> 0, `${rel} #${i}`);
    }
  }
  // rtp_libopus_ffmpeg.sdp says sprop-stereo=1: the TOC s bit agrees.
  const first = parseOpusToc(rtpOf(readCapture("rtp/rtp_libopus_ffmpeg.bin")[0].data).payload);
  assert.ok(first.ok);
  assert.equal(first.value.stereo, true);
});

Deno.test("opus toc: libopus packets of 2.5, 40, 60 (code 3) and 120 ms match ffprobe durations", () => {
  // Third packets of libopus (ffmpeg 5.1, -frame_duration N) Ogg files; oracle: the packet
  // duration ffprobe -show_packets reports (48 kHz time base).
  const cases: [string, number, number, number][] = [
    ["a0aedd8904a9520ce40b6e", 120, 0, 1],
    [
      "50cd958fbad09bbe61d4de4d068aa24ef784752e7dcac946fdee8abd1bd7035b17485d568f12400cdc0ef9f6ed68" +
      "7b6a0380f7cb37a85f30fb90ae408484177075c5092cded1719ad6fe6d1f460cc316da89bd1e67c4",
      1920,
      0,
      1,
    ],
    [
      "6b8330299c1b5256ce1fe9f7f5e8dd8e8ecdf5e0135b12239f0e1d12158520d53a83e0fb94eca2d00c561506c287" +
      "c9385e0e397b9c1b5256ce23767bcaa59f7d6b0e42afd1e3e30a364a7db8710ca883b6d3f84fb9d2659437d7c8" +
      "69999c1b5256ce1fea079faa072a6e5ab7499bd7cede5fce0551908119b2edea7c0db589a8a793f18b88cc452d" +
      "d01beb",
      2880,
      3,
      3,
    ],
    [
      "5a6ee706d496688b6373633c58d74446696523e6394ac1e3e8dbad167aeb95e6e84be16089d584196deac54657da" +
      "25248f3d63682f597d84ca463fe26716a391289090cba04955a67600af636099e2f09c906bc5d81bf734107da78b" +
      "218fc47181ceac614027621a6a98aca8eb83b480e706d5da6ccac8819c9b65848d1ce8444847e6eea57f19f57844" +
      "2c1d302219b7a47ee3413f1a478a0f29b5d6d09c0f75f2479db29dc71084854f0cdd40ff3c491464191e8721326" +
      "7ed62f8f41bb64bb7",
      5760,
      2,
      2,
    ],
  ];
  for (const [h, samples, code, frames] of cases) {
    const r = parseOpusToc(hex(h));
    assert.ok(r.ok, h.slice(0, 8));
    assert.deepEqual([r.value.packetSamples, r.value.code, r.value.frames], [
      samples,
      code,
      frames,
    ]);
  }
});

Deno.test("opus toc: configuration table (RFC 6716 Table 2)", () => {
  assert.deepEqual(opusConfig(0), { mode: "silk", bandwidth: "nb", frameSamples: 480 });
  assert.deepEqual(opusConfig(11), { mode: "silk", bandwidth: "wb", frameSamples: 2880 });
  assert.deepEqual(opusConfig(13), { mode: "hybrid", bandwidth: "swb", frameSamples: 960 });
  assert.deepEqual(opusConfig(14), { mode: "hybrid", bandwidth: "fb", frameSamples: 480 });
  assert.deepEqual(opusConfig(16), { mode: "celt", bandwidth: "nb", frameSamples: 120 });
  assert.deepEqual(opusConfig(31), { mode: "celt", bandwidth: "fb", frameSamples: 960 });
});

Deno.test("opus toc: code 3 padding and VBR, and invalid packets (R1-R7)", () => {
  // CELT FB 20 ms, code 3, CBR with padding: M=2, p=1, 3 padding bytes, 2 x 4-byte frames.
  const cbr = parseOpusToc(Uint8Array.of(0xfb, 0x42, 3, 1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0));
  assert.ok(cbr.ok);
  assert.deepEqual([
    cbr.value.frames,
    cbr.value.paddingBytes,
    cbr.value.vbr,
    cbr.value.packetSamples,
  ], [2, 3, false, 1920]);
  // VBR: M=3, lengths 1 and 2, last frame takes the rest (3 bytes).
  const vbr = parseOpusToc(Uint8Array.of(0xfb, 0x83, 1, 2, 9, 9, 9, 9, 9, 9));
  assert.ok(vbr.ok);
  assert.deepEqual([vbr.value.frames, vbr.value.vbr], [3, true]);
  const bad: [string, Uint8Array][] = [
    ["empty", new Uint8Array()],
    ["code 1 odd", Uint8Array.of(0xf9, 1, 2, 3)],
    ["code 2 length past end", Uint8Array.of(0xfa, 9, 1)],
    ["code 3 no count", Uint8Array.of(0xfb)],
    ["code 3 M=0", Uint8Array.of(0xfb, 0x00)],
    ["code 3 over 120 ms", Uint8Array.of(0xfb, 7, 0, 0, 0, 0, 0, 0, 0)],
    ["code 3 CBR uneven", Uint8Array.of(0xfb, 2, 1, 2, 3)],
    ["code 3 VBR overrun", Uint8Array.of(0xfb, 0x82, 200, 1)],
    ["code 3 padding overrun", Uint8Array.of(0xfb, 0x41, 200, 1)],
    ["code 0 too long", new Uint8Array(1277)],
  ];
  for (const [name, p] of bad) assert.equal(parseOpusToc(p).ok, false, name);
});
