/** Starts sluice in the test process on free loopback ports. */
import { parseConfig } from "@lib/config/config.ts";
import { createLogger } from "@lib/core/log.ts";
import { type Server, startServer } from "@lib/app/server.ts";
import { freePort } from "@tests/_helpers.ts";

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
