/**
 * Human units in config values: byte sizes ("8GB", "400MB", "512KiB", 1048576) and
 * durations ("5s", "100ms", "2m", 250 = ms). Decimal prefixes are powers of 1024 as
 * operators of media servers expect ("1MB" = 1048576); "MiB" is accepted too.
 */

const BYTE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

const DURATION_UNITS: Record<string, number> = {
  "": 1,
  us: 0.001,
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
};

function parseUnit(v: unknown, units: Record<string, number>): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v !== "string") return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(v);
  if (!m) return undefined;
  const mul = units[m[2].toLowerCase()];
  return mul === undefined ? undefined : Number(m[1]) * mul;
}

/** Parses a byte size ("8GB", "1MB", 1048576) to a whole number of bytes, or undefined. */
export function parseBytes(v: unknown): number | undefined {
  const n = parseUnit(v, BYTE_UNITS);
  return n === undefined ? undefined : Math.round(n);
}

/** Parses a duration ("5s", "100ms", 250 meaning ms) to milliseconds, or undefined. */
export function parseDuration(v: unknown): number | undefined {
  return parseUnit(v, DURATION_UNITS);
}

/** Formats bytes for messages and logs ("400MB", "1.5GB"). */
export function formatBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1 && n % 1024 === 0) {
    n /= 1024;
    i++;
  }
  return `${n}${units[i]}`;
}
