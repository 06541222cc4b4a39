// Time series with uPlot (ui/vendor/uplot): a tile's bitrate sparkline and the stream
// page's graphs. Both keep a bounded window of points and follow their box's width.
import uPlot from "./vendor/uplot/uPlot.esm.js";

const COLORS = ["#38bdf8", "#f59e0b", "#f43f5e", "#a3e635", "#c084fc"];

function follow(el, plot, height) {
  const ro = new ResizeObserver(() => {
    const w = Math.max(80, Math.floor(el.clientWidth));
    if (w !== plot.width) plot.setSize({ width: w, height });
  });
  ro.observe(el);
  return () => ro.disconnect();
}

/** x from the data, at least `w` s wide (uPlot would widen a single point to a day). */
const xRange = (w) => (u, min, max) => {
  const t = u.data[0];
  if (!t?.length) return [min, max];
  return [Math.min(t[0], t[t.length - 1] - w), t[t.length - 1]];
};

/** Redraws; the box's data-points says how many points the graph has (for tests and tools). */
function update(el, plot, win) {
  plot.setData(win.cols);
  el.dataset.points = String(win.cols[0].length);
}

/** What a page holds of a graph: set all columns, push one row, count, destroy. */
function handle(el, plot, win, unfollow) {
  return {
    get points() {
      return win.cols[0].length;
    },
    set(cols) {
      win.set(cols);
      update(el, plot, win);
    },
    push(t, values) {
      if (win.push(t, values)) update(el, plot, win);
    },
    destroy() {
      unfollow();
      plot.destroy();
    },
  };
}

/** A time window of columns [t (s), ...series], trimmed to `keepS` seconds. */
class Window {
  constructor(n, keepS) {
    this.cols = Array.from({ length: n + 1 }, () => []);
    this.keepS = keepS;
  }
  set(cols) {
    this.cols = cols.map((c) => c.slice());
    this.trim();
  }
  push(t, values) {
    const last = this.cols[0].at(-1);
    if (last !== undefined && t <= last) return false;
    this.cols[0].push(t);
    values.forEach((v, i) => this.cols[i + 1].push(v ?? null));
    this.trim();
    return true;
  }
  trim() {
    const t0 = (this.cols[0].at(-1) ?? 0) - this.keepS;
    let k = 0;
    while (k < this.cols[0].length && this.cols[0][k] < t0) k++;
    if (k) this.cols = this.cols.map((c) => c.slice(k));
  }
}

/** A small bitrate line without axes for the wall's tiles (last 2 minutes). */
export function sparkline(el, height = 36) {
  const win = new Window(1, 120);
  const plot = new uPlot(
    {
      width: Math.max(80, el.clientWidth || 200),
      height,
      legend: { show: false },
      cursor: { show: false },
      select: { show: false },
      axes: [{ show: false }, { show: false }],
      scales: {
        x: { time: true, range: xRange(1) },
        y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.15] },
      },
      series: [{}, {
        stroke: COLORS[0],
        fill: "rgba(56,189,248,0.15)",
        width: 1.5,
        points: { show: false },
      }],
    },
    win.cols,
    el,
  );
  return handle(el, plot, win, follow(el, plot, height));
}

/**
 * A graph with time on x for the stream page: `series` are { label, fmt?, color? };
 * keeps `keepS` seconds (10 minutes by default).
 */
export function timeChart(
  el,
  { title, series, fmt = (v) => v, height = 160, keepS = 600, minTop = 1 },
) {
  const win = new Window(series.length, keepS);
  const plot = new uPlot(
    {
      title,
      width: Math.max(200, el.clientWidth || 600),
      height,
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true, range: xRange(10) },
        y: { range: (_u, min, max) => [Math.min(0, min), Math.max(minTop, max * 1.1)] },
      },
      axes: [
        { stroke: "#94a3b8", grid: { stroke: "#1e293b" }, ticks: { stroke: "#334155" } },
        {
          stroke: "#94a3b8",
          grid: { stroke: "#1e293b" },
          ticks: { stroke: "#334155" },
          size: 70,
          values: (_u, vals) => vals.map((v) => fmt(v)),
        },
      ],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: s.color ?? COLORS[i % COLORS.length],
          width: 1.5,
          points: { show: false },
          value: (_u, v) => (v == null ? "–" : (s.fmt ?? fmt)(v)),
        })),
      ],
    },
    win.cols,
    el,
  );
  return handle(el, plot, win, follow(el, plot, height));
}
