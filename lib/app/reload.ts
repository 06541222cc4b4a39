/**
 * Live config reload (SIGHUP): which keys apply at once and which need a restart.
 * The manager and adapters read `manager.config` on use, so swapping the object is
 * enough for live keys.
 */
import type { Config } from "../config/config.ts";

/** Keys (dotted, camelCase) that only take effect after a restart. */
export const RESTART_KEYS = [
  "ingestion.bind",
  "ingestion.srtPort",
  "ingestion.rtpPort",
  "ingestion.warmup",
  "api.listen",
  "api.tls",
  "srt.library",
  "srt.latency",
  "srt.socketBuffer",
  "rtp.receiver",
  "rtp.socketBuffer",
  "nats",
];

function flatten(v: unknown, prefix: string, out: Map<string, string>): void {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, JSON.stringify(v));
  }
}

/** Changed keys between two configs, split into live and restart-needing. */
export function diffConfig(a: Config, b: Config): { live: string[]; restart: string[] } {
  const fa = new Map<string, string>();
  const fb = new Map<string, string>();
  flatten(a, "", fa);
  flatten(b, "", fb);
  const keys = new Set([...fa.keys(), ...fb.keys()]);
  const live: string[] = [];
  const restart: string[] = [];
  for (const k of keys) {
    if (fa.get(k) === fb.get(k)) continue;
    (RESTART_KEYS.some((r) => k === r || k.startsWith(`${r}.`)) ? restart : live).push(k);
  }
  return { live: live.sort(), restart: restart.sort() };
}
