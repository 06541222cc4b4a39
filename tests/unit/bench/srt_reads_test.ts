/**
 * The ingest bench's model of the SRT listener's reads (bench/_srt_reads.ts): the bytes
 * come through whole and in order, a read holds `perRead` 1316-byte messages (the last
 * one what is left), reads are a read interval apart, message ranges start at `at()`, and
 * an 8 Mb/s stream at the default 10 ms interval is read 8 messages at a time.
 */
import assert from "node:assert/strict";
import {
  MESSAGE_BYTES,
  messagesPerRead,
  readIntervalMs,
  SrtReads,
} from "../../../bench/_srt_reads.ts";
import { defaultConfig } from "@lib/config/defaults.ts";
import { wakeMs } from "@lib/transport/srt/loop_timing.ts";

Deno.test("srt reads: the default read interval and messages a read", () => {
  const c = defaultConfig().srt;
  assert.equal(readIntervalMs(), wakeMs(c.latency, c.readInterval));
  assert.equal(readIntervalMs(), 10);
  // 60 s of 8.3 Mb/s TS (the bench input): 10 ms hold 10.4 KB, 8 messages
  assert.equal(messagesPerRead(62_403_404, 60), 8);
  assert.equal(messagesPerRead(1000, 60), 1, "at least one");
  assert.equal(messagesPerRead(1e12, 1), 64, "at most a drain buffer's");
});

Deno.test("srt reads: every byte once, in order, perRead messages a read, a read interval apart", () => {
  const data = new Uint8Array(188 * 7 * 20 + 188 * 3); // 20 messages and a short 21st
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 8)) & 0xff;
  const reads = new SrtReads(data, 3);
  assert.equal(reads.count, 21);
  const got: number[] = [];
  const sizes: number[] = [];
  const times: number[] = [];
  const next = reads.feed(
    (chunk, t) => {
      got.push(...chunk);
      sizes.push(chunk.length);
      times.push(t);
    },
    0,
    reads.count,
    100,
  );
  assert.deepEqual(new Uint8Array(got), data);
  assert.deepEqual(sizes, [...Array(6).fill(3 * MESSAGE_BYTES), 2 * MESSAGE_BYTES + 188 * 3]);
  assert.deepEqual(times, times.map((_, i) => 100 + i * reads.stepMs));
  assert.equal(next, 100 + 7 * reads.stepMs);
  // a range of messages: from the one at or after a byte offset
  const part: number[] = [];
  reads.feed(
    (chunk) => part.push(...chunk),
    reads.at(5 * MESSAGE_BYTES),
    reads.at(9 * MESSAGE_BYTES),
  );
  assert.deepEqual(new Uint8Array(part), data.subarray(5 * MESSAGE_BYTES, 9 * MESSAGE_BYTES));
  assert.equal(reads.at(5 * MESSAGE_BYTES + 188), 6);
});
