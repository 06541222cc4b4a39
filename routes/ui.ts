/**
 * The dashboard: `GET /` is ui/index.html, `GET /ui/*` the files under ui/ (plain ES
 * modules, CSS and the vendored uPlot, see ui/README.md). They are read from the repo
 * (`deno task start`) or from the executable, where scripts/compile.ts embeds ui/ with
 * `deno compile --include ui`; either way once per file, then served from memory.
 * The page and its files hold no data, so they need no token: the page asks for one
 * when the API does (it reads /api/v1/openapi.json).
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { jsonError } from "./errors.ts";

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  json: "application/json",
  txt: "text/plain; charset=utf-8",
};

/** What the page may load and talk to: itself only. */
const HEADERS = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; " +
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};

/** A relative path under ui/: lower-case names, no dot segments, a known extension. */
const SAFE = /^(?:[a-zA-Z0-9_-]+\/)*[a-zA-Z0-9_.-]+\.([a-z]+)$/;

const UI_DIR = new URL("../ui/", import.meta.url);

/** Static file routes; `readFile` is replaceable for tests. */
export function uiRoutes(
  readFile: (url: URL) => Promise<Uint8Array> = (u) => Deno.readFile(u),
): Hono {
  const app = new Hono();
  const cache = new Map<string, Uint8Array>();
  const serve = async (c: Context, rel: string) => {
    const m = SAFE.exec(rel);
    const type = m ? TYPES[m[1]] : undefined;
    if (!m || !type || rel.split("/").some((p) => p.startsWith("."))) {
      return jsonError(c, 404, "not_found", `no file ${rel}`);
    }
    let body = cache.get(rel);
    if (!body) {
      try {
        body = await readFile(new URL(rel, UI_DIR));
      } catch {
        return jsonError(c, 404, "not_found", `no file ${rel}`);
      }
      cache.set(rel, body);
    }
    return c.body(body as Uint8Array<ArrayBuffer>, 200, { "content-type": type, ...HEADERS });
  };
  app.get("/", (c) => serve(c, "index.html"));
  app.get("/ui/*", (c) => serve(c, c.req.path.slice("/ui/".length)));
  return app;
}
