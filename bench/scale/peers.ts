/**
 * The peers of the scale ladder, receiving the same load as sluice in the same run:
 * GStreamer `udpsrc ! rtpssrcdemux` with one `rtph264depay ! fakesink` branch per SSRC
 * (optionally `rtpjitterbuffer` in each branch, as sluice has one per source), and one
 * `srt-live-transmit srt://:P?mode=listener file://con` per SRT stream (it takes one
 * caller), on consecutive ports. Loss is the kernel drop count of their sockets in
 * /proc/net/udp; CPU and RSS are summed over their processes (/proc).
 */
import { hasProgram as hasPeer } from "../../tests/_helpers.ts";
import { freeUdpPort, portDrops } from "./procs.ts";
import { ssrcOf } from "../../scripts/loadgen/rtp_sources.ts";

/** Running peer processes and the ports they receive on. */
export interface PeerProcs {
  pids: number[];
  port: number;
  ports: number;
  stop(): Promise<void>;
}

function spawnAll(cmds: string[][]): Deno.ChildProcess[] {
  return cmds.map(([cmd, ...args]) =>
    new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "null" }).spawn()
  );
}

function stopper(procs: Deno.ChildProcess[]): () => Promise<void> {
  return async () => {
    for (const p of procs) {
      try {
        p.kill("SIGKILL");
      } catch { /* exited */ }
    }
    await Promise.all(procs.map((p) => p.status));
  };
}

/** `n` consecutive free UDP ports; returns the first. */
export function freeUdpRange(n: number): number {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 40000);
    const socks: Deno.DatagramConn[] = [];
    try {
      for (let i = 0; i < n; i++) {
        socks.push(
          Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: base + i }),
        );
      }
      return base;
    } catch {
      /* one is taken: another base */
    } finally {
      socks.forEach((s) => s.close());
    }
  }
  throw new Error(`no ${n} consecutive free UDP ports`);
}

/** GStreamer receiving `n` SSRCs on one port; undefined when gst-launch-1.0 is missing. */
export async function startGstRtp(n: number, jitter: boolean): Promise<PeerProcs | undefined> {
  if (!hasPeer("gst-launch-1.0")) return undefined;
  const port = freeUdpPort(true);
  const caps = "application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=96";
  const args = ["-q", "udpsrc", `port=${port}`, "buffer-size=8388608", `caps=${caps}`]
    .concat(["!", "rtpssrcdemux", "name=d"]);
  for (let i = 0; i < n; i++) {
    // By pad name (the loadgen's SSRCs): a bare `d.` may take an rtcp_src pad.
    args.push(`d.src_${ssrcOf(i)}`, "!", ...(jitter ? ["rtpjitterbuffer", "latency=50", "!"] : []));
    args.push("rtph264depay", "!", "fakesink", "sync=false", "async=false");
  }
  const procs = spawnAll([["gst-launch-1.0", ...args]]);
  await new Promise((r) => setTimeout(r, 1000)); // plugin registry, pipeline to PLAYING
  return { pids: procs.map((p) => p.pid), port, ports: 1, stop: stopper(procs) };
}

/** `n` srt-live-transmit listeners on consecutive ports; undefined when it is missing. */
export async function startSlt(n: number): Promise<PeerProcs | undefined> {
  if (!hasPeer("srt-live-transmit")) return undefined;
  const port = freeUdpRange(n);
  const procs = spawnAll(
    Array.from({ length: n }, (_, i) => [
      "srt-live-transmit",
      "-q",
      `srt://127.0.0.1:${port + i}?mode=listener&latency=120`,
      "file://con",
    ]),
  );
  await new Promise((r) => setTimeout(r, 500));
  return { pids: procs.map((p) => p.pid), port, ports: n, stop: stopper(procs) };
}

/**
 * The Deno floor of one SRT receiver (srt_floor.ts: accept, read on a timer, drop the
 * bytes), listening on a free port.
 */
export async function startSrtFloor(intervalMs = 10): Promise<PeerProcs> {
  const port = freeUdpRange(1);
  const script = new URL("./srt_floor.ts", import.meta.url).pathname;
  const procs = spawnAll([[
    Deno.execPath(),
    "run",
    "--allow-ffi",
    "--allow-env",
    "--allow-read",
    script,
    String(port),
    String(intervalMs),
  ]]);
  await new Promise((r) => setTimeout(r, 500));
  return { pids: procs.map((p) => p.pid), port, ports: 1, stop: stopper(procs) };
}

/** Kernel drops on the peers' ports. */
export function peerDrops(p: PeerProcs): number {
  let n = 0;
  for (let i = 0; i < p.ports; i++) n += portDrops(p.port + i);
  return n;
}
