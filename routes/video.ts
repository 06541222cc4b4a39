/** /api/v1/video: the GOP buffer's frame index, raw frames, and the preview keyframe. */
import { Hono } from "hono";
import type { Context } from "hono";
import type { ApiDeps } from "./context.ts";
import { jsonError } from "./errors.ts";
import { isBufferView } from "../lib/stream/ports.ts";

function num(c: Context, key: string): number | undefined | null {
  const v = c.req.query(key);
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Video routes. */
export function videoRoutes(d: ApiDeps): Hono {
  const app = new Hono();
  const view = (c: Context) => {
    const id = c.req.param("id") ?? "";
    const s = d.manager.get(id);
    if (!s) return { err: jsonError(c, 404, "not_found", `no stream ${id}`) };
    const sink = s.frameSink;
    if (!isBufferView(sink)) {
      return { err: jsonError(c, 409, "no_buffer", `stream ${id} has no frame buffer`) };
    }
    return { view: sink };
  };
  app.get("/buffer/:id", (c) => {
    const { err, view: v } = view(c);
    if (err) return err;
    const track = num(c, "track"), from = num(c, "from"), to = num(c, "to");
    if (track === null || from === null || to === null) {
      return jsonError(c, 400, "bad_request", "track, from and to must be numbers");
    }
    return c.json(v.index({ track, from, to }));
  });
  app.get("/buffer/:id/frames/:index", (c) => {
    const { err, view: v } = view(c);
    if (err) return err;
    const i = Number(c.req.param("index"));
    if (!Number.isInteger(i) || i < 0) {
      return jsonError(c, 400, "bad_request", "index must be a non-negative integer");
    }
    const au = v.frame(i);
    if (!au) return jsonError(c, 404, "not_found", `frame ${i} is not in the buffer`);
    return c.body(au.data as Uint8Array<ArrayBuffer>, 200, {
      "content-type": "application/octet-stream",
      "x-codec": au.codec,
      "x-pts": String(au.pts),
      "x-dts": String(au.dts),
      "x-key": String(au.key),
      "x-track": String(au.trackId),
    });
  });
  app.get("/preview/:id", (c) => {
    const { err, view: v } = view(c);
    if (err) return err;
    const track = num(c, "track");
    if (track === null) return jsonError(c, 400, "bad_request", "track must be a number");
    const au = v.preview(track);
    if (!au) return jsonError(c, 409, "no_keyframe", "no keyframe received yet");
    return c.body(au.data as Uint8Array<ArrayBuffer>, 200, {
      "content-type": "application/octet-stream",
      "x-codec": au.codec,
      "x-pts": String(au.pts),
      "x-track": String(au.trackId),
    });
  });
  return app;
}
