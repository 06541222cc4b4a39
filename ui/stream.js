// One stream: state and actions (pause, resume, delete), bitrate/fps/loss graphs over
// the last 10 minutes (history + stream.stats events), the GOP timeline of the buffer,
// the tracks table, the A/V sync panel with its adjust field, and the stream's outputs.
import { ApiError, json, post } from "./api.js";
import { timeChart } from "./charts.js";
import { bitrate, bytes, duration, h, lost, num, trackLine } from "./format.js";
import { gopTimeline } from "./gop.js";
import { outputsPanel } from "./outputs.js";
import { store } from "./store.js";
import { syncPanel } from "./sync.js";

function kv(rows) {
  return h("dl.kv", {}, rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function table(head, rows, caption) {
  return h(
    "table",
    {},
    caption ? h("caption", {}, caption) : null,
    h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c ?? "–"))))),
  );
}

function countersTable(title, counter, head = ["reason", "count"]) {
  const rows = Object.entries(counter ?? {}).map(([k, v]) => [
    k,
    typeof v === "number" && !Number.isInteger(v) ? v.toFixed(3) : String(v),
  ]);
  return rows.length ? table(head, rows, title) : h("p.muted", {}, `${title}: none`);
}

function confirmDelete(id) {
  const dlg = document.getElementById("confirm-dialog");
  document.getElementById("confirm-text").textContent =
    `Disconnect and remove stream ${id}? The publisher may reconnect as a new stream.`;
  return new Promise((resolve) => {
    dlg.addEventListener("close", () => resolve(dlg.returnValue === "ok"), { once: true });
    dlg.showModal();
  });
}

export function streamPage(view, id) {
  const enc = encodeURIComponent(id);
  const msg = h("p.msg", { role: "status", "aria-live": "polite" });
  const pause = h("button", { type: "button", "data-action": "pause" }, "Pause");
  const resume = h("button", { type: "button", "data-action": "resume" }, "Resume");
  const del = h("button.danger", { type: "button", "data-action": "delete" }, "Delete");
  const state = h("span.state");
  const summary = h("div.summary");
  const charts = h("div.charts");
  const gopBox = h("section.panel", { "aria-labelledby": "gop-h" });
  const tracksBox = h("section.panel", { "aria-labelledby": "tracks-h" });
  const syncBox = h("section.panel", { "aria-labelledby": "sync-h" });
  const outBox = h("section.panel", { "aria-labelledby": "outputs-h" });
  const countBox = h("section.panel.counters-panel", { "aria-labelledby": "counters-h" });
  view.append(
    h("nav.crumbs", { "aria-label": "Breadcrumb" }, h("a", { href: "#/" }, "Streams"), " / ", id),
    h("div.titlebar", {}, h("h1", {}, id), state, h("div.actions", {}, pause, resume, del)),
    msg,
    summary,
    charts,
    gopBox,
    tracksBox,
    h("div.two", {}, syncBox, outBox),
    countBox,
  );

  const act = async (what, fn) => {
    msg.textContent = "";
    try {
      await fn();
      msg.textContent = `${what}: done`;
    } catch (e) {
      msg.textContent = `${what}: ${e.message}`;
    }
    refresh();
  };
  pause.addEventListener("click", () => act("pause", () => post(`/api/v1/streams/${enc}/pause`)));
  resume.addEventListener(
    "click",
    () => act("resume", () => post(`/api/v1/streams/${enc}/resume`)),
  );
  del.addEventListener("click", async () => {
    if (!(await confirmDelete(id))) return;
    await act("delete", () => json(`/api/v1/streams/${enc}`, { method: "DELETE" }));
    location.hash = "#/";
  });

  const mbps = (v) => `${num(v / 1e6, 1)} Mb/s`;
  const [bEl, fEl, lEl] = [h("div.chart#bitrate-chart"), h("div.chart"), h("div.chart")];
  charts.append(bEl, fEl, lEl);
  const bitrateChart = timeChart(bEl, {
    title: "Bitrate",
    series: [{ label: "bitrate" }],
    fmt: mbps,
  });
  const fpsChart = timeChart(fEl, {
    title: "Frame rate",
    series: [{ label: "fps" }],
    fmt: (v) => num(v, 1),
  });
  const lossChart = timeChart(lEl, {
    title: "Loss, drops, errors per second",
    series: [{ label: "lost" }, { label: "dropped" }, { label: "errors" }],
    minTop: 5,
    fmt: (v) => num(v, 0),
  });

  json(`/api/v1/stats/streams/${enc}/history`).then((hist) => {
    const t = hist.t.map((x) => x / 1000);
    bitrateChart.set([t, hist.bitrateBps]);
    fpsChart.set([t, hist.fps]);
    lossChart.set([t, hist.lost, hist.dropped, hist.errors]);
  }).catch(() => {});

  const gop = gopTimeline(gopBox, id);
  const sync = syncPanel(syncBox, id);
  const outputs = outputsPanel(outBox, id);

  let gone = false;
  function render(s) {
    if (!s) {
      if (!gone) msg.textContent = `Stream ${id} is not (or no longer) listed.`;
      gone = true;
      return;
    }
    gone = false;
    state.textContent = s.state;
    state.dataset.state = s.state;
    pause.disabled = s.state === "paused" || s.state === "closed";
    resume.disabled = s.state !== "paused";
    summary.replaceChildren(kv([
      ["protocol", s.protocol.toUpperCase()],
      ["remote", s.remote],
      ["uptime", duration(s.uptimeS)],
      ["bitrate", bitrate(s.bitrateBps)],
      ["received", `${bytes(s.bytes)} in ${s.packets} packets`],
      ["buffered", bytes(s.bufferedBytes)],
      ["lost", num(lost(s))],
      ["sessions", String(s.sessions ?? 1)],
      ...(s.streamId ? [["SRT stream id", s.streamId]] : []),
      ...(s.ssrc !== undefined ? [["SSRC", `0x${s.ssrc.toString(16)}`]] : []),
      ...(s.closeReason ? [["closed", s.closeReason]] : []),
    ]));
    tracksBox.replaceChildren(
      h("h2#tracks-h", {}, "Tracks"),
      table(
        [
          "id",
          "kind",
          "codec",
          "format",
          "bitrate",
          "frames",
          "keyframes",
          "GOP",
          "profile / level",
        ],
        (s.tracks ?? []).map((t) => [
          String(t.id),
          t.kind,
          t.codec + (t.codecSource === "inferred" ? " (inferred)" : ""),
          trackLine(t).split(" ").slice(1).join(" ") || "–",
          bitrate(t.bitrateBps),
          String(t.frames),
          String(t.keyframes),
          t.gop
            ? `${t.gop.lastFrames} frames, ${t.gop.lastDurationMs} ms${
              t.gop.open ? `, ${t.gop.open} open` : ""
            }`
            : "–",
          [t.profile, t.level].filter(Boolean).join(" / ") || "–",
        ]),
      ),
    );
    countBox.replaceChildren(
      h("h2#counters-h", {}, "Counters"),
      h(
        "div.three",
        {},
        countersTable("errors", s.errors),
        countersTable("drops", s.drops),
        countersTable(
          "transport",
          Object.fromEntries(
            Object.entries(s.transport ?? {}).filter(([, v]) =>
              v !== null && typeof v !== "object"
            ),
          ),
          ["statistic", "value"],
        ),
      ),
    );
    sync.tracks(s.tracks ?? []);
  }
  async function refresh() {
    try {
      render(await json(`/api/v1/streams/${enc}`));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) render(undefined);
    }
  }
  refresh();
  const timer = setInterval(refresh, 2000);
  const offs = [
    store.onEvent((d) => {
      if (d.stream !== id) return;
      const t = d.time / 1000;
      bitrateChart.push(t, [d.bitrateBps]);
      fpsChart.push(t, [d.fps]);
      lossChart.push(t, [d.lost, d.dropped, d.errors]);
    }, ["stream.stats"]),
    store.onEvent((d) => d.stream === id && gop.refresh(), ["stream.gop"]),
    store.onEvent((d) => d.stream === id && refresh(), ["stream.state", "stream.opened"]),
  ];
  return {
    destroy() {
      clearInterval(timer);
      offs.forEach((f) => f());
      for (const c of [bitrateChart, fpsChart, lossChart]) c.destroy();
      gop.destroy();
      sync.destroy();
      outputs.destroy();
    },
  };
}
