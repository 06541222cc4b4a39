/**
 * CPU profile of a piece of code in this process through the inspector protocol
 * (`node:inspector` Session: Profiler.start / Profiler.stop), summarised as self time per
 * function (name, file:line), the same figures Chrome DevTools' "Bottom-up" view shows
 * for a .cpuprofile. For the benches' "where did the time go" tables.
 */
import { Session } from "node:inspector";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Self time of one function in a profile. */
export interface SelfTime {
  name: string;
  where: string;
  pct: number;
}

/** Runs `fn` under the sampling profiler (`intervalUs` between samples); returns the raw profile. */
export async function profiled(fn: () => void, intervalUs = 100): Promise<Record<string, unknown>> {
  const s = new Session();
  s.connect();
  const post = (m: string, p: Record<string, unknown> = {}) =>
    new Promise<Record<string, unknown>>((res, rej) =>
      s.post(m, p, (e: Error | null, r?: unknown) => e ? rej(e) : res(r as Record<string, unknown>))
    );
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: intervalUs });
  await post("Profiler.start");
  let failed: unknown;
  try {
    fn();
  } catch (e) {
    failed = e;
  }
  const stopped = await post("Profiler.stop").finally(() => s.disconnect());
  if (failed !== undefined) throw failed;
  return stopped.profile as Record<string, unknown>;
}

/** The `n` functions with the most self time, as % of all samples. */
export function topSelf(profile: Record<string, unknown>, n = 15): SelfTime[] {
  const nodes = profile.nodes as ProfileNode[];
  const total = nodes.reduce((a, x) => a + (x.hitCount ?? 0), 0) || 1;
  const by = new Map<string, SelfTime>();
  const root = new URL("../", import.meta.url).href;
  for (const x of nodes) {
    const f = x.callFrame;
    const name = f.functionName || "(anonymous)";
    const where = f.url ? `${f.url.replace(root, "")}:${f.lineNumber + 1}` : "";
    const key = `${name} ${where}`;
    const e = by.get(key) ?? { name, where, pct: 0 };
    e.pct += (100 * (x.hitCount ?? 0)) / total;
    by.set(key, e);
  }
  return [...by.values()].sort((a, b) => b.pct - a.pct).slice(0, n);
}
