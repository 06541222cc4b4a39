/**
 * Real nats-server processes for the fleet tests: one server with JetStream on a free
 * loopback port and its own store dir, restartable on the same port and dir, or a
 * three-node cluster with routes; certificates for TLS; reading a JetStream stream back.
 * Every process is stopped by its PID (spawn/Peer from srt_harness.ts); `stopNats()` also
 * removes the store dirs.
 */
import type { JetStreamClient, JsMsg } from "nats";
import { freePort } from "@tests/_helpers.ts";
import { type Peer, sleep, spawn } from "./srt_harness.ts";

/** One nats-server. */
export interface NatsServer {
  port: number;
  url: string;
  dir: string;
  peer: Peer;
  /** Kills the process (SIGKILL by PID) and waits for it. */
  kill(): Promise<void>;
  /** Starts it again on the same port and store dir. */
  restart(): Promise<void>;
}

/** Waits until something accepts TCP connections on `port` (at most `ms`). */
export async function waitPort(port: number, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`);
}

/**
 * Starts `nats-server -js -a 127.0.0.1 -p <port> -sd <dir> ...extra` (without `-js` when
 * `jetstream` is false).
 */
export async function startNats(
  extra: string[] = [],
  port = freePort(),
  jetstream = true,
): Promise<NatsServer> {
  const dir = await Deno.makeTempDir({ prefix: "sluice_nats_" });
  const args = [...(jetstream ? ["-js"] : []), "-a", "127.0.0.1", "-p", String(port)]
    .concat(["-sd", dir, ...extra]);
  const s: NatsServer = {
    port,
    url: `nats://127.0.0.1:${port}`,
    dir,
    peer: spawn("nats-server", args),
    async kill() {
      s.peer.kill("SIGKILL");
      await s.peer.status;
    },
    async restart() {
      await s.kill();
      s.peer = spawn("nats-server", args);
      await waitPort(port);
    },
  };
  try {
    await waitPort(port);
  } catch (e) {
    await s.kill();
    throw new Error(`${(e as Error).message}; nats-server said: ${await s.peer.stderr}`);
  }
  return s;
}

/** Kills every server and removes their store dirs. */
export async function stopNats(...servers: (NatsServer | undefined)[]): Promise<void> {
  for (const s of servers) {
    if (!s) continue;
    await s.kill();
    await Deno.remove(s.dir, { recursive: true }).catch(() => {});
  }
}

/** Three nats-servers with JetStream clustered over routes on free ports. */
export async function startCluster(n = 3): Promise<NatsServer[]> {
  const routePorts = Array.from({ length: n }, () => freePort());
  const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`).join(",");
  const servers: NatsServer[] = [];
  try {
    for (let i = 0; i < n; i++) {
      servers.push(
        await startNats([
          "--name",
          `n${i + 1}`,
          "--cluster_name",
          "sluicetest",
          "--cluster",
          `nats://127.0.0.1:${routePorts[i]}`,
          "--routes",
          routes,
        ]),
      );
    }
  } catch (e) {
    await stopNats(...servers);
    throw e;
  }
  return servers;
}

/** A private CA and a server certificate for `localhost` (openssl), in `dir`. */
export async function makeCerts(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const run = async (...args: string[]) => {
    const r = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" })
      .output();
    if (!r.success) throw new Error(`openssl ${args[0]}: ${new TextDecoder().decode(r.stderr)}`);
  };
  await Deno.writeTextFile(`${dir}/ext.cnf`, "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  await run(
    ...["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2"],
    ...["-subj", "/CN=sluice test CA"],
  );
  await run("req", ...ec, "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1");
  await run(
    ...["x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial"],
    ...["-out", "srv.pem", "-days", "2", "-extfile", "ext.cnf"],
  );
  return { ca: `${dir}/ca.pem`, cert: `${dir}/srv.pem`, key: `${dir}/srv.key` };
}

/**
 * Every message of a JetStream stream (of `subject` when given) from `startSeq`, oldest
 * first, through an ordered consumer; at most 100 fetches.
 */
export async function readStream(
  js: JetStreamClient,
  stream: string,
  subject?: string,
  startSeq?: number,
): Promise<JsMsg[]> {
  const c = await js.consumers.get(stream, {
    ...(subject ? { filterSubjects: subject } : {}),
    ...(startSeq ? { opt_start_seq: startSeq } : {}),
  });
  const out: JsMsg[] = [];
  for (let round = 0; round < 100; round++) {
    let last: JsMsg | undefined;
    for await (const m of await c.fetch({ max_messages: 1000, expires: 1000 })) out.push(last = m);
    if (!last || last.info.pending === 0) break;
  }
  return out;
}
