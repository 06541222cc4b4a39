/**
 * How every parser and opener answers: a value or a short machine-readable reason,
 * never a thrown exception for bad input (untrusted bytes, config, peers).
 */

/**
 * Result of parsing untrusted bytes: never thrown, always returned. `R` narrows the reason
 * to catalogue members (lib/core/reasons/catalogue.ts) where a counter counts it.
 */
export type Result<T, R extends string = string> = { ok: true; value: T } | {
  ok: false;
  reason: R;
};

/** Shorthand for a successful result. */
export function ok<T>(value: T): Result<T, never> {
  return { ok: true, value };
}
/** Shorthand for a failed result with a short machine-readable reason (snake_case). */
export function fail<T = never, R extends string = string>(reason: R): Result<T, R> {
  return { ok: false, reason };
}
