import assert from "node:assert/strict";
import { decodeStats, PERFMON, PERFMON_BYTES } from "@lib/transport/srt/stats.ts";

const HEADER = "/usr/include/srt/srt.h";

function readHeader(): string | undefined {
  try {
    return Deno.readTextFileSync(HEADER);
  } catch {
    return undefined;
  }
}

/**
 * Lays out `struct CBytePerfMon` from libsrt's own header with the LP64 C rules
 * (int 4, int64_t/uint64_t/double 8, natural alignment) and returns field offsets.
 */
function layout(h: string): { offsets: Map<string, number>; size: number } {
  const body = /struct CBytePerfMon\s*\{([\s\S]*?)\n\};/.exec(h);
  if (!body) throw new Error("CBytePerfMon not found in srt.h");
  const sizes: Record<string, number> = { int: 4, int64_t: 8, uint64_t: 8, double: 8 };
  const offsets = new Map<string, number>();
  let off = 0;
  let maxAlign = 1;
  for (const line of body[1].split("\n")) {
    const m = /^\s*(int|int64_t|uint64_t|double)\s+(\w+)\s*;/.exec(line);
    if (!m) continue;
    const sz = sizes[m[1]];
    off = Math.ceil(off / sz) * sz;
    offsets.set(m[2], off);
    off += sz;
    maxAlign = Math.max(maxAlign, sz);
  }
  return { offsets, size: Math.ceil(off / maxAlign) * maxAlign };
}

Deno.test({
  name: "stats: CBytePerfMon offsets match the layout of libsrt's srt.h",
  ignore: readHeader() === undefined,
  fn() {
    const { offsets, size } = layout(readHeader()!);
    assert.equal(size, PERFMON_BYTES);
    for (const [name, off] of Object.entries(PERFMON)) {
      assert.equal(offsets.get(name), off, `${name}`);
    }
  },
});

Deno.test("stats: decode honours byteOffset, little-endian fields and the interval rate", () => {
  const backing = new Uint8Array(PERFMON_BYTES + 8);
  const buf = backing.subarray(8); // not at offset 0 of its ArrayBuffer
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  v.setBigInt64(PERFMON.msTimeStamp, 5000n, true);
  v.setBigInt64(PERFMON.pktRecvTotal, 1000n, true);
  v.setInt32(PERFMON.pktRcvLossTotal, 7, true);
  v.setInt32(PERFMON.pktRcvDropTotal, 2, true);
  v.setInt32(PERFMON.pktRcvRetrans, 5, true);
  v.setBigUint64(PERFMON.byteRecvTotal, 1_360_000n, true);
  v.setFloat64(PERFMON.mbpsRecvRate, 3.5, true);
  v.setFloat64(PERFMON.msRTT, 0.25, true);
  v.setInt32(PERFMON.msRcvBuf, 118, true);
  v.setInt32(PERFMON.msRcvTsbPdDelay, 120, true);
  const copy = buf.slice();
  const a = decodeStats(buf, 1000, 2);
  assert.deepEqual(buf, copy, "input not mutated");
  assert.equal(a.connectedMs, 5000);
  assert.equal(a.packetsReceived, 1000);
  assert.equal(a.packetsLost, 7);
  assert.equal(a.packetsDropped, 2);
  assert.equal(a.packetsRetransmitted, 5);
  assert.equal(a.bytesReceived, 1_360_000);
  assert.equal(a.recvRateMbps, 3.5); // no previous snapshot: libsrt's rate
  assert.equal(a.rttMs, 0.25);
  assert.equal(a.recvBufferMs, 118);
  assert.equal(a.tsbpdDelayMs, 120);
  assert.equal(a.keyState, "secured");
  v.setBigUint64(PERFMON.byteRecvTotal, 2_360_000n, true); // +1 MB in 1 s = 8 Mb/s
  const b = decodeStats(buf, 2000, 4, a);
  assert.equal(b.recvRateMbps, 8);
  assert.equal(b.keyState, "badsecret");
  assert.equal(decodeStats(buf, 3000, 9).keyState, "unknown_9");
});
