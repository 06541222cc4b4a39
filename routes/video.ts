/** /api/v1/video: the GOP buffer's frame index, raw frames, and the preview keyframe. */
import { Hono } from "hono";
import type { Context } from "hono";
import type { ApiDeps } from "./context.ts";
import { jsonError } from "./errors.ts";
import { isBufferView } from "../lib/stream/ports.ts";
import { decimalInt, queryInt } from "./params.ts";

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
    const track = queryInt(c, "track", 0), from = queryInt(c, "from"), to = queryInt(c, "to");
    if (track === null || from === null || to === null) {
      return jsonError(c, 400, "bad_request", "track, from and to must be decimal integers");
    }
    return c.json(v.index({ track, from, to }));
  });
  app.get("/buffer/:id/frames/:index", (c) => {
    const { err, view: v } = view(c);
    if (err) return err;
    const i = decimalInt(c.req.param("index")) ?? -1;
    if (i < 0) {
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
    const track = queryInt(c, "track", 0);
    if (track === null) {
      return jsonError(c, 400, "bad_request", "track must be a decimal integer");
    }
    const s = d.manager.get(c.req.param("id") ?? "");
    if (track !== undefined && !s?.tracks.has(track)) {
      return jsonError(c, 404, "not_found", `no track ${track}`);
    }
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
