/**
 * SRT receive load run: N concurrent ffmpeg callers (`-re -stream_loop -1 -c copy`
 * of tests/fixtures/ts/h264_aac.ts, padded to a constant ~8 Mb/s with the mpegts
 * muxer's `-muxrate`) into one SrtListener for a bounded time. Reports per N the
 * payload Mb/s received, libsrt's loss/drop/retransmit counters, and this process's
 * CPU (user + system from getrusage: the JS thread plus libsrt's threads) as a
 * share of one core and as CPU ms per received Mbit.
 *
 *   deno run --unstable-net --allow-all bench/srt_bench.ts [--n 1,4,8] [--seconds 10]
 *     [--mbps 8] [--json]
 *
 * Peer, same load in the same run: one ffmpeg caller into `srt-live-transmit -q
 * srt://127.0.0.1:P?mode=listener file://con` (libsrt's own sample receiver, output read
 * and discarded here); its CPU from /proc/<pid>/stat. Compared per received Mbit.
 */
import { SrtListener } from "../lib/transport/srt/listener.ts";
import { arg, clockTicks, cpuOfPid, cpuSelf, emit } from "./_bench.ts";
import { freePort } from "../tests/_helpers.ts";
import type { SrtStats } from "../lib/transport/srt/stats.ts";

const SRC = new URL("../tests/fixtures/ts/h264_aac.ts", import.meta.url).pathname;
/** Cap on one run's send time, seconds. */
const MAX_SECONDS = 60;
/** Cap on concurrent senders. */
const MAX_SENDERS = 32;

/** One load run's figures. */
export interface SrtBenchRow {
  senders: number;
  seconds: number;
  receivedMbps: number;
  lostPackets: number;
  droppedPackets: number;
  retransmittedPackets: number;
  cpuCorePct: number;
  cpuMsPerMbit: number;
}

/** Runs `n` senders at `mbps` each for `seconds` into a fresh listener. */
export async function runSrtBench(n: number, seconds: number, mbps: number): Promise<SrtBenchRow> {
  const port = freePort("udp");
  let bytes = 0;
  const last = new Map<number, SrtStats>();
  const l = new SrtListener({
    host: "127.0.0.1",
    port,
    latencyMs: 120,
    log: (lv, ev, f) => {
      if (lv === "error") console.error(ev, f);
    },
    admit: () => ({ ok: true }),
    open: (_a, conn) => ({
      data: (chunk) => {
        bytes += chunk.length;
      },
      stats: (s) => last.set(conn.id, s),
      closed: (_r, s) => {
        if (s) last.set(conn.id, s);
      },
    }),
  });
  const started = l.start();
  if (!started.ok) throw new Error(`listener: ${started.reason}`);
  const procs: Deno.ChildProcess[] = [];
  try {
    for (let i = 0; i < n; i++) {
      procs.push(sender(port, mbps, `streamid=bench${i}&`, "inherit"));
    }
    // Measure a steady window: skip the first second (connects, -re start-up burst).
    await new Promise((r) => setTimeout(r, 1000));
    const b0 = bytes, c0 = cpuSelf(), t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const b1 = bytes, c1 = cpuSelf(), t1 = performance.now();
    const wall = (t1 - t0) / 1000;
    const mbit = ((b1 - b0) * 8) / 1e6;
    const cpu = c1 - c0;
    const stats = [...last.values()];
    const sum = (f: (s: SrtStats) => number) => stats.reduce((a, s) => a + f(s), 0);
    return {
      senders: n,
      seconds: Math.round(wall * 10) / 10,
      receivedMbps: Math.round((mbit / wall) * 100) / 100,
      lostPackets: sum((s) => s.packetsLost),
      droppedPackets: sum((s) => s.packetsDropped),
      retransmittedPackets: sum((s) => s.packetsRetransmitted),
      cpuCorePct: Math.round((cpu / wall) * 1000) / 10,
      cpuMsPerMbit: mbit > 0 ? Math.round((cpu * 1000 / mbit) * 100) / 100 : 0,
    };
  } finally {
    await killAll(procs);
    await l.stop();
  }
}

/** One ffmpeg caller looping SRC at `mbps` into port; `query` precedes pkt_size in the URL. */
function sender(
  port: number,
  mbps: number,
  query: string,
  stderr: "inherit" | "null" = "null",
): Deno.ChildProcess {
  return new Deno.Command("ffmpeg", {
    args: [
      ...["-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", SRC],
      ...["-c", "copy", "-f", "mpegts", "-muxrate", String(mbps * 1e6)],
      `srt://127.0.0.1:${port}?${query}pkt_size=1316`,
    ],
    stdout: "null",
    stderr,
  }).spawn();
}

/** SIGKILL every process (those already gone are skipped) and wait for them. */
async function killAll(procs: Deno.ChildProcess[]): Promise<void> {
  for (const p of procs) {
    try {
      p.kill("SIGKILL");
    } catch { /* exited */ }
  }
  await Promise.all(procs.map((p) => p.status));
}

/** One ffmpeg caller into srt-live-transmit; its CPU per received Mbit (undefined if missing). */
export async function runSltBench(seconds: number, mbps: number) {
  const port = freePort("udp");
  const procs: Deno.ChildProcess[] = [];
  let bytes = 0;
  try {
    const slt = new Deno.Command("srt-live-transmit", {
      args: ["-q", `srt://127.0.0.1:${port}?mode=listener&latency=120`, "file://con"],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    procs.push(slt);
    const reading = (async () => {
      for await (const c of slt.stdout) bytes += c.length;
    })().catch(() => {});
    await new Promise((r) => setTimeout(r, 300));
    procs.push(sender(port, mbps, ""));
    await new Promise((r) => setTimeout(r, 1000));
    const b0 = bytes, c0 = cpuOfPid(slt.pid, clockTicks()), t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const b1 = bytes, c1 = cpuOfPid(slt.pid, clockTicks()), wall = (performance.now() - t0) / 1000;
    const mbit = ((b1 - b0) * 8) / 1e6;
    for (const p of procs) p.kill("SIGKILL");
    await reading;
    if (!(mbit > 0)) return undefined;
    return {
      receivedMbps: mbit / wall,
      cpuCorePct: (100 * (c1 - c0)) / wall,
      cpuMsPerMbit: ((c1 - c0) * 1000) / mbit,
    };
  } catch (e) {
    console.warn(`srt-live-transmit: ${e instanceof Error ? e.message : e}`);
    return undefined;
  } finally {
    await killAll(procs);
  }
}

if (import.meta.main) {
  const ns = arg("n", "1,4,8").split(",").map(Number).filter((x) => x >= 1 && x <= MAX_SENDERS);
  const seconds = Math.min(MAX_SECONDS, Math.max(1, Number(arg("seconds", "10"))));
  const mbps = Number(arg("mbps", "8"));
  const rows: SrtBenchRow[] = [];
  for (const n of ns) rows.push(await runSrtBench(n, seconds, mbps));
  const peer = await runSltBench(seconds, mbps);
  for (const r of rows) {
    const one = r.senders === 1 && peer !== undefined;
    emit({
      name: `srt receive ${r.senders}x${mbps}Mb/s cpu`,
      unit: "cpu ms/Mbit",
      sluice: r.cpuMsPerMbit,
      other: one ? peer.cpuMsPerMbit : undefined,
      otherName: one ? "srt-live-transmit" : undefined,
      note: `${r.senders} ffmpeg callers, ${r.seconds} s: received ${r.receivedMbps} Mb/s ` +
        `(${r.cpuCorePct}% core), lost ${r.lostPackets}, dropped ${r.droppedPackets}` +
        (one ? `; srt-live-transmit received ${peer.receivedMbps.toFixed(2)} Mb/s` : ""),
    });
  }
  if (Deno.args.includes("--json")) console.log(JSON.stringify(rows));
  else {
    console.log(`SRT receive, ${mbps} Mb/s per ffmpeg sender, ${seconds} s window`);
    console.table(rows);
  }
}
