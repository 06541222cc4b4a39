/**
 * RTP over loopback, side by side: scripts/loadgen.ts replays
 * tests/fixtures/rtp/rtp_h264_gst.bin (RFC 6184 over RFC 3550; sequence numbers and
 * timestamps continued) at a fixed packet rate for a bounded time into (1) a sluice
 * running in this process (tests/e2e/_server.ts: recvmmsg receiver, RtpSession, H.264
 * depacketizer, Stream, FrameStore) and (2) GStreamer
 * `udpsrc buffer-size=8388608 caps=<H264> ! rtpjitterbuffer latency=50 ! rtph264depay ! fakesink`.
 *
 *   deno run --unstable-net --allow-all bench/rtp_loopback_bench.ts [--rates 50000,100000]
 *     [--seconds 3] [--quick]
 *
 * Per receiver and rate: packets sent, loss (the socket's kernel drop counter in
 * /proc/net/udp, the same method for both; for sluice also the packets its stream counted),
 * and the receiver's CPU over the send window plus a drain (getrusage of this process /
 * /proc/<pid>/stat of gst-launch) as % of one core and µs per packet. The sender's CPU is
 * in neither. The whole sluice (API, SRT listener, timers) is in its CPU figure.
 */
import { startTestServer } from "../tests/e2e/_server.ts";
import { arg, cpuOfPid, cpuSelf, emit, fmt, isQuick } from "./_bench.ts";

const LOADGEN = new URL("../scripts/loadgen.ts", import.meta.url).pathname;
const CAPTURE = new URL("../tests/fixtures/rtp/rtp_h264_gst.bin", import.meta.url).pathname;
/** Cap on one run's send time, seconds. */
const MAX_SECONDS = 20;
/** Time for the receiver to drain after the sender exits, ms (jitter window included). */
const DRAIN_MS = 500;

/** Kernel drop counter of the UDP socket bound to `port` (proc(5) /proc/net/udp). */
function socketDrops(port: number): number | undefined {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  for (const line of Deno.readTextFileSync("/proc/net/udp").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 12 && f[1].endsWith(`:${hex}`)) return Number(f[f.length - 1]);
  }
  return undefined;
}

async function loadgen(port: number, rate: number, seconds: number): Promise<number> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", LOADGEN, "--port", `${port}`, "--rate", `${rate}`]
      .concat(["--seconds", `${seconds}`, "--capture", CAPTURE]),
    stdout: "piped",
  }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).sent as number;
}

interface Row {
  sent: number;
  lossPct: number;
  cpuPct: number;
  usPerPacket: number;
  extra: string;
}

function row(sent: number, drops: number, cpu: number, wall: number, extra: string): Row {
  return {
    sent,
    lossPct: (100 * drops) / sent,
    cpuPct: (100 * cpu) / wall,
    usPerPacket: (1e6 * cpu) / Math.max(1, sent - drops),
    extra,
  };
}

async function ours(rate: number, seconds: number): Promise<Row> {
  const ts = await startTestServer("log:\n  level: error\n");
  try {
    await new Promise((r) => setTimeout(r, 300));
    const d0 = socketDrops(ts.rtpPort) ?? 0;
    const c0 = cpuSelf(), t0 = performance.now();
    const sent = await loadgen(ts.rtpPort, rate, seconds);
    await new Promise((r) => setTimeout(r, DRAIN_MS));
    const cpu = cpuSelf() - c0, wall = (performance.now() - t0) / 1000;
    const drops = (socketDrops(ts.rtpPort) ?? NaN) - d0;
    const list = (await ts.get("/api/v1/streams")).streams as Record<string, unknown>[];
    const s = list.find((x) => x.protocol === "rtp");
    const tracks = (s?.tracks ?? []) as { frames: number }[];
    const extra = `stream packets ${s?.packets ?? 0}, frames ${tracks[0]?.frames ?? 0}`;
    return row(sent, drops, cpu, wall, extra);
  } finally {
    await ts.stop();
  }
}

function freeUdpPort(): number {
  const s = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const p = (s.addr as Deno.NetAddr).port;
  s.close();
  return p;
}

async function gst(rate: number, seconds: number): Promise<Row | undefined> {
  const port = freeUdpPort();
  const caps = "application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=96";
  const child = new Deno.Command("gst-launch-1.0", {
    args: ["-q", "udpsrc", "address=127.0.0.1", `port=${port}`, "buffer-size=8388608"]
      .concat([`caps=${caps}`, "!", "rtpjitterbuffer", "latency=50", "!", "rtph264depay"])
      .concat(["!", "fakesink"]),
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    for (let i = 0; i < 50 && socketDrops(port) === undefined; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const d0 = socketDrops(port);
    if (d0 === undefined) throw new Error("gst-launch did not bind");
    const c0 = cpuOfPid(child.pid), t0 = performance.now();
    const sent = await loadgen(port, rate, seconds);
    await new Promise((r) => setTimeout(r, DRAIN_MS));
    const cpu = cpuOfPid(child.pid) - c0, wall = (performance.now() - t0) / 1000;
    const drops = (socketDrops(port) ?? NaN) - d0;
    return row(sent, drops, cpu, wall, "");
  } catch (e) {
    console.warn(`gstreamer: ${e instanceof Error ? e.message : e}`);
    return undefined;
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    await child.status;
  }
}

if (import.meta.main) {
  const quick = isQuick();
  const seconds = Math.min(MAX_SECONDS, Number(arg("seconds", quick ? "2" : "3")));
  const rates = arg("rates", quick ? "50000" : "20000,50000,100000").split(",").map(Number);
  console.log(`RTP H.264 over loopback, ${seconds} s per run (receiver CPU only)`);
  console.log("receiver  rate/s    sent   loss%   cpu%  us/pkt");
  for (const rate of rates) {
    const a = await ours(rate, seconds);
    const b = await gst(rate, seconds);
    for (const [who, r] of [["sluice", a], ["gst", b]] as const) {
      if (!r) continue;
      console.log(
        `${who.padEnd(8)} ${String(rate).padStart(7)} ${String(r.sent).padStart(7)} ` +
          `${fmt(r.lossPct).padStart(7)} ${fmt(r.cpuPct).padStart(6)} ` +
          `${fmt(r.usPerPacket).padStart(7)}  ${r.extra}`,
      );
    }
    const note = `loadgen ${rate}/s x ${seconds} s of rtp_h264_gst.bin; ${a.extra}`;
    emit({
      name: `rtp loopback ${rate}/s loss`,
      unit: "loss %",
      sluice: a.lossPct,
      gstreamer: b?.lossPct,
      note,
    }); // deno-fmt-ignore
    emit({ name: `rtp loopback ${rate}/s cpu`, unit: "us/packet", sluice: a.usPerPacket, gstreamer: b?.usPerPacket, note }); // deno-fmt-ignore
  }
}
