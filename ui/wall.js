// The stream wall: one tile per stream with protocol, remote, state, codecs, resolution
// and frame rate, a bitrate sparkline, loss/drop/error counters and the live picture
// (ui/preview.js), refreshed on each new GOP (stream.gop events, at most once a second).
import { json } from "./api.js";
import { sparkline } from "./charts.js";
import { bitrate, h, lost, num, total, trackLine } from "./format.js";
import { drawPreview, noPictureReason } from "./preview.js";
import { store } from "./store.js";

const PREVIEW_MIN_MS = 1000;

class Tile {
  constructor(s) {
    this.id = s.id;
    this.canvas = h("canvas", { width: 320, height: 180, "aria-label": `picture of ${s.id}` });
    this.note = h("p.note", { role: "note" });
    this.rate = h("span.rate");
    this.spark = h("div.spark");
    this.el = h(
      "article.tile",
      { "data-stream": s.id },
      h(
        "header",
        {},
        h("a.name", { href: `#/stream/${encodeURIComponent(s.id)}` }, s.id),
        this.proto = h("span.badge"),
        this.state = h("span.state"),
      ),
      h("div.picture", {}, this.canvas, this.note),
      this.codecs = h("p.codecs"),
      h("div.rate-row", {}, this.rate, this.spark),
      this.counters = h("p.counters"),
      this.remote = h("p.remote"),
    );
    this.busy = false;
    this.pending = false;
    this.lastPreview = 0;
  }

  mount() {
    this.sparkline = sparkline(this.spark);
    json(`/api/v1/stats/streams/${encodeURIComponent(this.id)}/history?seconds=120`)
      .then((hist) => this.sparkline.set([hist.t.map((t) => t / 1000), hist.bitrateBps]))
      .catch(() => {});
  }

  update(s) {
    this.s = s;
    this.proto.textContent = s.protocol.toUpperCase();
    this.state.textContent = s.state;
    this.state.dataset.state = s.state;
    this.el.dataset.state = s.state;
    const tracks = s.tracks ?? [];
    this.codecs.textContent = tracks.length ? tracks.map(trackLine).join(" · ") : "no tracks yet";
    this.rate.textContent = bitrate(s.bitrateBps);
    this.counters.replaceChildren(
      h("span", { title: "packets lost by the transport" }, `lost ${num(lost(s))}`),
      h(
        "span",
        { title: "data dropped on purpose (limits, loss, pause)" },
        `drops ${total(s.drops)}`,
      ),
      h("span", { title: "malformed input" }, `errors ${total(s.errors)}`),
    );
    this.remote.textContent = s.remote;
    const video = tracks.find((t) => t.kind === "video");
    if (!video) {
      this.setNote(tracks.length ? "No video track." : "Waiting for the first frames…");
      return;
    }
    if (this.video?.id !== video.id || this.video?.codec !== video.codec) {
      this.checked = false;
      noPictureReason(video).then((why) => {
        this.why = why;
        this.checked = true;
        if (why) this.setNote(why);
        else this.preview();
      });
    }
    this.video = video;
    if (this.checked && !this.why && !this.lastPreview && video.keyframes > 0) this.preview();
  }

  setNote(text) {
    this.note.textContent = text;
    this.note.hidden = !text;
    this.el.dataset.picture = text ? "none" : "yes";
  }

  /** Fetches and draws the preview; coalesces calls while one is in flight or too soon. */
  preview() {
    if (!this.checked || this.why || !this.video || !(this.video.keyframes > 0)) return;
    if (this.busy) {
      this.pending = true;
      return;
    }
    const wait = this.lastPreview + PREVIEW_MIN_MS - performance.now();
    if (wait > 0) {
      this.pending = true;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.preview(), wait);
      return;
    }
    this.busy = true;
    this.pending = false;
    this.lastPreview = performance.now();
    drawPreview(this.canvas, this.id, this.video)
      .then(() => this.setNote(""))
      .catch((e) => this.setNote(e.message))
      .finally(() => {
        this.busy = false;
        if (this.pending && !this.gone) this.preview();
      });
  }

  destroy() {
    this.gone = true;
    clearTimeout(this.timer);
    this.sparkline?.destroy();
    this.el.remove();
  }
}

export function wallPage(view) {
  const grid = h("section.wall", { "aria-label": "Streams" });
  const empty = h(
    "p.empty",
    {},
    "No streams yet. Publish one, e.g. ",
    h("code", {}, "ffmpeg -re -i in.ts -c copy -f mpegts 'srt://box:30000?streamid=cam1'"),
  );
  view.append(h("h1.sr-only", {}, "Streams"), empty, grid);
  const tiles = new Map();
  const sync = (streams) => {
    const seen = new Set();
    for (const s of streams) {
      seen.add(s.id);
      let t = tiles.get(s.id);
      if (!t) {
        t = new Tile(s);
        tiles.set(s.id, t);
        grid.append(t.el);
        t.mount();
      }
      t.update(s);
    }
    for (const [id, t] of tiles) {
      if (!seen.has(id)) {
        t.destroy();
        tiles.delete(id);
      }
    }
    empty.hidden = tiles.size > 0;
  };
  sync(store.streams);
  const offs = [
    store.onStreams(sync),
    store.onEvent((d) => {
      const t = tiles.get(d.stream);
      if (!t) return;
      t.sparkline?.push(d.time / 1000, [d.bitrateBps]);
      t.rate.textContent = bitrate(d.bitrateBps);
    }, ["stream.stats"]),
    store.onEvent((d) => {
      const t = tiles.get(d.stream);
      if (t?.video && d.track === t.video.id) {
        t.video.keyframes = Math.max(1, t.video.keyframes ?? 0);
        t.preview();
      }
    }, ["stream.gop"]),
  ];
  return {
    destroy() {
      offs.forEach((f) => f());
      for (const t of tiles.values()) t.destroy();
    },
  };
}
