/**
 * Outputs: (1) muxer throughput, (2) fan-out cost.
 *
 * (1) TsMuxer on the frames of the generated 1080p30 8 Mb/s H.264 + AAC TS (frames taken
 * once through TsInput, then muxed again and again: warm, best of 3), in MB of input TS
 * per CPU-second, next to `ffmpeg -i in.ts -map 0 -c copy -f mpegts -y /dev/null`
 * (steady: 5x file minus 1x file, bench/_bench.ts steadyPeer).
 *
 * (2) One 8 Mb/s SRT input (ffmpeg -re, the generated TS looped) into a sluice in this
 * process with 1, 10 and 50 UDP outputs (remux, 127.0.0.1, one receiving socket each in
 * a separate process) for a bounded time: this process's CPU (getrusage: JS thread and
 * libsrt's threads) per output-Mbit sent. Peers with the same input in the same run:
 * `srt-live-transmit srt://:P?mode=listener udp://127.0.0.1:Q` (relay, one output) and
 * `ffmpeg -i srt://:P?mode=listener -c copy -f mpegts udp://127.0.0.1:Q` (remux, one
 * output), their CPU from /proc.
 *
 *   deno run --unstable-net --allow-all bench/outputs_bench.ts [--quick] [--n 1,10,50]
 */
import {
  arg,
  benchTmp,
  clockTicks,
  cpuOfPid,
  cpuSelf,
  emit,
  fmt,
  generatedTs,
  isQuick,
  repeated,
  steadyFactor,
  steadyPeer,
} from "./_bench.ts";
import { TsMuxer } from "../lib/container/mpegts/muxer.ts";
import { framesOf } from "../tests/unit/container/mpegts/_mux.ts";
import { startTestServer } from "../tests/e2e/_server.ts";

function freeUdp(): number {
  const s = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const p = (s.addr as Deno.NetAddr).port;
  s.close();
  return p;
}

async function muxBench(path: string, dir: string): Promise<void> {
  const data = Deno.readFileSync(path);
  const mb = data.length / 1e6;
  const { frames } = framesOf(data);
  const once = () => {
    const m = new TsMuxer();
    let n = 0;
    for (const au of frames) n += m.mux(au).length;
    return n;
  };
  once();
  let best = Infinity, out = 0;
  for (let i = 0; i < 3; i++) {
    const c0 = cpuSelf();
    out = once();
    best = Math.min(best, cpuSelf() - c0);
  }
  const k = steadyFactor(data.length);
  const big = await repeated(path, k, `${dir}/outputs_bench_x${k}.ts`);
  const ff = await steadyPeer(
    "ffmpeg",
    (
      p,
    ) => [
      "ffmpeg",
      "-v",
      "error",
      "-i",
      p,
      "-map",
      "0",
      "-c",
      "copy",
      "-f",
      "mpegts",
      "-y",
      "/dev/null",
    ],
    path,
    big,
    (k - 1) * mb,
  ); // deno-fmt-ignore
  await Deno.remove(big).catch(() => {});
  const ours = mb / best;
  console.log(
    `# ${frames.length} frames, ${mb.toFixed(1)} MB in, ${(out / 1e6).toFixed(1)} MB TS out`,
  );
  console.log(`sluice TsMuxer (warm)          ${fmt(ours).padStart(8)} MB/CPU-s`);
  console.log(`ffmpeg -c copy -f mpegts       ${fmt(ff?.mbPerCpuS).padStart(8)} MB/CPU-s (steady)`);
  emit({
    name: "mux frames -> TS warm",
    unit: "MB/CPU-s",
    sluice: ours,
    ffmpeg: ff?.mbPerCpuS,
    note: "ffmpeg also demuxes",
  });
}

/** A child process binding `ports` and discarding what arrives; returns bytes on exit. */
function sinks(ports: number[], seconds: number): Deno.ChildProcess {
  const code = `const ports=${JSON.stringify(ports)};let n=0;const end=Date.now()+${
    (seconds + 8) * 1000
  };
for(const p of ports){const s=Deno.listenDatagram({transport:"udp",hostname:"127.0.0.1",port:p});
(async()=>{const b=new Uint8Array(2048);try{for await(const [d] of s){n+=d.length;}}catch{}})();}
setTimeout(()=>{console.log(n);Deno.exit(0)},end-Date.now());`;
  return new Deno.Command(Deno.execPath(), {
    args: ["eval", "--unstable-net", code],
    stdout: "piped",
    stderr: "null",
  }).spawn();
}

function ffSend(file: string, url: string): Deno.ChildProcess {
  return new Deno.Command("ffmpeg", {
    args: [
      "-v",
      "error",
      "-re",
      "-stream_loop",
      "-1",
      "-i",
      file,
      "-c",
      "copy",
      "-f",
      "mpegts",
      url,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function kill(p: Deno.ChildProcess): Promise<void> {
  try {
    p.kill("SIGKILL");
  } catch { /* gone */ }
  await p.status;
}

async function fanout(
  file: string,
  n: number,
  seconds: number,
): Promise<{ cpuMsPerMbit: number; mbps: number }> {
  const ports = Array.from({ length: n }, () => freeUdp());
  const rx = sinks(ports, seconds);
  await sleep(800);
  const yaml = `outputs:\n${
    ports.map((p, i) => `  - { name: u${i}, stream: cam1, url: "udp://127.0.0.1:${p}" }`).join("\n")
  }\n`;
  const ts = await startTestServer(yaml);
  const tx = ffSend(file, `srt://127.0.0.1:${ts.srtPort}?pkt_size=1316&streamid=cam1`);
  try {
    await sleep(3000); // connected, buffers warm
    const bytes = async () => {
      const o = await ts.get("/api/v1/outputs");
      return (o.outputs as { bytes: number }[]).reduce((a, x) => a + x.bytes, 0);
    };
    const b0 = await bytes(), c0 = cpuSelf(), t0 = performance.now();
    await sleep(seconds * 1000);
    const b1 = await bytes(), c1 = cpuSelf(), wall = (performance.now() - t0) / 1000;
    const mbit = (b1 - b0) * 8 / 1e6;
    return { cpuMsPerMbit: (c1 - c0) * 1000 / mbit, mbps: mbit / wall };
  } finally {
    await kill(tx);
    await ts.stop();
    await kill(rx);
  }
}

async function peerRelay(file: string, cmd: (lp: number, up: number) => string[], seconds: number) {
  const lp = freeUdp(), up = freeUdp();
  const rx = sinks([up], seconds);
  const [bin, ...args] = cmd(lp, up);
  const peer = new Deno.Command(bin, { args, stdout: "null", stderr: "null" }).spawn();
  await sleep(800);
  const tx = ffSend(file, `srt://127.0.0.1:${lp}?pkt_size=1316`);
  try {
    await sleep(3000);
    const tk = clockTicks();
    const c0 = cpuOfPid(peer.pid, tk), t0 = performance.now();
    await sleep(seconds * 1000);
    const c1 = cpuOfPid(peer.pid, tk), wall = (performance.now() - t0) / 1000;
    return { cpu: c1 - c0, wall };
  } finally {
    await kill(tx);
    await kill(peer);
    await kill(rx);
  }
}

if (import.meta.main) {
  const tmp = await benchTmp();
  try {
    const quick = isQuick();
    const path = await generatedTs(tmp.dir, "h264", quick ? 10 : 60);
    await muxBench(path, tmp.dir);
    const seconds = quick ? 4 : 8;
    const ns = arg("n", "1,10,50").split(",").map(Number);
    const rows: { n: number; cpuMsPerMbit: number; mbps: number }[] = [];
    for (const n of ns) rows.push({ n, ...(await fanout(path, n, seconds)) });
    const inMbps = rows[0]?.mbps ?? 8;
    const slt = await peerRelay(
      path,
      (
        lp,
        up,
      ) => [
        "srt-live-transmit",
        "-q",
        `srt://127.0.0.1:${lp}?mode=listener`,
        `udp://127.0.0.1:${up}`,
      ],
      seconds,
    ).catch(() => undefined); // deno-fmt-ignore
    const ff = await peerRelay(path, (lp, up) =>
      ["ffmpeg", "-v", "error", "-i", `srt://127.0.0.1:${lp}?mode=listener`, "-c", "copy", "-f", "mpegts", `udp://127.0.0.1:${up}?pkt_size=1316`], seconds).catch(() => undefined); // deno-fmt-ignore
    // peers relay the input once: output Mbit = input Mbit over the same wall time
    const per = (p?: { cpu: number; wall: number }) => p ? p.cpu * 1000 / (inMbps * p.wall) : undefined;
    for (const r of rows) {
      console.log(
        `sluice ${String(r.n).padStart(2)} UDP outputs: ${fmt(r.mbps)} Mb/s out, ${
          fmt(r.cpuMsPerMbit)
        } CPU ms per output-Mbit`,
      );
      emit({
        name: `fan-out ${r.n} UDP outputs`,
        unit: "CPU ms/Mbit",
        sluice: r.cpuMsPerMbit,
        ffmpeg: per(ff),
        other: per(slt),
        otherName: "srt-live-transmit",
        note: `${fmt(r.mbps)} Mb/s out; peers: one output`,
      });
    }
    console.log(
      `srt-live-transmit relay: ${fmt(per(slt))} CPU ms/Mbit; ffmpeg -c copy remux: ${
        fmt(per(ff))
      }`,
    );
  } finally {
    await tmp.cleanup();
  }
}
