/**
 * RFC 9134 sender: slices of the real SVT-JPEG-XS codestreams (fixture oracle: 10
 * codestreams, 15 slices each, Lcod in the picture header), counters, L/M bits.
 */
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { JpegXsPacketizer, serializeRtp, splitSlices } from "@lib/codecs/jpegxs/packetizer.ts";
import { newJxsHeader, readJxsHeader } from "@lib/codecs/jpegxs/payload_header.ts";
import { fixture, missing } from "@tests/_helpers.ts";
import { codestreams, pictureSize } from "./_jxs.ts";
import { rtpOf } from "@tests/support/rtp.ts";

Deno.test("jxs fixture: 10 codestreams of 28,800 bytes, 320x240, SOC..EOC", () => {
  const cs = codestreams();
  equal(cs.length, 10);
  for (const c of cs) {
    equal(c.length, 28800);
    deepEqual(pictureSize(c), [320, 240]);
    deepEqual([c[c.length - 2], c[c.length - 1]], [0xff, 0x11], "EOC");
  }
});

Deno.test({
  name: "jxs fixture: ffprobe's picture count equals ours when ffprobe reads JPEG XS",
  ignore: missing("ffprobe"),
  fn() {
    const r = new Deno.Command("ffprobe", {
      args: ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries"]
        .concat(["stream=nb_read_frames", "-of", "csv=p=0"])
        .concat([fixture("jpegxs/svt_320x240_422_10f.jxs")]),
    }).outputSync();
    if (!r.success) {
      // ffmpeg before 8.0 has no JPEG XS demuxer ("Invalid data found when processing input").
      console.warn(
        `ffprobe cannot read JPEG XS here: ${new TextDecoder().decode(r.stderr).trim()}`,
      );
      return;
    }
    equal(Number(new TextDecoder().decode(r.stdout).trim()), codestreams().length);
  },
});

Deno.test("jxs splitSlices: header + 15 slices that rebuild the codestream", () => {
  for (const c of codestreams()) {
    const r = splitSlices(c);
    ok(r.ok);
    equal(r.value.length, 16);
    r.value.slice(1).forEach((s, i) => deepEqual([...s.subarray(0, 6)], [0xff, 0x20, 0, 4, 0, i]));
    const joined = new Uint8Array(r.value.reduce((n, s) => n + s.length, 0));
    let o = 0;
    for (const s of r.value) o += (joined.set(s, o), s.length);
    deepEqual(joined, c);
  }
  equal(splitSlices(new Uint8Array([0xff, 0x11, 0, 0])).ok, false);
});

Deno.test("jxs packetizer: codestream mode counters, L and M", () => {
  const cs = codestreams()[0];
  const r = new JpegXsPacketizer({ maxPayloadBytes: 1000, seq: 65530 }).frame(cs, 90000);
  ok(r.ok);
  equal(r.value.length, 29);
  const h = newJxsHeader();
  r.value.forEach((p, j) => {
    readJxsHeader(p.payload, h);
    deepEqual([h.sequential, h.sliceMode, h.interlace, h.frame, h.sep, h.packet], [
      true,
      false,
      0,
      0,
      0,
      j,
    ]);
    equal(h.last, j === 28);
    equal(p.marker, j === 28);
    equal(p.seq, (65530 + j) & 0xffff);
    const back = rtpOf(serializeRtp(p));
    deepEqual([back.seq, back.timestamp, back.marker, back.payload], [
      p.seq,
      90000,
      p.marker,
      p.payload,
    ]);
  });
});

Deno.test("jxs packetizer: slice mode SEP 2047 for the header, slice index after", () => {
  const cs = codestreams()[1];
  const r = new JpegXsPacketizer({ sliceMode: true, maxPayloadBytes: 1500 }).frame(cs, 0);
  ok(r.ok);
  const h = newJxsHeader();
  const seps = r.value.map((p) => (readJxsHeader(p.payload, h), h.sep));
  equal(seps[0], 2047);
  deepEqual([...new Set(seps.slice(1))], [...Array(15).keys()]);
  throws(() => new JpegXsPacketizer({ outOfOrder: true }), RangeError);
});
