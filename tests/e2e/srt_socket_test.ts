/**
 * The SRT listener's UDP socket (config `srt.socket_buffer`): by default sluice opens it
 * and hands it to libsrt, and /api/v1/health and /metrics show its buffer and kernel drops
 * (checked against /proc/net/udp's row for the SRT port, which this process owns); with 0,
 * libsrt binds its own and no drop counter is claimed.
 */
import assert from "node:assert/strict";
import { startTestServer } from "./_server.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
type Json = Record<string, unknown>;

/** The /proc/net/udp row of the socket bound to `port`: its inode and drops. */
function procRow(port: number): { inode: string; drops: number } | undefined {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  for (const line of Deno.readTextFileSync("/proc/net/udp").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 12 && f[1].endsWith(hex)) return { inode: f[9], drops: Number(f[f.length - 1]) };
  }
  return undefined;
}

Deno.test({
  name: "srt socket: sluice's own UDP socket, its buffer and kernel drops in health and /metrics",
  ...opts,
  fn: async () => {
    const ts = await startTestServer("srt:\n  socket_buffer: 24MB\nlog:\n  level: error\n");
    try {
      const srt = ((await ts.get("/api/v1/health")).listeners as Json).srt as Json;
      assert.equal(srt.socket, "sluice");
      const rmemMax = Number(Deno.readTextFileSync("/proc/sys/net/core/rmem_max").trim());
      const buf = Number(srt.socketBufferBytes);
      assert.ok(buf === 24 * 1024 * 1024 || buf <= 2 * rmemMax, `buffer ${buf}`);
      const row = procRow(ts.srtPort);
      assert.ok(row, "SRT port in /proc/net/udp");
      const fds = [...Deno.readDirSync("/proc/self/fd")].map((e) => {
        try {
          return Deno.readLinkSync(`/proc/self/fd/${e.name}`);
        } catch {
          return "";
        }
      });
      assert.ok(fds.includes(`socket:[${row.inode}]`), "the socket is this process's");
      assert.equal(srt.kernelDrops, row.drops);
      const metrics = await (await fetch(`${ts.url}/metrics`)).text();
      assert.match(
        metrics,
        new RegExp(`sluice_udp_kernel_drops_total\\{listener="srt"\\} ${row.drops}\\n`),
      );
    } finally {
      await ts.stop();
    }
  },
});

Deno.test({
  name: "srt socket: socket_buffer 0 leaves the socket to libsrt (no drop counter claimed)",
  ...opts,
  fn: async () => {
    const ts = await startTestServer("srt:\n  socket_buffer: 0\nlog:\n  level: error\n");
    try {
      const srt = ((await ts.get("/api/v1/health")).listeners as Json).srt as Json;
      assert.equal(srt.enabled, true);
      assert.equal(srt.socket, "libsrt");
      assert.equal(srt.kernelDrops, undefined);
      const metrics = await (await fetch(`${ts.url}/metrics`)).text();
      assert.doesNotMatch(metrics, /sluice_udp_kernel_drops_total\{listener="srt"\}/);
    } finally {
      await ts.stop();
    }
  },
});
