/**
 * Processes of a scale run: sluice started as its own process on a generated config
 * (free loopback ports, limits raised for hundreds of streams), its health polled until
 * it answers, and stopped by PID; CPU and memory of any PID from /proc (proc(5)).
 */
import { clockTicks, cpuOfPid } from "../_bench.ts";
import { freePort, stopChild } from "../../tests/_helpers.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** A free UDP port (RTP takes it and the next one: an even port with a free successor). */
export function freeUdpPort(pair = false): number {
  for (let i = 0; i < 50; i++) {
    const a = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    const p = (a.addr as Deno.NetAddr).port & (pair ? ~1 : ~0);
    a.close();
    try {
      const socks = [Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: p })];
      if (pair) {
        socks.push(Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: p + 1 }));
      }
      socks.forEach((s) => s.close());
      return p;
    } catch { /* taken: try another */ }
  }
  throw new Error("no free UDP port");
}

/** A sluice process. */
export interface SluiceProc {
  pid: number;
  url: string;
  rtpPort: number;
  srtPort: number;
  /** Milliseconds from spawn to the first health answer. */
  readyMs: number;
  get(path: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Options of startSluice. */
export interface SluiceOptions {
  /** ingestion.warmup (default true). */
  warmup?: boolean;
  /** More `ingestion:` keys, YAML lines indented by two spaces. */
  ingestion?: string;
  /** More `rtp:` keys, likewise. */
  rtp?: string;
  /** `srt:` keys, likewise. */
  srt?: string;
  /** Environment of the process (added to this one's). */
  env?: Record<string, string>;
}

/** Starts sluice with a config that sets ports and scale limits. */
export async function startSluice(dir: string, o: SluiceOptions = {}): Promise<SluiceProc> {
  const srtPort = freeUdpPort();
  const rtpPort = freeUdpPort(true);
  const apiPort = freePort("tcp");
  const cfg = `${dir}/scale_${apiPort}.yaml`;
  await Deno.writeTextFile(
    cfg,
    `ingestion:\n  bind: 127.0.0.1\n  srt_port: ${srtPort}\n  rtp_port: ${rtpPort}\n` +
      `  max_connections: 1000\n  warmup: ${o.warmup ?? true}\n${o.ingestion ?? ""}` +
      `api:\n  listen: 127.0.0.1:${apiPort}\nrtp:\n  new_stream_rate: 1000\n${o.rtp ?? ""}` +
      (o.srt ? `srt:\n${o.srt}` : "") +
      `log:\n  level: warn\n`,
  );
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--unstable-net", "--allow-all", MAIN, "--config", cfg],
    stdout: "null",
    stderr: "inherit",
    env: o.env,
  }).spawn();
  const url = `http://127.0.0.1:${apiPort}`;
  const get = async (path: string) => {
    const r = await fetch(url + path, { signal: AbortSignal.timeout(5000) });
    return await r.json() as Record<string, unknown>;
  };
  let readyMs = -1;
  for (let i = 0; i < 300 && readyMs < 0; i++) {
    try {
      await get("/api/v1/health");
      readyMs = performance.now() - t0;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const stop = async () => {
    await stopChild(child, 3000);
    await Deno.remove(cfg).catch(() => {});
  };
  if (readyMs < 0) {
    await stop();
    throw new Error("sluice did not answer /api/v1/health within 6 s");
  }
  return { pid: child.pid, url, rtpPort, srtPort, readyMs, get, stop };
}

/** CPU seconds of a PID (all threads), NaN when it is gone. */
export function cpuOf(pid: number): number {
  return cpuOfPid(pid, clockTicks());
}

/** CPU seconds of each thread of a process, by thread name (proc(5) task/<tid>/comm, stat). */
export function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const e of Deno.readDirSync(`/proc/${pid}/task`)) {
      const name = Deno.readTextFileSync(`/proc/${pid}/task/${e.name}/comm`).trim();
      // task/<tid>/stat is that thread alone (/proc/<pid>/stat sums the process).
      const stat = Deno.readTextFileSync(`/proc/${pid}/task/${e.name}/stat`);
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(`${name}#${e.name}`, (Number(f[11]) + Number(f[12])) / clockTicks());
    }
  } catch { /* process gone */ }
  return out;
}

/** A field of /proc/<pid>/status in bytes (VmRSS, VmHWM), NaN when unreadable. */
export function memOf(pid: number, field: "VmRSS" | "VmHWM" = "VmRSS"): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m")
      .exec(Deno.readTextFileSync(`/proc/${pid}/status`));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Kernel drops of every UDP socket bound to `port` (proc(5) /proc/net/udp), summed. */
export function portDrops(port: number): number {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  let n = 0;
  for (const line of Deno.readTextFileSync("/proc/net/udp").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 12 && f[1].endsWith(hex)) n += Number(f[f.length - 1]);
  }
  return n;
}
