import assert from "node:assert/strict";
import { parseHeaderExtensions, parseRtp } from "@lib/transport/rtp/packet.ts";
import { CAPTURES } from "./_captures.ts";
import { readCapture } from "@tests/support/replay.ts";

Deno.test("every capture parses with zero header errors and the oracle packet count", () => {
  for (const [name, count] of CAPTURES) {
    const cap = readCapture(`rtp/${name}`);
    assert.equal(cap.length, count, name);
    for (const d of cap) {
      const before = d.data.slice();
      const r = parseRtp(d.data, 0);
      assert.ok(r.ok, `${name}: ${!r.ok && r.reason}`);
      const p = r.value;
      assert.equal(p.version, 2);
      assert.equal(p.payload.buffer, d.data.buffer, "payload is a subarray");
      assert.equal(p.payload.byteOffset, d.data.byteOffset + 12 + 4 * p.csrcs.length);
      assert.equal(p.seq, (d.data[2] << 8) | d.data[3]);
      assert.deepEqual(d.data, before, "input untouched");
    }
  }
});

Deno.test("header fields of the first H.264 ffmpeg packet (bytes read by hand)", () => {
  const d = readCapture("rtp/rtp_h264_ffmpeg.bin")[0].data;
  const r = parseRtp(d, 7);
  assert.ok(r.ok);
  assert.equal(r.value.payloadType, 96);
  assert.equal(r.value.seq, 2796);
  assert.equal(r.value.timestamp, 0x35615e9c);
  assert.equal(r.value.ssrc, 0x12345678);
  assert.equal(r.value.marker, false);
  assert.equal(r.value.arrivalMs, 7);
  assert.equal(r.value.payload[0], 0x18, "STAP-A");
});

function header(b0: number, extra: number[] = [], payload: number[] = []): Uint8Array {
  return new Uint8Array([b0, 0xe0, 0, 1, 0, 0, 0, 2, 0xde, 0xad, 0xbe, 0xef, ...extra, ...payload]);
}

Deno.test("validation reasons: version, too short, CSRC, extension, padding", () => {
  const bad = (d: Uint8Array) => {
    const r = parseRtp(d);
    return r.ok ? "ok" : r.reason;
  };
  assert.equal(bad(new Uint8Array(11)), "rtp_too_short");
  assert.equal(bad(header(0x40)), "rtp_version");
  assert.equal(bad(header(0x82, [0, 0, 0, 1])), "rtp_too_short"); // CC=2, one CSRC present
  assert.equal(bad(header(0x90, [0xbe, 0xde])), "rtp_extension");
  assert.equal(bad(header(0x90, [0xbe, 0xde, 0, 2, 0x10, 0xaa, 0, 0])), "rtp_extension");
  assert.equal(bad(header(0xa0, [], [1, 2, 0])), "rtp_padding"); // pad count 0
  assert.equal(bad(header(0xa0, [], [1, 2, 4])), "rtp_padding"); // more than the payload
  assert.equal(bad(header(0x80)), "ok"); // empty payload is legal
});

Deno.test("CSRCs, RFC 8285 one-byte extension and padding are honoured", () => {
  const d = header(0xb1, [1, 2, 3, 4, 0xbe, 0xde, 0, 1, 0x10, 0xaa, 0x00, 0x00], [9, 8, 7, 0, 2]);
  const r = parseRtp(d);
  assert.ok(r.ok);
  assert.deepEqual(r.value.csrcs, [0x01020304]);
  assert.equal(r.value.marker, true);
  assert.equal(r.value.payloadType, 0x60);
  assert.equal(r.value.extensionProfile, 0xbede);
  assert.deepEqual([...r.value.payload], [9, 8, 7]);
  const ext = parseHeaderExtensions(0xbede, r.value.extensionData!);
  assert.ok(ext.ok);
  assert.equal(ext.value.length, 1);
  assert.equal(ext.value[0].id, 1);
  assert.deepEqual([...ext.value[0].data], [0xaa]);
  // two-byte form: id 5, length 2
  const two = parseHeaderExtensions(0x1000, new Uint8Array([5, 2, 0x11, 0x22, 0, 0]));
  assert.ok(two.ok);
  assert.deepEqual(two.value.map((e) => [e.id, [...e.data]]), [[5, [0x11, 0x22]]]);
  assert.equal(parseHeaderExtensions(0x1000, new Uint8Array([5, 9, 1])).ok, false);
});
