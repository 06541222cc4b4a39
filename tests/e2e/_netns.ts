/**
 * A throwaway network namespace for tests whose traffic must stay on this machine even
 * where the host would route it out (multicast leaves through the default interface):
 * `ip netns add`, only `lo` inside (up, multicast on), commands run in it with
 * `ip netns exec NAME` (which execs the command: the child's PID is the command's own),
 * HTTP requests into it with curl. `remove()` deletes it; the caller stops its processes
 * first (by PID) and calls it in `finally`.
 * Policy: without root or without `ip`/`unshare` the tests skip with the reason printed,
 * also under CI=true (the box, not sluice, lacks the feature); once a namespace could be
 * made, every failure inside it is the test's.
 */

/** A namespace made by `createNetns`. */
export interface Netns {
  name: string;
  /** `cmd args` wrapped to run inside the namespace (program + arguments for Deno.Command). */
  wrap(cmd: string, args: string[]): [string, string[]];
  /** Runs a command inside; throws with its stderr when it fails. */
  run(cmd: string, args: string[]): Promise<void>;
  /** GET `url` from inside the namespace (curl); status and body. */
  get(url: string): Promise<{ status: number; body: string }>;
  /** Deletes the namespace (idempotent). */
  remove(): Promise<void>;
}

let reason: string | undefined | null = null;

/** Why namespaces cannot be made here (checked once: `unshare --net true`), or undefined. */
export function netnsUnavailable(): string | undefined {
  if (reason !== null) return reason;
  reason = undefined;
  if (Deno.uid() !== 0) reason = "network namespaces need root";
  else {
    for (const [cmd, args] of [["ip", ["-V"]], ["unshare", ["--net", "true"]]] as const) {
      try {
        const r = new Deno.Command(cmd, { args: [...args], stdout: "null", stderr: "piped" })
          .outputSync();
        if (!r.success) {
          reason = `${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(r.stderr).trim()}`;
        }
      } catch {
        reason = `${cmd} is not installed`;
      }
      if (reason) break;
    }
  }
  return reason;
}

/** `ignore` value for Deno.test: true (with the reason printed) when namespaces are unavailable. */
export function noNetns(): boolean {
  const r = netnsUnavailable();
  if (r) console.warn(`skipping: ${r}`);
  return r !== undefined;
}

async function exec(cmd: string, args: string[]): Promise<void> {
  const r = await new Deno.Command(cmd, {
    args,
    stdout: "null",
    stderr: "piped",
    signal: AbortSignal.timeout(10_000),
  }).output();
  if (!r.success) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(r.stderr).trim()}`);
  }
}

/** Creates `sluice-<tag>-<pid>` with `lo` up and multicast-capable; nothing else inside. */
export async function createNetns(tag: string): Promise<Netns> {
  const name = `sluice-${tag}-${Deno.pid}`;
  await exec("ip", ["netns", "add", name]);
  let removed = false;
  const ns: Netns = {
    name,
    wrap: (cmd, args) => ["ip", ["netns", "exec", name, cmd, ...args]],
    run: (cmd, args) => exec("ip", ["netns", "exec", name, cmd, ...args]),
    async get(url) {
      const r = await new Deno.Command("ip", {
        args: ["netns", "exec", name, "curl", "-s", "-m", "5", "-w", "\n%{http_code}", url],
        stdout: "piped",
        stderr: "null",
      }).output();
      const text = new TextDecoder().decode(r.stdout);
      const cut = text.lastIndexOf("\n");
      return { status: Number(text.slice(cut + 1)) || 0, body: text.slice(0, cut) };
    },
    async remove() {
      if (removed) return;
      removed = true;
      await exec("ip", ["netns", "delete", name]);
    },
  };
  try {
    await ns.run("ip", ["link", "set", "lo", "up"]);
    await ns.run("ip", ["link", "set", "lo", "multicast", "on"]);
  } catch (e) {
    await ns.remove();
    throw e;
  }
  return ns;
}
