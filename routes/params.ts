/**
 * Numbers in API paths and queries: plain decimal integers only. `Number()` alone takes
 * "0x10", " 1", "1e3" and "" as numbers; the API answers those with 400 instead.
 */
import type { Context } from "hono";

const DECIMAL = /^-?\d{1,16}$/;

/** A plain decimal integer (optionally negative) within the safe range, else undefined. */
export function decimalInt(s: string | undefined): number | undefined {
  if (s === undefined || !DECIMAL.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Query parameter `key` as a decimal integer: undefined when absent or empty, null when
 * present but not a plain decimal integer (or negative when `min` is 0).
 */
export function queryInt(c: Context, key: string, min = -Infinity): number | undefined | null {
  const v = c.req.query(key);
  if (v === undefined || v === "") return undefined;
  const n = decimalInt(v);
  return n === undefined || n < min ? null : n;
}
