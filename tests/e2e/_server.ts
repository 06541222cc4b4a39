/** Starts sluice in the test process on free loopback ports. */
import { parseConfig } from "@lib/config/load.ts";
import { createLogger } from "@lib/core/log.ts";
import { type Server, startServer } from "@lib/app/server.ts";
import { freePort, stopChild } from "@tests/_helpers.ts";
import type { Netns } from "./_netns.ts";

/** A running in-process sluice. */
export interface TestServer {
  server: Server;
  url: string;
  srtPort: number;
  rtpPort: number;
  logs: string[];
  get(path: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** An even free UDP port whose successor is also free (RTP + RTCP). */
function rtpPortPair(): number {
  for (let i = 0; i < 50; i++) {
    const p = freePort("udp") & ~1;
    try {
      const a = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: p });
      const b = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: p + 1 });
      a.close();
      b.close();
      return p;
    } catch { /* taken, try another */ }
  }
  throw new Error("no free RTP port pair");
}

/** Starts a server; `yaml` is appended to a config that sets loopback ports. */
export async function startTestServer(yaml = ""): Promise<TestServer> {
  const srtPort = freePort("udp");
  const rtpPort = rtpPortPair();
  const base =
    `ingestion:\n  bind: 127.0.0.1\n  srt_port: ${srtPort}\n  rtp_port: ${rtpPort}\napi:\n  listen: 127.0.0.1:0\n`;
  const cfg = parseConfig(mergeYaml(base, yaml));
  const logs: string[] = [];
  const server = await startServer(cfg, createLogger("debug", "text", (l) => logs.push(l)));
  const url = `http://${server.apiAddress}`;
  return {
    server,
    url,
    srtPort,
    rtpPort,
    logs,
    async get(path) {
      const r = await fetch(url + path);
      return await r.json();
    },
    stop: () => server.stop(),
  };
}

/** Appends top-level sections; keys of `ingestion:`/`api:` in `extra` go into the base ones. */
function mergeYaml(base: string, extra: string): string {
  let out = base;
  const sections = extra.split(/\n(?=\S)/).filter((s) => s.trim());
  for (const sec of sections) {
    const head = sec.split("\n")[0];
    if (head === "ingestion:" || head === "api:") {
      out = out.replace(`${head}\n`, `${head}\n${sec.split("\n").slice(1).join("\n")}\n`);
    } else out += sec + "\n";
  }
  return out;
}

/** Polls `fn` until it returns a truthy value or `ms` pass. */
export async function until<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  ms = 10_000,
): Promise<T | undefined> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

/** Sample lines of an exposition are unique (Prometheus rejects duplicate series). */
export function assertNoDuplicateSeries(text: string): void {
  const seen = new Set<string>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const series = line.slice(0, line.lastIndexOf(" "));
    if (seen.has(series)) throw new Error(`duplicate series in /metrics: ${series}`);
    seen.add(series);
  }
}

const root = new URL("../../", import.meta.url).pathname;

/** The `start` task's `deno run ... main.ts` arguments (deno.json), without the task runner. */
function startTaskArgs(): string[] {
  const cfg = JSON.parse(Deno.readTextFileSync(`${root}deno.json`));
  return (cfg.tasks.start as string).split(/\s+/).slice(1);
}

/**
 * `deno task -q start ARGS` as a command (stdout/stderr piped), inside `netns` if given;
 * `direct`: the task's `deno run` line itself, so that a signal reaches sluice and not a
 * task runner (a SIGKILL to the runner leaves a hung sluice behind).
 */
export function sluiceCommand(
  args: string[],
  env: Record<string, string> = {},
  netns?: Netns,
  direct = false,
): Deno.Command {
  const argv = direct ? [...startTaskArgs(), ...args] : ["task", "-q", "start", ...args];
  const [cmd, full] = netns ? netns.wrap(Deno.execPath(), argv) : [Deno.execPath(), argv];
  return new Deno.Command(cmd, {
    args: full,
    cwd: root,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

/** A sluice subprocess on free loopback ports with a config file it reloads on SIGHUP. */
export interface SluiceProcess {
  child: Deno.ChildProcess;
  url: string;
  srtPort: number;
  rtpPort: number;
  apiPort: number;
  cfgFile: string;
  get(path: string): Promise<Record<string, unknown>>;
  /** Rewrites the config (base + `yaml`), sends SIGHUP, waits for its config.reloaded line. */
  reload(yaml: string): Promise<void>;
  /** stderr lines so far. */
  lines(): string[];
  /** SIGTERM, wait, remove the config; returns the exit code. Idempotent. */
  stop(): Promise<number>;
}

/**
 * Starts `sluice --config FILE` (base loopback ports + `yaml`) and waits for /health; with
 * `netns` it runs inside that namespace (tests/e2e/_netns.ts) and `get` goes through curl.
 */
export async function spawnSluice(
  yaml = "",
  ports: { api?: number; srt?: number; rtp?: number; netns?: Netns; direct?: boolean } = {},
): Promise<SluiceProcess> {
  const apiPort = ports.api ?? freePort("tcp");
  const srtPort = ports.srt ?? freePort("udp");
  const rtpPort = ports.rtp ?? rtpPortPair();
  const base = `ingestion:\n  bind: 127.0.0.1\n  srt_port: ${srtPort}\n  rtp_port: ${rtpPort}\n` +
    `api:\n  listen: 127.0.0.1:${apiPort}\n`;
  const cfgFile = await Deno.makeTempFile({ suffix: ".yaml" });
  await Deno.writeTextFile(cfgFile, mergeYaml(base, yaml));
  const child = sluiceCommand(["--config", cfgFile], {}, ports.netns, ports.direct).spawn();
  const err: string[] = [];
  let partial = "";
  const reading = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of child.stderr) {
      partial += dec.decode(chunk, { stream: true });
      const parts = partial.split("\n");
      partial = parts.pop()!;
      err.push(...parts);
    }
    if (partial) err.push(partial);
  })();
  const url = `http://127.0.0.1:${apiPort}`;
  const ns = ports.netns;
  const request = async (path: string): Promise<{ status: number; body: string }> => {
    if (ns) return await ns.get(url + path);
    const r = await fetch(url + path);
    return { status: r.status, body: await r.text() };
  };
  let stopped: Promise<number> | undefined;
  const proc: SluiceProcess = {
    child,
    url,
    srtPort,
    rtpPort,
    apiPort,
    cfgFile,
    async get(path) {
      return JSON.parse((await request(path)).body);
    },
    async reload(extra) {
      const before = err.filter((l) => l.includes("config.reload")).length;
      await Deno.writeTextFile(cfgFile, mergeYaml(base, extra));
      child.kill("SIGHUP");
      const ok = await until(() => err.filter((l) => l.includes("config.reload")).length > before);
      if (!ok) throw new Error("no config.reloaded line within 10 s");
    },
    lines: () => [...err],
    stop() {
      stopped ??= (async () => {
        const st = await stopChild(child, 5000);
        await child.stdout.cancel().catch(() => {});
        await reading.catch(() => {});
        await Deno.remove(cfgFile).catch(() => {});
        return st.code;
      })();
      return stopped;
    },
  };
  const up = await until(async () => {
    try {
      const { status } = await request("/api/v1/health");
      return status >= 200 && status < 300;
    } catch {
      return false;
    }
  }, 20_000);
  if (!up) {
    await proc.stop();
    throw new Error(`sluice did not become healthy within 20 s:\n${err.join("\n")}`);
  }
  return proc;
}

/** A sender's UDP pair on 127.0.0.1: an even RTP port and RTP + 1 for its RTCP. */
export function senderPorts(): [Deno.DatagramConn, Deno.DatagramConn] {
  for (let i = 0; i < 50; i++) {
    const a = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    const p = (a.addr as Deno.NetAddr).port;
    if (p % 2 === 0) {
      try {
        return [a, Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: p + 1 })];
      } catch { /* taken */ }
    }
    a.close();
  }
  throw new Error("no free port pair");
}
