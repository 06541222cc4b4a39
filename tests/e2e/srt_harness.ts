/**
 * Shared harness for the SRT end-to-end tests: a real SrtListener in the test process
 * that records what each stream's sink receives, and bounded runs of peer programs
 * (killed by PID when they overrun).
 */

import assert from "node:assert/strict";
import { SrtListener } from "@lib/transport/srt/listener.ts";
import type { SrtListenerOptions } from "@lib/transport/srt/listener_options.ts";
import { freePort } from "@tests/_helpers.ts";
import { concatBytes } from "@lib/core/bits.ts";
import type { SrtAdmission } from "@lib/transport/srt/connection.ts";
import type { SrtStats } from "@lib/transport/srt/stats.ts";
import type { AdmitResult } from "@lib/transport/srt/admission.ts";

/** What one connection's sink saw. */
export interface Captured {
  admission: SrtAdmission;
  chunks: Uint8Array[];
  stats: SrtStats[];
  closed?: { reason: string; last: SrtStats | undefined };
  /** How many times sink.closed was called (must end at 1). */
  closedCalls: number;
  done: Promise<void>;
}

/** A listener under test with its recordings. */
export interface Harness {
  listener: SrtListener;
  port: number;
  captured: Captured[];
  logs: string[];
}

/** Starts a listener on a free UDP port; `admit` defaults to accepting everything. */
export function startListener(
  opts: Partial<SrtListenerOptions> & { admit?: (a: SrtAdmission) => AdmitResult } = {},
): Harness {
  const port = opts.port ?? freePort("udp");
  const captured: Captured[] = [];
  const logs: string[] = [];
  const listener = new SrtListener({
    host: "127.0.0.1",
    port,
    latencyMs: 120,
    peerIdleTimeoutMs: 2000,
    log: (lv, ev, f) => logs.push(`${lv} ${ev} ${JSON.stringify(f)}`),
    admit: () => ({ ok: true }),
    open: (a) => {
      let resolve!: () => void;
      const c: Captured = {
        admission: a,
        chunks: [],
        stats: [],
        closedCalls: 0,
        done: new Promise((r) => resolve = r),
      };
      captured.push(c);
      return {
        data: (chunk) => c.chunks.push(chunk.slice()),
        stats: (s) => c.stats.push(s),
        closed: (reason, last) => {
          c.closed = { reason, last };
          c.closedCalls++;
          resolve();
        },
      };
    },
    ...opts,
  });
  const r = listener.start();
  if (!r.ok) throw new Error(`listener did not start: ${r.reason}`);
  return { listener, port, captured, logs };
}

/** Concatenates a capture's chunks. */
export function joined(c: Captured): Uint8Array {
  return concatBytes(c.chunks);
}

/** Asserts that a capture's bytes equal `want` (length, then SHA-256). */
export async function assertSameBytes(c: Captured, want: Uint8Array): Promise<void> {
  const got = joined(c);
  assert.equal(got.length, want.length);
  assert.equal(await sha256(got), await sha256(want));
}

/** Hex SHA-256. */
export async function sha256(b: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", b as Uint8Array<ArrayBuffer>));
  return [...d].map((x) => x.toString(16).padStart(2, "0")).join("");
}

/** Resolves with `p` or with "timeout" after `ms`. The timer is always cleared. */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | "timeout"> {
  let t: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<"timeout">((r) => t = setTimeout(() => r("timeout"), ms)),
    ]);
  } finally {
    clearTimeout(t);
  }
}

/** Sleeps ms. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A spawned peer; `kill()` signals its PID (idempotent). */
export interface Peer {
  child: Deno.ChildProcess;
  status: Promise<Deno.CommandStatus>;
  stderr: Promise<string>;
  kill(sig?: Deno.Signal): void;
}

/** Spawns a peer program with stdin optionally piped. */
export function spawn(cmd: string, args: string[], stdin: "piped" | "null" = "null"): Peer {
  const child = new Deno.Command(cmd, { args, stdin, stdout: "null", stderr: "piped" }).spawn();
  const stderr = new Response(child.stderr).text();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  return {
    child,
    status,
    stderr,
    kill(sig: Deno.Signal = "SIGKILL") {
      if (exited) return;
      try {
        child.kill(sig);
      } catch { /* already gone */ }
    },
  };
}

/** Waits for a peer to exit within `ms`, else kills it; returns its status (and stderr). */
export async function finish(
  p: Peer,
  ms: number,
): Promise<{ code: number; timedOut: boolean; stderr: string }> {
  const s = await within(p.status, ms);
  if (s === "timeout") {
    p.kill();
    const s2 = await p.status;
    return { code: s2.code, timedOut: true, stderr: await p.stderr };
  }
  return { code: s.code, timedOut: false, stderr: await p.stderr };
}

/** Kills every peer by PID, waits for them, then stops the listener (test teardown). */
export async function stopAll(h: Harness, ...peers: Peer[]): Promise<void> {
  for (const p of peers) p.kill();
  await Promise.all(peers.map((p) => p.status));
  await h.listener.stop();
}

/**
 * ffmpeg arguments sending a TS file to the listener with `-re` and `-c copy`; `loop`
 * repeats the input until the process is killed.
 */
export function ffmpegSend(file: string, url: string, loop = false): string[] {
  return [
    "-hide_banner",
    "-loglevel",
    "error",
    "-re",
    ...(loop ? ["-stream_loop", "-1"] : []),
    "-i",
    file,
    "-c",
    "copy",
    "-f",
    "mpegts",
    url,
  ];
}
