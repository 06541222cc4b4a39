// The GOP timeline of a stream's buffer (/api/v1/video/buffer/{id}): one bar per video
// frame in decode order, its height the frame's size, keyframes highlighted, a line at
// each GOP start and a red mark where frames are missing (a DTS step well over the usual).
import { json } from "./api.js";
import { bytes, h } from "./format.js";

const MIN_MS = 1000;

export function gopTimeline(box, id) {
  const canvas = h("canvas.gop", { height: 140, role: "img", "aria-label": "GOP timeline" });
  const info = h("p.muted");
  box.append(
    h("h2#gop-h", {}, "GOP timeline"),
    h(
      "p.legend",
      {},
      h("span.key", {}, "keyframe"),
      h("span.frame", {}, "other frame"),
      h("span.gap", {}, "missing frames"),
      " bar height: frame size",
    ),
    canvas,
    info,
  );
  let last = 0, timer, busy = false, gone = false;

  function draw(frames) {
    const dpr = globalThis.devicePixelRatio || 1;
    const w = Math.max(200, canvas.clientWidth);
    const ht = 140;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(ht * dpr);
    const g = canvas.getContext("2d");
    g.scale(dpr, dpr);
    g.clearRect(0, 0, w, ht);
    if (!frames.length) return;
    const max = Math.max(...frames.map((f) => f.size));
    const bw = w / frames.length;
    const steps = frames.slice(1).map((f, i) => f.dts - frames[i].dts).filter((d) => d > 0)
      .sort((a, b) => a - b);
    const usual = steps[Math.floor(steps.length / 2)] ?? 0;
    frames.forEach((f, i) => {
      const x = i * bw;
      const bh = Math.max(1, (Math.sqrt(f.size / max)) * (ht - 16));
      if (f.key) {
        g.fillStyle = "#64748b";
        g.fillRect(x, 0, 1, ht);
      }
      g.fillStyle = f.key ? "#f59e0b" : "#38bdf8";
      g.fillRect(x + (bw > 3 ? 0.5 : 0), ht - bh, Math.max(1, bw - (bw > 3 ? 1 : 0)), bh);
      if (i > 0 && usual > 0 && f.dts - frames[i - 1].dts > 1.5 * usual) {
        g.fillStyle = "#f43f5e";
        g.fillRect(x - 1, 0, 3, 10);
      }
    });
  }

  async function load() {
    if (busy || gone) return;
    busy = true;
    last = performance.now();
    try {
      const idx = await json(`/api/v1/video/buffer/${encodeURIComponent(id)}`);
      const s = await json(`/api/v1/streams/${encodeURIComponent(id)}`);
      const video = (s.tracks ?? []).find((t) => t.kind === "video");
      const frames = video ? idx.frames.filter((f) => f.track === video.id) : [];
      frames.sort((a, b) => a.dts - b.dts);
      draw(frames);
      const keys = frames.filter((f) => f.key);
      const gops = new Set(frames.map((f) => f.gop)).size;
      info.textContent = frames.length
        ? `${frames.length} frames in ${gops} GOPs buffered; keyframes ${
          keys.map((f) => bytes(f.size)).join(", ")
        }; ${bytes(frames.reduce((a, f) => a + f.size, 0))} in all`
        : "No video frames buffered.";
    } catch (e) {
      info.textContent = `GOP buffer: ${e.message}`;
    } finally {
      busy = false;
    }
  }
  load();
  return {
    refresh() {
      clearTimeout(timer);
      timer = setTimeout(load, Math.max(0, last + MIN_MS - performance.now()));
    },
    destroy() {
      gone = true;
      clearTimeout(timer);
    },
  };
}
