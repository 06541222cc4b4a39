import assert from "node:assert/strict";
import { sniffRtpPayloads } from "@lib/codecs/sniff.ts";
import { readCapture } from "@tests/support/replay.ts";

/** Payloads of a capture's first packets (RTP header: 12 bytes + 4 per CSRC + extension). */
function payloads(file: string, n: number): Uint8Array[] {
  return readCapture(`rtp/${file}`).slice(0, n).map(({ data }) => {
    let off = 12 + (data[0] & 0x0f) * 4;
    if (data[0] & 0x10) off += 4 + ((data[off + 2] << 8) | data[off + 3]) * 4;
    return data.subarray(off);
  });
}

Deno.test("sniff: one damaged packet in the first window does not rule out the real codec", () => {
  for (const [file, codec] of [["rtp_h264_gst.bin", "h264"], ["rtp_h265_gst.bin", "h265"]]) {
    const p = payloads(file, 8).map((x) => x.slice());
    assert.equal(sniffRtpPayloads(p)?.codec, codec, `${file} clean`);
    p[2].fill(0xff, 0, 4); // forbidden bit set, nonsense type
    assert.equal(sniffRtpPayloads(p)?.codec, codec, `${file} with one damaged packet`);
    p[5].fill(0xff, 0, 4);
    p[6].fill(0xff, 0, 4);
    assert.notEqual(
      sniffRtpPayloads(p)?.codec,
      codec,
      `${file}: three damaged of 8 is not ${codec}`,
    );
  }
});
