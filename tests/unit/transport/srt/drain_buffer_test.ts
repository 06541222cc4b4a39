/**
 * The drain buffer's kept pointers (lib/transport/srt/drain_buffer.ts): each points at its
 * offset of the bytes (written through the pointer as srt_recvmsg writes, read back in
 * the view the sink gets), and the same pointer comes back for the same offset.
 */
import assert from "node:assert/strict";
import {
  DRAIN_BUFFER_BYTES,
  DRAIN_MAX_MESSAGES,
  DrainBuffer,
  SRT_MESSAGE_MAX_BYTES,
} from "@lib/transport/srt/drain_buffer.ts";

/** Writes `n` bytes of `fill` at a pointer, as C would. */
function writeAt(p: Deno.PointerValue, n: number, fill: number): void {
  new Uint8Array(new Deno.UnsafePointerView(p!).getArrayBuffer(n)).fill(fill);
}

Deno.test("drain buffer: a pointer per message offset writes the bytes at that offset", () => {
  const d = new DrainBuffer();
  assert.equal(d.bytes.length, DRAIN_BUFFER_BYTES);
  // 1316-byte TS messages, as srt_recvmsg lays them out one after the other
  for (let k = 0; k < DRAIN_MAX_MESSAGES; k++) writeAt(d.at(k * 1316), 1316, k + 1);
  for (let k = 0; k < DRAIN_MAX_MESSAGES; k++) {
    const m = d.bytes.subarray(k * 1316, (k + 1) * 1316);
    assert.ok(m.every((b) => b === k + 1), `message ${k}`);
  }
  assert.ok(d.bytes.subarray(DRAIN_MAX_MESSAGES * 1316).every((b) => b === 0));
  // the last offset a full-size read may start at still fits
  const last = DRAIN_BUFFER_BYTES - SRT_MESSAGE_MAX_BYTES;
  writeAt(d.at(last), SRT_MESSAGE_MAX_BYTES, 0xee);
  assert.equal(d.bytes[DRAIN_BUFFER_BYTES - 1], 0xee);
});

Deno.test("drain buffer: pointers are kept per offset, and odd offsets past the cap still work", () => {
  const d = new DrainBuffer();
  assert.equal(d.at(1316), d.at(1316));
  assert.equal(
    Deno.UnsafePointer.value(d.at(2 * 1316)),
    Deno.UnsafePointer.value(d.at(0)) + BigInt(2 * 1316),
  );
  // more distinct offsets than are kept: each still points at its byte
  for (let off = 0; off < 3000; off++) d.at(off);
  writeAt(d.at(2999), 1, 0x5a);
  assert.equal(d.bytes[2999], 0x5a);
});
