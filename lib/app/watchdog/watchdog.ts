/**
 * Event-loop watchdog: the JS thread bumps a shared counter every 250 ms (the housekeeping
 * clock, lib/core/ticker.ts); a worker thread (stall_worker.ts) checks it every second, and
 * when it has not moved for `stallMs` it logs one line to stderr and ends the process with
 * exit code 70 through libc `_exit`, so that the service manager restarts sluice.
 *
 * Why: the JS thread can block inside a synchronous FFI call forever, where no timer, signal
 * handler or API request runs again: libsrt 1.5.1 deadlocks a reader that fell far behind a
 * fast sender (bench/README.md). A hung ingest server looks alive to its supervisor; one
 * that exits is restarted. Started by main.ts only (not by startServer, which tests run in
 * their own process).
 */
import { fail, ok, type Result } from "../../core/result.ts";
import { HOUSEKEEPING } from "../../core/ticker.ts";

/** Default time without a heartbeat before the process exits, ms. */
export const DEFAULT_STALL_MS = 30_000;
/** Exit code of a stalled process (EX_SOFTWARE, sysexits.h). */
export const STALL_EXIT_CODE = 70;

/** A running watchdog. */
export interface Watchdog {
  /** Stops the heartbeat and the worker (graceful shutdown). */
  stop(): void;
}

/**
 * Starts the heartbeat and its worker; a failure (no worker) comes back with its reason
 * and sluice runs without the watchdog.
 */
export function startWatchdog(stallMs = DEFAULT_STALL_MS): Result<Watchdog> {
  let worker: Worker;
  const beat = new Int32Array(new SharedArrayBuffer(4));
  try {
    worker = new Worker(new URL("./stall_worker.ts", import.meta.url), { type: "module" });
  } catch (e) {
    return fail(`no worker: ${(e as Error).message}`);
  }
  worker.postMessage({ beat, stallMs, exitCode: STALL_EXIT_CODE });
  const untick = HOUSEKEEPING.every(250, () => Atomics.add(beat, 0, 1));
  return ok({
    stop() {
      untick();
      worker.terminate();
    },
  });
}
