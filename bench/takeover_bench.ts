/**
 * Restart gap of an SRT publisher (issue 16): ffmpeg loops a fixture into the receiver
 * with -re, is SIGKILLed, and 0.5 s later an encoder that retries on failure (ffmpeg again,
 * respawned 100 ms after each exit) starts; the gap is the time from the restart to the
 * first bytes of the new session at the receiver. Side by side in one run: sluice with the
 * takeover (srt.takeover_after 400 ms), sluice without it (takeover_after 10 min: refused
 * with 1409 until libsrt drops the dead peer, srt.peer_idle_timeout 5 s) and
 * srt-live-transmit as a listener writing to stdout. Nothing is asserted.
 *
 *   deno run --unstable-net --allow-all bench/takeover_bench.ts [--rounds 3]
 */
import { arg, emit } from "./_bench.ts";
import { freePort } from "../tests/_helpers.ts";
import { parseConfig } from "../lib/config/load.ts";
import { createLogger } from "../lib/core/log.ts";
import { startServer } from "../lib/app/server.ts";

const FIXTURE = new URL("../tests/fixtures/ts/h264_aac.ts", import.meta.url).pathname;
const KILL_TO_RESTART_MS = 500;
const BOUND_MS = 15_000;

function ffmpeg(port: number): Deno.ChildProcess {
  const url = `srt://127.0.0.1:${port}?streamid=bench&pkt_size=1316`;
  return new Deno.Command("ffmpeg", {
    args: [
      "-hide_banner",
      "-loglevel",
      "quiet",
      "-re",
      "-stream_loop",
      "-1",
      "-i",
      FIXTURE,
      "-c",
      "copy",
      "-f",
      "mpegts",
      url,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A receiver under test: `bytes()` counts what it received so far. */
interface Receiver {
  port: number;
  bytes(): number;
  stop(): Promise<void>;
}

async function sluice(takeoverAfter: string): Promise<Receiver> {
  const port = freePort("udp");
  const cfg = parseConfig(
    `ingestion:\n  bind: 127.0.0.1\n  srt_port: ${port}\n  rtp_port: ${freePort("udp") & ~1}\n` +
      `api:\n  listen: 127.0.0.1:0\nsrt:\n  takeover_after: ${takeoverAfter}\n`,
  );
  const server = await startServer(cfg, createLogger("error", "text", () => {}));
  return {
    port,
    bytes: () => server.manager.get("bench")?.bytes ?? 0,
    stop: () => server.stop(),
  };
}

function srtLiveTransmit(): Receiver {
  const port = freePort("udp");
  const child = new Deno.Command("srt-live-transmit", {
    args: [`srt://127.0.0.1:${port}?mode=listener`, "file://con", "-q"],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let n = 0;
  const reading = (async () => {
    for await (const c of child.stdout) n += c.length;
  })();
  return {
    port,
    bytes: () => n,
    async stop() {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
      await child.status;
      await reading.catch(() => {});
    },
  };
}

/** One kill-and-restart: ms from the restart to the new session's first bytes (-1: none). */
async function gap(r: Receiver): Promise<{ ms: number; attempts: number }> {
  let pub = ffmpeg(r.port);
  const t0 = performance.now();
  while (r.bytes() < 200_000 && performance.now() - t0 < BOUND_MS) await sleep(20);
  pub.kill("SIGKILL");
  await pub.status;
  await sleep(KILL_TO_RESTART_MS);
  const before = r.bytes();
  const start = performance.now();
  let attempts = 1;
  pub = ffmpeg(r.port);
  let exited = false;
  pub.status.then(() => exited = true);
  try {
    while (performance.now() - start < BOUND_MS) {
      if (r.bytes() > before) return { ms: performance.now() - start, attempts };
      if (exited) {
        await sleep(100); // the encoder retries after a failed connect
        attempts++;
        pub = ffmpeg(r.port);
        exited = false;
        pub.status.then(() => exited = true);
      }
      await sleep(10);
    }
    return { ms: -1, attempts };
  } finally {
    try {
      pub.kill("SIGKILL");
    } catch { /* gone */ }
    await pub.status;
  }
}

async function median(make: () => Promise<Receiver> | Receiver, rounds: number) {
  const ms: number[] = [];
  let attempts = 0;
  for (let i = 0; i < rounds; i++) {
    const r = await make();
    try {
      const g = await gap(r);
      ms.push(g.ms);
      attempts += g.attempts;
    } finally {
      await r.stop();
    }
  }
  ms.sort((a, b) => a - b);
  return { ms: ms[Math.floor(ms.length / 2)], all: ms, attempts };
}

const rounds = Number(arg("rounds", "3"));
const withTakeover = await median(() => sluice("400ms"), rounds);
const without = await median(() => sluice("10m"), rounds);
const slt = await median(() => srtLiveTransmit(), rounds);
emit({
  name: "srt restart gap (kill, restart 0.5 s later)",
  unit: "ms",
  sluice: withTakeover.ms,
  other: slt.ms,
  otherName: "srt-live-transmit",
  note: `median of ${rounds}; sluice ${withTakeover.all.map(Math.round)} ` +
    `(${withTakeover.attempts} connects), sluice without takeover ${without.all.map(Math.round)} ` +
    `(${without.attempts} connects), srt-live-transmit ${slt.all.map(Math.round)} ` +
    `(${slt.attempts} connects); -1 = no data within ${BOUND_MS / 1000} s`,
});
