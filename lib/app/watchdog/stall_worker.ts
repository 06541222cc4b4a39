/**
 * The watchdog's worker (watchdog.ts): checks the JS thread's heartbeat counter once a
 * second; when it has not moved for `stallMs`, writes one JSON line to stderr and ends the
 * whole process with libc `_exit` (a worker's own exit would end only the worker, and the
 * stalled thread can run no handler).
 */
/// <reference lib="deno.worker" />
import { loadLibc } from "../../../ffi/libc.ts";

interface Start {
  beat: Int32Array;
  stallMs: number;
  exitCode: number;
}

const CHECK_MS = 1000;

self.onmessage = (e: MessageEvent<Start>) => {
  const { beat, stallMs, exitCode } = e.data;
  let last = Atomics.load(beat, 0);
  let since = performance.now();
  setInterval(() => {
    const now = performance.now();
    const v = Atomics.load(beat, 0);
    if (v !== last) {
      last = v;
      since = now;
      return;
    }
    if (now - since < stallMs) return;
    const line = JSON.stringify({
      ts: new Date().toISOString(),
      level: "error",
      event: "watchdog.stalled",
      stalledMs: Math.round(now - since),
      exitCode,
    });
    Deno.stderr.writeSync(new TextEncoder().encode(line + "\n"));
    const libc = loadLibc();
    if (libc.ok) libc.value.sym._exit(exitCode);
    Deno.exit(exitCode); // no libc (not glibc Linux): at least this thread's best effort
  }, CHECK_MS);
};
