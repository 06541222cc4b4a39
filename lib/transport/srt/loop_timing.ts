/**
 * The SRT listener's loop timing (lib/transport/srt/listener.ts): how long one epoll wait
 * may block, how often a wake-up that found data may recur, and what one wake-up takes.
 */

/**
 * srt_epoll_uwait timeout while nothing flows, ms. libsrt polls its own readiness every
 * 10 ms inside the call (on the worker thread), so the timeout only sets how often an
 * idle listener comes back to the JS thread: each return is a worker-thread hop and a
 * promise (~0.5 ms of CPU on a VM; at 100 ms it was a third of an idle sluice's cost).
 * stop() does not wait for it: it empties the epoll set, which makes the call return.
 */
export const UWAIT_TIMEOUT_MS = 500;
export const UWAIT_TIMEOUT_BIG = BigInt(UWAIT_TIMEOUT_MS);
/** Pause after a failed srt_epoll_uwait before the next, ms. */
export const UWAIT_ERROR_PAUSE_MS = 100;
/** uwait timeout while a closed peer's tail is drained, ms. */
export const UWAIT_DRAINING_BIG = 10n;
/** Extra time past the latency to read a closed peer's buffered tail, ms. */
export const TAIL_DRAIN_EXTRA_MS = 100;
/** Bounds of the automatic time between two epoll wake-ups that found data, ms (wakeMs). */
export const MIN_WAKE_MS = 2;
export const MAX_WAKE_MS = 20;

/**
 * Least time between two wake-ups that found data (config `srt.read_interval`): the
 * configured interval, or with 0 a twelfth of the SRT latency (10 ms at the default
 * 120 ms) within MIN_WAKE_MS..MAX_WAKE_MS. libsrt holds what arrives meanwhile and TSBPD
 * has already delayed it by the latency, so a packet waits at most that much more (half
 * on average). A wake-up itself is cheap next to what sluice does in it: a Deno process
 * that only reads one 8 Mb/s stream on this 10 ms timer (bench/scale/srt_floor.ts) spends
 * ~5 ms a second on its JS thread, sluice's JS thread 15-25 (bench/README.md, one SRT
 * stream). The wake-ups ride the process clock (lib/core/ticker.ts) with every other
 * periodic step. The default stays at a twelfth: the ladder to 100 streams ran clean there
 * many times, and once not at 30 ms (a stall we could not attribute; bench/README.md).
 */
export function wakeMs(latencyMs: number, readIntervalMs = 0): number {
  if (readIntervalMs > 0) return readIntervalMs;
  return Math.min(MAX_WAKE_MS, Math.max(MIN_WAKE_MS, Math.round(latencyMs / 12)));
}

/** Connections taken from libsrt's queue per epoll wake (the rest at the next one). */
export const ACCEPTS_PER_WAKE = 64;
/** Events read per uwait. */
export const EPOLL_EVENTS_MAX = 64;
/** Interval between statistics snapshots, ms. */
export const STATS_INTERVAL_MS = 1000;
