/**
 * Gives memory that the allocator holds but nothing uses back to the kernel. Media
 * buffers (frames, slabs: 10-256 KB each) live in glibc's main heap; when streams close
 * and V8 frees their ArrayBuffers, the heap keeps the pages (it only shrinks from its top,
 * and one live allocation above the freed ones pins them), so RSS stayed at its peak after
 * churn (bench/README.md "Memory"). Every CHECK_MS this compares RSS with what JavaScript
 * holds (V8 heap + ArrayBuffer memory): when the difference has grown by more than
 * TRIM_SLACK_BYTES over its value at start, malloc_trim(0) (glibc >= 2.8 releases free
 * pages inside the heap too, madvise MADV_DONTNEED) runs once.
 *
 * A stream removed (`afterRelease()`) asks for a full garbage collection and a check at
 * each of AFTER_RELEASE_MS. Without it, an idle box kept a closed stream's buffers for
 * minutes: V8 frees ArrayBuffer memory only at a major GC, which an idle heap may not get
 * (after churn, 370 MB of unreachable buffers and 10 MB of heap garbage were still held
 * 60 s later; a heap snapshot, which collects first, found under 1 MB live). The check
 * lifts the pause after a useless trim. Linux/glibc only for the trim; the GC wherever
 * the runtime lets us ask for one (`fullGc`).
 */
import v8 from "node:v8";
import vm from "node:vm";
import { loadLibc } from "../../ffi/libc.ts";
import type { Logger } from "../core/log.ts";

/** Period of the check, ms. */
export const CHECK_MS = 10_000;
/** Growth of (RSS - JS-held memory) over its starting value that triggers a trim, bytes. */
export const TRIM_SLACK_BYTES = 64 * 1024 * 1024;
/** A trim that gave back less than this makes the next checks wait BACKOFF_MS, bytes. */
export const TRIM_USEFUL_BYTES = 16 * 1024 * 1024;
/** Pause after a useless trim (fragments in use, not free pages), ms. */
export const BACKOFF_MS = 60_000;

/** Checks after a stream is removed, ms after the removal. */
export const AFTER_RELEASE_MS = [5_000, 15_000, 30_000];

/** Time from the GC to the check after it, ms (V8 frees backing stores off-thread). */
export const GC_SETTLE_MS = 500;

let gcFn: (() => void) | null | undefined;

/**
 * One full garbage collection: exposes V8's `gc` once (the `--expose-gc` flag set at run
 * time, read by a fresh node:vm context) and calls it. False when the runtime refuses.
 */
export function fullGc(): boolean {
  if (gcFn === undefined) {
    try {
      v8.setFlagsFromString("--expose-gc");
      const f = vm.runInNewContext("gc");
      gcFn = typeof f === "function" ? f as () => void : null;
    } catch {
      gcFn = null;
    }
  }
  if (!gcFn) return false;
  gcFn();
  return true;
}

/** RSS minus what V8 accounts for (heap reserved + ArrayBuffer backing stores), bytes. */
export function unaccountedBytes(m: Deno.MemoryUsage = Deno.memoryUsage()): number {
  return m.rss - m.heapTotal - m.external;
}

/** The periodic check; `trimmed` and `collected` count trims and GCs that ran. */
export class MemoryTrimmer {
  trimmed = 0;
  collected = 0;
  #timer?: ReturnType<typeof setInterval>;
  #reference = 0;
  #quietUntil = 0;
  #soon: ReturnType<typeof setTimeout>[] = [];
  #started = false;

  /** `afterReleaseMs`: when the checks after a removal run (default AFTER_RELEASE_MS). */
  constructor(
    private readonly log?: Logger,
    private readonly afterReleaseMs: number[] = AFTER_RELEASE_MS,
  ) {}

  /** Starts the check (no-op without glibc's malloc_trim). */
  start(): void {
    this.#started = true;
    const libc = loadLibc();
    if (!libc.ok || this.#timer !== undefined) return;
    this.#reference = unaccountedBytes();
    const timer = setInterval(() => this.check(), CHECK_MS);
    Deno.unrefTimer(timer as unknown as number);
    this.#timer = timer;
  }

  /** One check; returns the bytes given back (0 when no trim ran). */
  check(): number {
    const libc = loadLibc();
    if (!libc.ok) return 0;
    const now = performance.now();
    if (now < this.#quietUntil) return 0;
    const before = Deno.memoryUsage();
    const slack = unaccountedBytes(before);
    if (slack - this.#reference < TRIM_SLACK_BYTES) return 0;
    libc.value.sym.malloc_trim(0n);
    this.trimmed++;
    const after = Deno.memoryUsage();
    const freed = Math.max(0, before.rss - after.rss);
    this.log?.debug("memory.trimmed", {
      rssBefore: before.rss,
      rssAfter: after.rss,
      freed,
    });
    // Little to give back (the slack is pages still in use): do not retry every check.
    if (freed < TRIM_USEFUL_BYTES) this.#quietUntil = now + BACKOFF_MS;
    return freed;
  }

  /**
   * Memory was let go (a stream removed): at each of `afterReleaseMs` from now, a full GC
   * and GC_SETTLE_MS later a check with the pause after a useless trim lifted. A later
   * removal replaces the pending ones (steady churn leaves GC to V8's own pace).
   */
  afterRelease(): void {
    if (!this.#started) return;
    for (const t of this.#soon) clearTimeout(t);
    this.#soon = this.afterReleaseMs.map((ms) => this.#later(ms, () => this.#collect()));
  }

  /** One full GC (logged), then the check GC_SETTLE_MS later with the pause lifted. */
  #collect(): void {
    const before = Deno.memoryUsage();
    if (!fullGc()) return;
    this.collected++;
    const after = Deno.memoryUsage();
    this.log?.debug("memory.collected", {
      heapBefore: before.heapUsed,
      heapAfter: after.heapUsed,
      externalBefore: before.external,
      externalAfter: after.external,
    });
    this.#soon.push(this.#later(GC_SETTLE_MS, () => {
      this.#quietUntil = 0;
      this.check();
    }));
  }

  #later(ms: number, fn: () => void): ReturnType<typeof setTimeout> {
    const t = setTimeout(fn, ms);
    Deno.unrefTimer(t as unknown as number);
    return t;
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#started = false;
    for (const t of this.#soon) clearTimeout(t);
    this.#soon = [];
  }
}
