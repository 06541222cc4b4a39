import assert from "node:assert/strict";
import { openUdpReceiver } from "@lib/transport/udp/receiver.ts";
import { fixture } from "@tests/_helpers.ts";
import { rtpOf } from "@tests/support/rtp.ts";

const LOADGEN = new URL("../../../scripts/loadgen.ts", import.meta.url).pathname;

async function loadgen(args: string[]): Promise<Record<string, number>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", LOADGEN, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

Deno.test("loadgen: paced RTP packets all reach a recvmmsg receiver, as reported", async () => {
  const rx = await openUdpReceiver({ hostname: "127.0.0.1", port: 0, kind: "recvmmsg" });
  const ssrcs = new Map<number, number[]>();
  rx.start((d) => {
    const p = rtpOf(d)!;
    assert.equal(d.length, 300);
    if (!ssrcs.has(p.ssrc)) ssrcs.set(p.ssrc, []);
    ssrcs.get(p.ssrc)!.push(p.seq);
  });
  try {
    const t0 = performance.now();
    const r = await loadgen([
      "--port",
      `${rx.port}`,
      "--rate",
      "4000",
      "--seconds",
      "0.5",
      "--size",
      "300",
      "--ssrc-count",
      "2",
    ]);
    assert.equal(r.sent, 2000);
    assert.equal(r.bytes, 600000);
    assert.ok(r.elapsedSec >= 0.45 && r.elapsedSec < 2, `paced: ${r.elapsedSec}s`);
    assert.ok(performance.now() - t0 >= 450);
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(rx.stats().datagrams, 2000);
    assert.equal(ssrcs.size, 2);
    for (const seqs of ssrcs.values()) assert.deepEqual(seqs, seqs.map((_, i) => i));
  } finally {
    await rx.close();
  }
});

Deno.test("loadgen --capture: replays a real capture's datagrams with per-stream SSRCs", async () => {
  const rx = await openUdpReceiver({ hostname: "127.0.0.1", port: 0, kind: "recvmmsg" });
  const sizes: number[] = [];
  const ssrcs = new Set<number>();
  rx.start((d) => {
    sizes.push(d.length);
    ssrcs.add(rtpOf(d)!.ssrc);
  });
  try {
    const cap = fixture("rtp/rtp_libopus_ffmpeg.bin");
    const r = await loadgen([
      "--port",
      `${rx.port}`,
      "--rate",
      "2000",
      "--seconds",
      "0.1",
      "--capture",
      cap,
      "--ssrc-count",
      "3",
    ]);
    assert.equal(r.sent, 200);
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(sizes.length, 200);
    assert.equal(ssrcs.size, 3);
    assert.equal(sizes[0], 439 + 12, "first datagram of the capture");
  } finally {
    await rx.close();
  }
});
