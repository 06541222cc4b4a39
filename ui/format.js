// Number and text formatting shared by the pages.

export function bitrate(bps) {
  if (bps == null || !Number.isFinite(bps)) return "–";
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(bps >= 1e7 ? 1 : 2)} Mb/s`;
  if (bps >= 1e3) return `${(bps / 1e3).toFixed(0)} kb/s`;
  return `${Math.round(bps)} b/s`;
}

export function bytes(n) {
  if (n == null || !Number.isFinite(n)) return "–";
  const u = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i && n < 10 ? 1 : 0)} ${u[i]}`;
}

export function num(n, digits = 0) {
  return n == null || !Number.isFinite(n) ? "–" : n.toFixed(digits);
}

export function duration(s) {
  if (s == null || !Number.isFinite(s)) return "–";
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Sum of the values of a reason counter object. */
export function total(counter) {
  return Object.values(counter ?? {}).reduce((a, b) => a + (typeof b === "number" ? b : 0), 0);
}

/** Cumulative packets lost by the transport (SRT packetsLost, RTP lost). */
export function lost(stream) {
  const t = stream.transport ?? {};
  return typeof t.packetsLost === "number"
    ? t.packetsLost
    : typeof t.lost === "number"
    ? t.lost
    : 0;
}

/** "h264 1280x720 30 fps" for a video track, "aac 48 kHz 2 ch" for audio. */
export function trackLine(t) {
  const parts = [t.codec];
  if (t.kind === "video") {
    if (t.width && t.height) parts.push(`${t.width}x${t.height}`);
    const fps = t.measuredFps || t.fps;
    if (fps) parts.push(`${num(fps, fps % 1 ? 2 : 0)} fps`);
  } else if (t.kind === "audio") {
    if (t.sampleRate) parts.push(`${t.sampleRate / 1000} kHz`);
    if (t.channels) parts.push(`${t.channels} ch`);
  }
  return parts.join(" ");
}

/** Creates an element: h("div.tile#id", { onclick }, child, "text"). */
export function h(tag, attrs = {}, ...children) {
  const parts = tag.split(/(?=[.#])/);
  const el = document.createElement(parts[0]);
  const classes = parts.filter((p) => p[0] === ".").map((p) => p.slice(1));
  const id = parts.find((p) => p[0] === "#");
  if (classes.length) el.className = classes.join(" ");
  if (id) el.id = id.slice(1);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v == null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}
