/** Bearer-token authentication (RFC 6750) with a constant-time comparison. */
import type { MiddlewareHandler } from "hono";
import { jsonError } from "./errors.ts";

const enc = new TextEncoder();

/** Compares two strings in time that depends only on the longer length. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = enc.encode(a);
  const y = enc.encode(b);
  const n = Math.max(x.length, y.length);
  let diff = x.length ^ y.length;
  for (let i = 0; i < n; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** Middleware: when `tokens()` is non-empty, requires `Authorization: Bearer <token>`. */
export function bearerAuth(tokens: () => string[]): MiddlewareHandler {
  return async (c, next) => {
    const list = tokens();
    if (list.length > 0) {
      const h = c.req.header("authorization") ?? "";
      const m = /^Bearer\s+(.+)$/i.exec(h);
      let okTok = false;
      // Compare against every token so timing does not reveal which one matched.
      for (const t of list) okTok = (m !== null && constantTimeEqual(m[1].trim(), t)) || okTok;
      if (!okTok) {
        c.header("WWW-Authenticate", 'Bearer realm="sluice"');
        return jsonError(c, 401, "unauthorized", m ? "invalid token" : "missing bearer token");
      }
    }
    await next();
  };
}
