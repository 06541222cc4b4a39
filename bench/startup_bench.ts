/**
 * Cold start: the time from spawning sluice to `/api/v1/health` answering 200, median
 * of 10 fresh processes (3 with --quick), each on a config with its own free loopback
 * ports. `deno task start` stands in for the compiled executable (whose runtime cannot
 * be downloaded here); `deno run main.ts` with the same flags shows what the task
 * runner adds, and a first run with an empty code cache (fresh DENO_DIR, npm packages
 * linked from the usual cache) what a first start after an update costs.
 *
 * Side by side, same run, same method: the floor (a bare `Deno.serve` answering the
 * health path: what the runtime alone costs) and, for "SRT port bound" (the UDP port
 * appearing in /proc/net/udp), srt-live-transmit listening on its own.
 *
 *   deno run --unstable-net --allow-all bench/startup_bench.ts [--quick] [--runs N]
 *
 * Nothing here asserts a timing.
 */
import { arg, benchTmp, emit, fmt, isQuick, median } from "./_bench.ts";
import { freePort, hasProgram, stopChild } from "../tests/_helpers.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const deno = Deno.execPath();
const startTask: string = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`)).tasks.start;
const startFlags = startTask.split(/\s+/).filter((a) => a.startsWith("--"));
const TIMEOUT_MS = 15_000;
const POLL_MS = 2;

interface Ports {
  api: number;
  srt: number;
  rtp: number;
}

function freshPorts(): Ports {
  const srt = freePort("udp");
  let rtp = freePort("udp") & ~1;
  if (rtp === srt || rtp + 1 === srt) rtp = (srt + 2) & ~1;
  return { api: freePort("tcp"), srt, rtp };
}

/** True when a UDP socket is bound to `port` (any address), per /proc/net/udp{,6}. */
function udpBound(port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")} `;
  for (const f of ["/proc/net/udp", "/proc/net/udp6"]) {
    try {
      if (Deno.readTextFileSync(f).split("\n").some((l) => l.slice(0, 64).includes(hex))) {
        return true;
      }
    } catch { /* no IPv6 table */ }
  }
  return false;
}

async function healthy(port: number): Promise<boolean> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/api/v1/health`, {
      signal: AbortSignal.timeout(500),
    });
    await r.body?.cancel();
    return r.ok;
  } catch {
    return false;
  }
}

/** One timed start: ms to `ready`, and ms to the UDP port `udp` bound (when given). */
async function startOnce(
  cmd: string[],
  ready: () => Promise<boolean> | boolean,
  udp?: number,
  env?: Record<string, string>,
): Promise<{ readyMs: number; udpMs?: number }> {
  const t0 = performance.now();
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let udpMs: number | undefined;
  let readyMs = Number.NaN;
  try {
    while (performance.now() - t0 < TIMEOUT_MS) {
      if (udp !== undefined && udpMs === undefined && udpBound(udp)) udpMs = performance.now() - t0;
      if (await ready()) {
        readyMs = performance.now() - t0;
        break;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    await stopChild(child, 3000);
  }
  if (Number.isNaN(readyMs)) throw new Error(`${cmd.join(" ")}: not ready in ${TIMEOUT_MS} ms`);
  return { readyMs, udpMs };
}

function spread(xs: number[]): string {
  return `min ${fmt(Math.min(...xs))} ms, max ${fmt(Math.max(...xs))} ms, n=${xs.length}`;
}

/** A start command for a config file and its ports. */
type Variant = (cfg: string, p: Ports) => { cmd: string[]; env?: Record<string, string> };

/**
 * Runs every variant once per round, `n` rounds (interleaved, so a change in machine
 * load hits them alike), each start on a fresh config and ports; returns the times.
 */
async function rounds(
  n: number,
  dir: string,
  variants: Record<string, Variant>,
): Promise<Record<string, { ready: number[]; udp: number[] }>> {
  const out: Record<string, { ready: number[]; udp: number[] }> = {};
  for (const name of Object.keys(variants)) out[name] = { ready: [], udp: [] };
  for (let i = 0; i < n; i++) {
    for (const [name, make] of Object.entries(variants)) {
      const p = freshPorts();
      const cfg = `${dir}/startup-${p.api}.yaml`;
      await Deno.writeTextFile(
        cfg,
        `ingestion:\n  bind: 127.0.0.1\n  srt_port: ${p.srt}\n  rtp_port: ${p.rtp}\n` +
          `api:\n  listen: 127.0.0.1:${p.api}\nlog:\n  level: warn\n`,
      );
      const { cmd, env } = make(cfg, p);
      const r = await startOnce(cmd, () => healthy(p.api), p.srt, env);
      out[name].ready.push(r.readyMs);
      if (r.udpMs !== undefined) out[name].udp.push(r.udpMs);
    }
  }
  return out;
}

/** Medians of bench/startup_phases.ts over n fresh processes, plus the yaml ES module build. */
async function phases(n: number, dir: string): Promise<Record<string, number>> {
  const info = JSON.parse(
    new TextDecoder().decode(
      new Deno.Command(deno, { args: ["info", "--json"], stdout: "piped" }).outputSync().stdout,
    ),
  );
  const yamlDir = `${info.npmCache}/registry.npmjs.org/yaml`;
  const version = [...Deno.readDirSync(yamlDir)].map((e) => e.name).find((v) => /^\d/.test(v));
  const esm = `${dir}/yaml_esm.ts`;
  await Deno.writeTextFile(
    esm,
    `const t = performance.now();\n` +
      `await import("file://${yamlDir}/${version}/browser/index.js");\n` +
      `console.log(JSON.stringify({ yamlEsmBuild: performance.now() - t }));\n`,
  );
  const all: Record<string, number[]> = {};
  const p = freshPorts();
  const cfg = `${dir}/phases.yaml`;
  await Deno.writeTextFile(
    cfg,
    `ingestion:\n  bind: 127.0.0.1\n  srt_port: ${p.srt}\n  rtp_port: ${p.rtp}\n` +
      `api:\n  listen: 127.0.0.1:0\n`,
  );
  for (let i = 0; i < n; i++) {
    for (const args of [["bench/startup_phases.ts", cfg], [esm]]) {
      const out = await new Deno.Command(deno, {
        args: ["run", "--unstable-net", "--allow-all", ...args],
        cwd: ROOT,
        stdout: "piped",
        stderr: "null",
      }).output();
      const line = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "{}";
      for (const [k, v] of Object.entries(JSON.parse(line) as Record<string, number>)) {
        (all[k] ??= []).push(v);
      }
    }
  }
  return Object.fromEntries(Object.entries(all).map(([k, xs]) => [k, median(xs)]));
}

if (import.meta.main) {
  const n = Number(arg("runs", isQuick() ? "3" : "10"));
  const { dir, cleanup } = await benchTmp();
  try {
    const floorFile = `${dir}/floor.ts`;
    await Deno.writeTextFile(
      floorFile,
      `const port = Number(Deno.args[0]);\n` +
        `Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, () =>\n` +
        `  Response.json({ status: "ok" }));\n`,
    );
    const npmCache: string = JSON.parse(
      new TextDecoder().decode(
        new Deno.Command(deno, { args: ["info", "--json"], stdout: "piped" }).outputSync().stdout,
      ),
    ).npmCache;
    const r = await rounds(n, dir, {
      floor: (_cfg, p) => ({ cmd: [deno, "run", "--allow-net", floorFile, String(p.api)] }),
      task: (cfg) => ({ cmd: [deno, "task", "-q", "start", "--config", cfg] }),
      run: (cfg) => ({ cmd: [deno, "run", ...startFlags, "main.ts", "--config", cfg] }),
      // First start with no code cache: a fresh DENO_DIR each time, npm packages linked in.
      first: (cfg, p) => {
        const dd = `${dir}/deno-dir-${p.api}`;
        Deno.mkdirSync(dd);
        Deno.symlinkSync(npmCache, `${dd}/npm`);
        return {
          cmd: [deno, "run", ...startFlags, "main.ts", "--config", cfg],
          env: { DENO_DIR: dd },
        };
      },
    });
    const floorMs = median(r.floor.ready);
    const rows: [string, number[]][] = [
      ["deno task start", r.task.ready],
      ["deno run main.ts", r.run.ready],
      ["deno run main.ts, empty code cache", r.first.ready],
    ];
    for (const [name, xs] of rows) {
      emit({
        name: `startup: spawn -> /api/v1/health 200, ${name} (median)`,
        unit: "ms",
        sluice: median(xs),
        other: floorMs,
        otherName: "bare Deno.serve",
        note: `${spread(xs)}; floor ${spread(r.floor.ready)}`,
      });
    }
    const slt: number[] = [];
    if (hasProgram("srt-live-transmit")) {
      for (let i = 0; i < n; i++) {
        const port = freePort("udp");
        const s = await startOnce(
          ["srt-live-transmit", "-q", `srt://:${port}?mode=listener`, "file://con"],
          () => udpBound(port),
        );
        slt.push(s.readyMs);
      }
    }
    emit({
      name: "startup: spawn -> SRT UDP port bound, deno task start (median)",
      unit: "ms",
      sluice: median(r.task.udp),
      other: slt.length ? median(slt) : undefined,
      otherName: slt.length ? "srt-live-transmit" : undefined,
      note: `${spread(r.task.udp)}${slt.length ? `; srt-live-transmit ${spread(slt)}` : ""}`,
    });
    const ph = await phases(n, dir);
    for (const [k, v] of Object.entries(ph)) {
      emit({
        name: `startup phase (median of ${n}, bench/startup_phases.ts): ${k}`,
        unit: "ms",
        sluice: v,
      });
    }
  } finally {
    await cleanup();
  }
}
