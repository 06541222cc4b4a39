/**
 * How every parser and opener answers: a value or a short machine-readable reason,
 * never a thrown exception for bad input (untrusted bytes, config, peers).
 */

/** Result of parsing untrusted bytes: never thrown, always returned. */
export type Result<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Shorthand for a successful result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}
/** Shorthand for a failed result with a short machine-readable reason (snake_case). */
export function fail<T = never>(reason: string): Result<T> {
  return { ok: false, reason };
}
