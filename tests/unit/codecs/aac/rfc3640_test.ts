import assert from "node:assert/strict";
import { Rfc3640Depacketizer, rfc3640Params } from "@lib/codecs/aac/rfc3640.ts";
import { hexBytes, parseAudioSpecificConfig } from "@lib/codecs/aac/latm.ts";
import { missing } from "@tests/_helpers.ts";
import {
  adtsWrap,
  ffprobeAudio,
  FULL_HEADER_FMTP,
  rfc3640FullHeader,
  snapshot,
  withPayload,
} from "@tests/unit/codecs/_rtp_audio.ts";
import { collector } from "@tests/unit/codecs/_rtp.ts";
import { capturePackets, sdpMedia } from "@tests/support/rtp.ts";

const CASES = [
  { bin: "rtp_aac_ffmpeg.bin", sdp: "rtp_aac_ffmpeg.sdp", packets: 28, aus: 92 },
  { bin: "rtp_aac_mp4g_gst.bin", sdp: "rtp_aac_mp4g_gst.sdp", packets: 100, aus: 100 },
];

function run(bin: string, sdp: string) {
  const pkts = capturePackets(bin);
  const c = collector();
  const d = new Rfc3640Depacketizer({ onUnit: c.onUnit, count: c.count, fmtp: sdpMedia(sdp).fmtp });
  const before = snapshot(pkts);
  for (const p of pkts) d.push(p, false);
  d.flush();
  return { pkts, before, ...c };
}

for (const k of CASES) {
  Deno.test(`rfc3640 ${k.bin}: ${k.packets} packets -> ${k.aus} AUs, AU i at ts + i*1024`, () => {
    const { pkts, before, units, counts } = run(k.bin, k.sdp);
    assert.equal(pkts.length, k.packets);
    assert.equal(units.length, k.aus);
    assert.deepEqual(counts, {});
    // AAC-hbr: 16 header bits per AU; AU i of a packet is at ts + i * 1024.
    const want = pkts.flatMap((p) =>
      Array.from(
        { length: ((p.payload[0] << 8) | p.payload[1]) / 16 },
        (_, i) => (p.timestamp + i * 1024) >>> 0,
      )
    );
    assert.deepEqual(units.map((u) => u.timestamp), want);
    assert.ok(units.every((u) => u.key && u.data.length > 0));
    // Every payload byte is an AU-headers-length, an AU-header or AU data.
    const auBytes = units.reduce((n, u) => n + u.data.length, 0);
    const hdrBytes = pkts.reduce((n, p) => n + 2 + (((p.payload[0] << 8) | p.payload[1]) >> 3), 0);
    assert.equal(auBytes + hdrBytes, pkts.reduce((n, p) => n + p.payload.length, 0));
    assert.deepEqual(pkts.map((p) => p.payload), before, "input not mutated");
  });

  Deno.test({
    name: `rfc3640 ${k.bin}: ffprobe decodes our AUs (ADTS-wrapped) with the same count`,
    ignore: missing("ffprobe"),
    fn: async () => {
      const { units } = run(k.bin, k.sdp);
      const sdp = sdpMedia(k.sdp);
      const asc = parseAudioSpecificConfig(hexBytes(sdp.fmtp.config));
      assert.ok(asc.ok);
      assert.equal(asc.value.sampleRate, sdp.clockRate);
      assert.equal(asc.value.channels, sdp.channels);
      const path = await Deno.makeTempFile({ suffix: ".aac" });
      try {
        const adts = adtsWrap(
          units.map((u) => u.data),
          asc.value.objectType,
          asc.value.sampleRate,
          asc.value.channels,
        );
        await Deno.writeFile(path, adts);
        const probe = await ffprobeAudio(path);
        assert.equal(probe.stderr, "");
        assert.equal(probe.frames, units.length);
        assert.equal(probe.sampleRate, 48000);
        assert.equal(probe.channels, 2);
      } finally {
        await Deno.remove(path);
      }
    },
  });
}

Deno.test("rfc3640: fmtp defaults and validation", () => {
  const p = rfc3640Params({ mode: "AAC-hbr" })!;
  assert.deepEqual([p.sizeLength, p.indexLength, p.indexDeltaLength, p.constantDuration], [
    13,
    3,
    3,
    1024,
  ]);
  assert.equal(rfc3640Params({ SizeLength: "40" }), undefined);
  assert.equal(rfc3640Params({ mode: "AAC-hbr", config: "1390" })!.constantDuration, 1024);
  const c = collector();
  const d = new Rfc3640Depacketizer({
    onUnit: c.onUnit,
    count: c.count,
    fmtp: { sizelength: "x" },
  });
  d.push(capturePackets("rtp_aac_mp4g_gst.bin")[0], false);
  assert.equal(c.units.length, 0);
  assert.equal(c.counts.rfc3640_fmtp_invalid, 1);
});

/** One real AU split into fragments (RFC 3640 3.2.3): each carries AU-size = whole AU. */
function fragments(au: Uint8Array, parts: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const step = Math.ceil(au.length / parts);
  for (let o = 0; o < au.length; o += step) {
    const frag = au.subarray(o, Math.min(au.length, o + step));
    const b = new Uint8Array(4 + frag.length);
    b.set([0x00, 0x10, au.length >> 5, (au.length & 31) << 3]);
    b.set(frag, 4);
    out.push(b);
  }
  return out;
}

Deno.test("rfc3640: fragmented AU reassembled; a lost fragment drops it and is counted", () => {
  const { units, pkts } = run("rtp_aac_ffmpeg.bin", "rtp_aac_ffmpeg.sdp");
  const au = units[5].data;
  const frags = fragments(au, 3);
  assert.equal(frags.length, 3);
  const base = pkts[1];
  const c = collector();
  const fmtp = sdpMedia("rtp_aac_ffmpeg.sdp").fmtp;
  const d = new Rfc3640Depacketizer({ onUnit: c.onUnit, count: c.count, fmtp });
  frags.forEach((f, i) => d.push(withPayload(base, f, i === 2, 100 + i), false));
  assert.equal(c.units.length, 1);
  assert.deepEqual(c.units[0].data, au);
  assert.equal(c.units[0].timestamp, base.timestamp);
  // Lose the middle fragment: nothing emitted, loss counted, next whole packet decodes.
  d.push(withPayload(base, frags[0], false, 200), false);
  d.push(withPayload(base, frags[2], true, 202), true);
  assert.equal(c.units.length, 1);
  assert.equal(c.counts.frame_loss, 1);
  assert.equal(c.counts.rfc3640_fragment_short, 1);
  d.push(pkts[2], true);
  assert.equal(c.units.length, 5);
  // A start fragment without its end, then flush.
  d.push(withPayload(base, frags[0], false, 300), false);
  d.flush();
  assert.equal(c.counts.rfc3640_fragment_incomplete, 1);
});

Deno.test("rfc3640: AU-size past the payload end is counted, AUs before it are kept", () => {
  const p = capturePackets("rtp_aac_ffmpeg.bin")[1];
  const cut = withPayload(p, p.payload.subarray(0, p.payload.length - 10));
  const c = collector();
  const fmtp = sdpMedia("rtp_aac_ffmpeg.sdp").fmtp;
  new Rfc3640Depacketizer({ onUnit: c.onUnit, count: c.count, fmtp }).push(cut, false);
  assert.equal(c.units.length, 3);
  assert.equal(c.counts.rfc3640_au_truncated, 1);
});

Deno.test("rfc3640: CTS/DTS/RAP/stream-state fields and an auxiliary section are skipped right", () => {
  const { units, pkts } = run("rtp_aac_ffmpeg.bin", "rtp_aac_ffmpeg.sdp");
  const aus = units.slice(4, 8).map((u) => u.data);
  const c = collector();
  const d = new Rfc3640Depacketizer({ onUnit: c.onUnit, count: c.count, fmtp: FULL_HEADER_FMTP });
  d.push(withPayload(pkts[1], rfc3640FullHeader(aus)), false);
  assert.deepEqual(c.counts, {});
  assert.deepEqual(c.units.map((u) => u.data), aus);
  // AU i: index delta 0 -> i * 1024, plus CTS-delta 3*i.
  assert.deepEqual(
    c.units.map((u) => u.timestamp - pkts[1].timestamp),
    [0, 1024 + 3, 2048 + 6, 3072 + 9],
  );
});
