import assert from "node:assert/strict";
import { openUdpReceiver } from "@lib/transport/udp/receiver.ts";
import { datagram, sendBursts, sender, waitFor } from "./_udp.ts";
import type { UdpReceiver } from "@lib/transport/udp/types.ts";

const KINDS = ["recvmmsg", "deno"] as const;

for (const kind of KINDS) {
  Deno.test(`udp ${kind}: delivers every datagram with its bytes and source`, async () => {
    const rx = await openUdpReceiver({ hostname: "127.0.0.1", port: 0, kind });
    assert.equal(rx.kind, kind);
    assert.ok(rx.port > 0);
    const { sock, port: srcPort } = sender();
    const N = 1000;
    const seen = new Uint8Array(N);
    let bad = 0;
    rx.start((data, remote, arrivalMs) => {
      const i = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0);
      const want = datagram(i, 20 + (i % 1000));
      if (i >= N || remote.hostname !== "127.0.0.1" || remote.port !== srcPort) bad++;
      else if (data.byteLength !== want.byteLength || !want.every((v, k) => data[k] === v)) bad++;
      else seen[i]++;
      if (!(arrivalMs > 0)) bad++;
    });
    try {
      // Flow-controlled: this checks delivery and bytes, not the receiver's speed (a busy
      // machine stalls the event loop and the small default buffer of the deno path).
      await sendBursts(sock, rx.port, N, (i) => 20 + (i % 1000), 50, 2, () => rx.stats().datagrams);
      assert.ok(await waitFor(() => rx.stats().datagrams >= N), "all datagrams arrive");
      assert.equal(bad, 0);
      assert.ok(seen.every((c) => c === 1), "each datagram exactly once");
      const st = rx.stats();
      assert.equal(st.datagrams, N);
      let bytes = 0;
      for (let i = 0; i < N; i++) bytes += 20 + (i % 1000);
      assert.equal(st.bytes, bytes);
      assert.equal(st.truncated, 0);
      if (kind === "recvmmsg") {
        assert.equal(st.kernelDrops, 0);
        assert.ok(st.batches <= N);
      }
    } finally {
      sock.close();
      await rx.close();
    }
  });

  Deno.test(`udp ${kind}: oversize datagram counted as truncated, not delivered`, async () => {
    const rx = await openUdpReceiver({ hostname: "127.0.0.1", port: 0, kind });
    const { sock } = sender();
    const sizes: number[] = [];
    rx.start((d) => sizes.push(d.byteLength));
    try {
      const to = { transport: "udp" as const, hostname: "127.0.0.1", port: rx.port };
      await sock.send(datagram(0, 100), to);
      await sock.send(datagram(1, 3000), to);
      await sock.send(datagram(2, 2048), to);
      await sock.send(datagram(3, 2049), to);
      assert.ok(await waitFor(() => rx.stats().truncated === 2 && sizes.length === 2));
      assert.deepEqual(sizes, [100, 2048]);
    } finally {
      sock.close();
      await rx.close();
    }
  });

  Deno.test(`udp ${kind}: close releases the port; send reaches the peer`, async () => {
    const rx = await openUdpReceiver({ hostname: "127.0.0.1", port: 0, kind });
    const port = rx.port;
    const { sock, port: peerPort } = sender();
    rx.start(() => {});
    rx.send(new Uint8Array([0x81, 0xc9, 0, 1]), { hostname: "127.0.0.1", port: peerPort });
    const [got, from] = await sock.receive();
    assert.deepEqual([...got], [0x81, 0xc9, 0, 1]);
    assert.equal((from as Deno.NetAddr).port, port);
    sock.close();
    await rx.close();
    const again = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port });
    again.close();
  });
}

Deno.test("udp recvmmsg: 20k datagrams sent as fast as possible, none lost", async () => {
  const rx: UdpReceiver = await openUdpReceiver({
    hostname: "127.0.0.1",
    port: 0,
    kind: "recvmmsg",
  });
  assert.ok(rx.socketBufferBytes >= 4 * 1024 * 1024, `buffer ${rx.socketBufferBytes}`);
  const { sock } = sender();
  const N = 20_000;
  const seen = new Uint8Array(N);
  rx.start((d) => seen[new DataView(d.buffer, d.byteOffset).getUint32(0)]++);
  try {
    await sendBursts(sock, rx.port, N, () => 1200, 512, 0);
    assert.ok(await waitFor(() => rx.stats().datagrams >= N), `got ${rx.stats().datagrams}`);
    assert.ok(seen.every((c) => c === 1));
    assert.equal(rx.stats().kernelDrops, 0);
  } finally {
    sock.close();
    await rx.close();
  }
});

Deno.test("udp recvmmsg: kernel drops are counted (tiny buffer, not drained)", async () => {
  const rx = await openUdpReceiver({
    hostname: "127.0.0.1",
    port: 0,
    kind: "recvmmsg",
    socketBufferBytes: 4096,
  });
  assert.ok(rx.socketBufferBytes < 64 * 1024, `buffer ${rx.socketBufferBytes}`);
  const { sock } = sender();
  try {
    await sendBursts(sock, rx.port, 300, () => 1000, 300, 0);
    let got = 0;
    rx.start(() => got++);
    assert.ok(await waitFor(() => got > 0));
    await new Promise((r) => setTimeout(r, 20));
    const queued = got;
    assert.ok(queued < 300, `only a few fit, got ${queued}`);
    assert.equal(rx.stats().kernelDrops, 300 - queued, "from /proc/net/udp");
    // One more datagram carries the cumulative count in its SO_RXQ_OVFL cmsg.
    await sendBursts(sock, rx.port, 1, () => 1000);
    assert.ok(await waitFor(() => got === queued + 1));
    const st = rx.stats();
    assert.equal(st.datagrams + (st.kernelDrops ?? 0), 301);
  } finally {
    sock.close();
    await rx.close();
  }
});

Deno.test("udp: auto picks recvmmsg on Linux; bad hostname is a config error", async () => {
  const rx = await openUdpReceiver({ hostname: "127.0.0.1", port: 0 });
  assert.equal(rx.kind, Deno.build.os === "linux" ? "recvmmsg" : "deno");
  await rx.close();
  await assert.rejects(() => openUdpReceiver({ hostname: "localhost", port: 0, kind: "recvmmsg" }));
  await assert.rejects(() =>
    openUdpReceiver({ hostname: "127.0.0.1", port: 0, maxDatagramBytes: 70000 })
  );
});

for (const kind of KINDS) {
  Deno.test(`udp ${kind}: a throwing callback is counted and logged, delivery goes on`, async () => {
    const logs: string[] = [];
    const rx = await openUdpReceiver({
      hostname: "127.0.0.1",
      port: 0,
      kind,
      log: (m) => logs.push(m),
    });
    const { sock } = sender();
    let calls = 0;
    rx.start(() => {
      if (++calls <= 2) throw new Error("downstream bug");
    });
    try {
      await sendBursts(sock, rx.port, 5, () => 50);
      assert.ok(await waitFor(() => calls === 5));
      assert.equal(rx.stats().errors, 2);
      assert.equal(logs.length, 1);
      assert.match(logs[0], /downstream bug/);
    } finally {
      sock.close();
      await rx.close();
    }
  });
}
