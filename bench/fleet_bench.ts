/**
 * Frames to NATS, side by side with the client library's floor: sluice's frame publisher
 * (lib/fleet/frames.ts: output-queue consumer, headers, one acknowledged publish per video
 * GOP, flushes) against raw `nc.publish(subject, bytes)` of the same message sizes on the
 * same subjects, from the same client (npm:nats), into the same nats-server JetStream
 * stream, in the same run ("nats bench"-style publishing, which is the floor).
 *
 *   deno run --allow-all bench/fleet_bench.ts [--streams 1,25] [--gops N] [--quick]
 *
 * Input: the access units (video + audio) of the generated 1080p30 8 Mb/s H.264 + AAC TS
 * (bench/_bench.ts), parsed once by sluice's TS path. Each round hands one GOP of frames
 * to every stream and waits until all of it has been published and confirmed by the server
 * (sluice: every pump's pendingBytes is 0; raw: one flush), so nothing is dropped and both
 * sides publish exactly the same frames. Figures: frames published per second (wall) and
 * CPU ms of this process (getrusage, all threads) per published Mbit of frame payload;
 * nats-server's CPU over the run (/proc) is in the note. Ratios: sluice / raw.
 */
import { connect, type NatsConnection } from "nats";
import { OutputQueue } from "../lib/buffer/output.ts";
import { FramePump } from "../lib/fleet/frames.ts";
import { BoxNames } from "../lib/fleet/names.ts";
import { framesOf } from "../tests/unit/container/mpegts/_mux.ts";
import type { AccessUnit } from "../lib/core/types.ts";
import type { Stream } from "../lib/stream/stream.ts";
import { startNats, stopNats } from "../tests/e2e/_nats.ts";
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
} from "./_bench.ts";

const BOX = "bench";

/** Access units of a TS file (sluice's TS input, as outputs_bench.ts reads them), by GOP. */
function gopsOf(data: Uint8Array): AccessUnit[][] {
  const gops: AccessUnit[][] = [];
  for (const au of framesOf(data).frames) {
    if (gops.length === 0 || (au.kind === "video" && au.key)) gops.push([]);
    gops[gops.length - 1].push(au);
  }
  return gops;
}

interface Run {
  frames: number;
  bytes: number;
  wallS: number;
  cpuS: number;
  serverCpuS: number;
}

async function measure(
  serverPid: number,
  body: () => Promise<{ frames: number; bytes: number }>,
): Promise<Run> {
  const tck = clockTicks();
  const s0 = cpuOfPid(serverPid, tck);
  const c0 = cpuSelf();
  const t0 = performance.now();
  const { frames, bytes } = await body();
  return {
    frames,
    bytes,
    wallS: (performance.now() - t0) / 1000,
    cpuS: cpuSelf() - c0,
    serverCpuS: cpuOfPid(serverPid, tck) - s0,
  };
}

/** sluice: one output queue + frame pump per stream, fed GOP by GOP. */
async function ours(nc: NatsConnection, gops: AccessUnit[][], streams: number, serverPid: number) {
  const names = new BoxNames(BOX);
  const session = { nc, js: nc.jetstream() };
  const queues = Array.from({ length: streams }, () => new OutputQueue());
  const pumps = queues.map((q, i) =>
    new FramePump({ id: `cam${i}` } as Stream, q, {
      names,
      session: () => session,
      tracks: "all",
      queueBytes: 64 << 20,
    })
  );
  try {
    return await measure(serverPid, async () => {
      for (const gop of gops) {
        for (const q of queues) for (const au of gop) q.publish(au);
        while (pumps.some((p) => p.pendingBytes > 0)) await new Promise((r) => setTimeout(r, 0));
      }
      let frames = 0, bytes = 0;
      for (const p of pumps) {
        frames += p.counts.frames;
        bytes += p.counts.bytes;
        const lost = Object.values(p.counts.dropped).reduce((a, b) => a + b, 0) + p.counts.errors;
        if (lost) throw new Error(`sluice run lost ${lost} frames: ${JSON.stringify(p.counts)}`);
      }
      return { frames, bytes };
    });
  } finally {
    await Promise.all(pumps.map((p) => p.close()));
  }
}

/** Raw: the same payloads on the same subjects, plain publishes, one flush per round. */
async function raw(nc: NatsConnection, gops: AccessUnit[][], streams: number, serverPid: number) {
  const names = new BoxNames(BOX);
  const subjects = Array.from({ length: streams }, () => new Map<number, string>());
  const subject = (i: number, track: number) => {
    let s = subjects[i].get(track);
    if (!s) subjects[i].set(track, s = names.frames(`cam${i}`, track));
    return s;
  };
  return await measure(serverPid, async () => {
    let frames = 0, bytes = 0;
    for (const gop of gops) {
      for (let i = 0; i < streams; i++) {
        for (const au of gop) {
          nc.publish(subject(i, au.trackId), au.data);
          frames++;
          bytes += au.data.length;
        }
      }
      await nc.flush();
    }
    return { frames, bytes };
  });
}

if (import.meta.main) {
  const quick = isQuick();
  const counts = arg("streams", "1,25").split(",").map(Number);
  const { dir, cleanup } = await benchTmp();
  const nats = await startNats();
  try {
    const ts = await generatedTs(dir, "h264", quick ? 10 : 20);
    const all = gopsOf(await Deno.readFile(ts));
    const gopsWanted = Number(arg("gops", quick ? "4" : "10"));
    console.log(
      `${all.length} GOPs of ${all[0].length} frames parsed; publishing ${gopsWanted} per stream`,
    );
    const nc = await connect({ servers: nats.url });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({
      name: new BoxNames(BOX).framesStream,
      subjects: [new BoxNames(BOX).allFrames],
      max_bytes: 2 * 1024 ** 3,
      max_age: 60e9,
    });
    // warm-up (JIT, connection), not measured
    await ours(nc, all.slice(0, 1), 1, nats.peer.child.pid);
    await raw(nc, all.slice(0, 1), 1, nats.peer.child.pid);
    console.log("streams  who     frames/s   Mbit/s  cpu ms/Mbit  server cpu ms/Mbit");
    for (const n of counts) {
      const gops: AccessUnit[][] = [];
      for (let i = 0; gops.length < gopsWanted; i++) gops.push(all[(i + 1) % all.length]);
      const a = await ours(nc, gops, n, nats.peer.child.pid);
      await jsm.streams.purge(new BoxNames(BOX).framesStream);
      const b = await raw(nc, gops, n, nats.peer.child.pid);
      await jsm.streams.purge(new BoxNames(BOX).framesStream);
      const fig = (r: Run) => ({
        fps: r.frames / r.wallS,
        mbit: (r.bytes * 8) / 1e6,
        cpuPerMbit: (1000 * r.cpuS) / ((r.bytes * 8) / 1e6),
        serverPerMbit: (1000 * r.serverCpuS) / ((r.bytes * 8) / 1e6),
      });
      const fa = fig(a), fb = fig(b);
      for (const [who, f] of [["sluice", fa], ["raw", fb]] as const) {
        console.log(
          `${String(n).padStart(7)}  ${who.padEnd(6)} ${fmt(f.fps).padStart(9)} ${
            fmt(f.mbit / (who === "sluice" ? a.wallS : b.wallS)).padStart(8)
          } ` +
            `${fmt(f.cpuPerMbit).padStart(12)} ${fmt(f.serverPerMbit).padStart(19)}`,
        );
      }
      const note = `${n} x ${gopsWanted} GOPs of 1080p30 8 Mb/s H.264+AAC, ${a.frames} frames, ` +
        `${fmt(fa.mbit)} Mbit; nats-server cpu ms/Mbit sluice ${fmt(fa.serverPerMbit)} raw ${
          fmt(fb.serverPerMbit)
        }`;
      emit({
        name: `fleet ${n} stream${n > 1 ? "s" : ""} publish rate`,
        unit: "frames/s",
        sluice: fa.fps,
        other: fb.fps,
        otherName: "raw nc.publish",
        note,
      });
      emit({
        name: `fleet ${n} stream${n > 1 ? "s" : ""} publish cpu`,
        unit: "CPU ms/Mbit",
        sluice: fa.cpuPerMbit,
        other: fb.cpuPerMbit,
        otherName: "raw nc.publish",
        note,
      });
    }
    await nc.close();
  } finally {
    await stopNats(nats);
    await cleanup();
  }
}
