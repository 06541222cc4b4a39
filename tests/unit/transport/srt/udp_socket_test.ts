/**
 * sluice's own UDP socket under libsrt (lib/transport/srt/udp_socket.ts): the receive buffer it
 * gets as getsockopt reports it (above net.core.rmem_max when SO_RCVBUFFORCE is allowed),
 * and the kernel's drop counter read back from /proc/net/udp for a socket nobody reads.
 */
import assert from "node:assert/strict";
import {
  openSrtUdpSocket,
  releaseSrtUdpSocket,
  srtSocketDrops,
} from "../../../../lib/transport/srt/udp_socket.ts";
import { socketInode } from "../../../../lib/transport/udp/proc_udp.ts";

const rmemMax = Number(Deno.readTextFileSync("/proc/sys/net/core/rmem_max").trim());

Deno.test("srt udp socket: buffer past rmem_max with SO_RCVBUFFORCE, else capped by it", () => {
  const want = Math.max(16 << 20, rmemMax * 4);
  const s = openSrtUdpSocket("127.0.0.1", 0, want);
  assert.ok(s.ok, s.ok ? "" : s.reason);
  try {
    assert.equal(socketInode(s.value.fd), s.value.inode);
    if (s.value.forced) assert.equal(s.value.bufferBytes, want);
    else assert.ok(s.value.bufferBytes <= 2 * rmemMax, `${s.value.bufferBytes}`);
  } finally {
    releaseSrtUdpSocket(s.value);
  }
  assert.notEqual(socketInode(s.value.fd), s.value.inode, "closed");
});

Deno.test("srt udp socket: kernel drops of an unread socket from /proc/net/udp", async () => {
  const s = openSrtUdpSocket("127.0.0.1", 0, 4096);
  assert.ok(s.ok, s.ok ? "" : s.reason);
  const port = (() => {
    for (const line of Deno.readTextFileSync("/proc/net/udp").split("\n")) {
      const f = line.trim().split(/\s+/);
      if (f[9] === s.value.inode) return parseInt(f[1].split(":")[1], 16);
    }
    return 0;
  })();
  const tx = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    assert.equal(srtSocketDrops(s.value), 0);
    const sent = 400;
    for (let i = 0; i < sent; i++) {
      await tx.send(new Uint8Array(1316), { transport: "udp", hostname: "127.0.0.1", port });
    }
    const drops = srtSocketDrops(s.value);
    // A 4 KiB buffer (8 KiB effective) holds a few 1316-byte datagrams; the rest is dropped.
    assert.ok(drops > sent - 20 && drops < sent, `${drops} of ${sent} dropped`);
  } finally {
    tx.close();
    releaseSrtUdpSocket(s.value);
  }
});
