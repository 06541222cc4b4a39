/**
 * Growth of a staging buffer under a named cap: doubling, never past `max`, the used
 * prefix copied once. Callers check `need <= max` first (and count the overflow).
 */

/** `buf` when it holds `need` bytes, else a larger copy of its first `used` bytes. */
export function ensureCapacity<T extends Uint8Array>(
  buf: T,
  used: number,
  need: number,
  max: number,
): T | Uint8Array<ArrayBuffer> {
  if (need <= buf.length) return buf;
  let size = Math.max(buf.length * 2, 256);
  while (size < need) size *= 2;
  const next = new Uint8Array(Math.min(size, max));
  next.set(buf.subarray(0, used));
  return next;
}
