/**
 * The standard process collector (the `process_*` names every Prometheus client exports),
 * read from Linux procfs: /proc/self/stat (CPU time, virtual and resident size, start
 * time), /proc/stat (boot time), /proc/self/fd and /proc/self/limits (open and maximum
 * file descriptors); plus the V8 heap figures of the runtime and the PES slab totals
 * (lib/core/slabs.ts). Where procfs is missing (macOS, Windows) only what Deno reports is
 * emitted. Never throws.
 */
import { SLAB_TOTALS, SPARE_SLABS } from "../slabs.ts";
import type { Emit } from "./registry.ts";

/**
 * USER_HZ: clock ticks per second of /proc/<pid>/stat times. Fixed at 100 by the Linux ABI
 * on every architecture sluice targets (the Prometheus procfs library assumes the same).
 */
const USER_HZ = 100;

/** Fields of /proc/self/stat after the command name (which may hold spaces). */
export function parseStat(text: string): string[] | undefined {
  const close = text.lastIndexOf(")");
  if (close < 0) return undefined;
  return text.slice(close + 2).trim().split(" ");
}

function read(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

let bootTime: number | undefined;

function bootTimeSeconds(): number | undefined {
  if (bootTime !== undefined) return bootTime;
  const m = read("/proc/stat")?.match(/^btime (\d+)$/m);
  return bootTime = m ? Number(m[1]) : undefined;
}

function openFds(): number | undefined {
  try {
    let n = 0;
    for (const _ of Deno.readDirSync("/proc/self/fd")) n++;
    return n - 1; // the directory handle being read
  } catch {
    return undefined;
  }
}

function maxFds(): number | undefined {
  const m = read("/proc/self/limits")?.match(/^Max open files\s+(\d+|unlimited)/m);
  return m && m[1] !== "unlimited" ? Number(m[1]) : undefined;
}

/** Emits process_* and the runtime's memory figures. */
export function collectProcess(emit: Emit): void {
  const mem = Deno.memoryUsage();
  emit("sluice_heap_used_bytes", {}, mem.heapUsed);
  emit("sluice_heap_total_bytes", {}, mem.heapTotal);
  emit("sluice_external_memory_bytes", {}, mem.external);
  emit("sluice_pes_slabs_total", { source: "fresh" }, SLAB_TOTALS.fresh);
  emit("sluice_pes_slabs_total", { source: "reused" }, SLAB_TOTALS.reused);
  emit("sluice_pes_slabs_spare", {}, SPARE_SLABS.count);
  // field numbers of proc(5) minus 3: (1) pid and (2) comm are cut, (3) state is index 0
  // resident size as Deno reads it (page size independent)
  emit("process_resident_memory_bytes", {}, mem.rss);
  const f = parseStat(read("/proc/self/stat") ?? "");
  if (!f || f.length < 22) return;
  emit("process_cpu_seconds_total", {}, (Number(f[11]) + Number(f[12])) / USER_HZ);
  emit("process_virtual_memory_bytes", {}, Number(f[20]));
  const boot = bootTimeSeconds();
  if (boot !== undefined) emit("process_start_time_seconds", {}, boot + Number(f[19]) / USER_HZ);
  const open = openFds();
  if (open !== undefined) emit("process_open_fds", {}, open);
  const max = maxFds();
  if (max !== undefined) emit("process_max_fds", {}, max);
}
