// The system page: memory against the global and per-stream limits, listeners, refusals,
// event-loop lag, the event stream's clients, and the recent events log (the bus ring
// via /api/v1/events/recent, then live events).
import { json } from "./api.js";
import { timeChart } from "./charts.js";
import { bytes, duration, h, num } from "./format.js";
import { store } from "./store.js";

const LOG_TYPES = [
  "stream.opened",
  "stream.state",
  "stream.closed",
  "stream.removed",
  "stream.refused",
  "memory.pressure",
];
const LOG_MAX = 200;

function bar(label, used, limit) {
  const pct = limit > 0 ? Math.min(100, (used / limit) * 100) : 0;
  return h(
    "div.bar",
    {},
    h("span.bar-label", {}, label),
    h("meter", {
      min: 0,
      max: limit || 1,
      value: used,
      high: (limit || 1) * 0.8,
      "aria-label": label,
    }),
    h("span.bar-value", {}, `${bytes(used)} of ${bytes(limit)} (${num(pct, 0)}%)`),
  );
}

function describe(e) {
  const d = e.data;
  switch (e.type) {
    case "stream.opened":
      return `${d.stream} opened (${d.protocol} from ${d.remote}${
        d.sessions > 1 ? `, session ${d.sessions}` : ""
      })`;
    case "stream.state":
      return `${d.stream}: ${d.from} → ${d.to}${d.reason ? ` (${d.reason})` : ""}`;
    case "stream.closed":
      return `${d.stream} closed: ${d.reason}`;
    case "stream.removed":
      return `${d.stream} removed: ${d.reason}`;
    case "stream.refused":
      return `refused ${d.protocol} ${d.stream ?? ""} ${d.remote ?? ""}: ${d.reason}`;
    case "memory.pressure":
      return `memory pressure: freed ${bytes(d.freedBytes)}, ${bytes(d.bufferedBytes)} of ${
        bytes(d.limitBytes)
      }`;
    default:
      return JSON.stringify(d);
  }
}

export function systemPage(view) {
  const mem = h("section.panel", { "aria-labelledby": "mem-h" });
  const lis = h("section.panel", { "aria-labelledby": "lis-h" });
  const ref = h("section.panel", { "aria-labelledby": "ref-h" });
  const lagEl = h("div.chart");
  const lag = h(
    "section.panel",
    { "aria-labelledby": "lag-h" },
    h("h2#lag-h", {}, "Event loop"),
    lagEl,
  );
  const logList = h("ol.log", { "aria-live": "off" });
  const log = h(
    "section.panel",
    { "aria-labelledby": "log-h" },
    h("h2#log-h", {}, "Recent events"),
    logList,
  );
  view.append(h("h1", {}, "System"), h("div.two", {}, mem, lis), h("div.two", {}, ref, lag), log);
  const lagChart = timeChart(lagEl, {
    title: "Event-loop lag (ms)",
    series: [{ label: "last" }, { label: "max (decaying)" }],
    fmt: (v) => num(v, 1),
    height: 140,
  });
  const line = (e) =>
    h(
      "li",
      { "data-type": e.type },
      h("time", {}, new Date(e.time).toLocaleTimeString()),
      " ",
      describe(e),
    );
  function addLog(e) {
    logList.prepend(line(e));
    while (logList.children.length > LOG_MAX) logList.lastChild.remove();
  }

  async function poll() {
    try {
      const [st, health] = await Promise.all([json("/api/v1/stats"), json("/api/v1/health")]);
      const m = st.memory;
      mem.replaceChildren(
        h("h2#mem-h", {}, "Memory"),
        bar("buffered media (global limit)", m.bufferedBytes, m.globalLimitBytes),
        ...store.streams.map((s) =>
          bar(`${s.id} (per-stream limit)`, s.bufferedBytes ?? 0, m.perStreamLimitBytes)
        ),
        h(
          "p.muted",
          {},
          `process: RSS ${bytes(m.rssBytes)}, heap ${bytes(m.heapUsedBytes)}; up ${
            duration(st.uptimeS)
          }`,
        ),
      );
      lis.replaceChildren(
        h("h2#lis-h", {}, "Listeners"),
        h(
          "table",
          {},
          h(
            "thead",
            {},
            h("tr", {}, ["listener", "state", "details"].map((x) => h("th", { scope: "col" }, x))),
          ),
          h(
            "tbody",
            {},
            Object.entries(health.listeners).map(([name, l]) =>
              h(
                "tr",
                {},
                h("td", {}, name),
                h("td", { "data-state": l.enabled ? "ok" : "down" }, l.enabled ? "up" : "disabled"),
                h(
                  "td.wrap",
                  {},
                  Object.entries(l).filter(([k]) => k !== "enabled")
                    .map(([k, v]) => `${k} ${typeof v === "object" ? JSON.stringify(v) : v}`)
                    .join(", "),
                ),
              )
            ),
          ),
        ),
        h(
          "p.muted",
          {},
          `status ${health.status}, version ${health.version}; streams ${st.streams.live} live of ${st.maxConnections}`,
        ),
      );
      const refused = Object.entries(st.refused ?? {}), port = Object.entries(st.portErrors ?? {});
      const ev = st.events ?? {};
      ref.replaceChildren(
        h("h2#ref-h", {}, "Refusals"),
        refused.length || port.length
          ? h(
            "table",
            {},
            h(
              "thead",
              {},
              h("tr", {}, ["what", "reason", "count"].map((x) => h("th", { scope: "col" }, x))),
            ),
            h("tbody", {}, [
              ...refused.map(([k, v]) =>
                h(
                  "tr",
                  {},
                  h("td", {}, "publisher refused"),
                  h("td", {}, k),
                  h("td", {}, String(v)),
                )
              ),
              ...port.map(([k, v]) =>
                h(
                  "tr",
                  {},
                  h("td", {}, "port input rejected"),
                  h("td", {}, k),
                  h("td", {}, String(v)),
                )
              ),
            ]),
          )
          : h("p.muted", {}, "No publisher refused, no input rejected."),
        h(
          "p.muted",
          {},
          `event stream: ${ev.clients ?? 0} clients, ${ev.queuedEvents ?? 0} queued, ${
            ev.droppedEvents ?? 0
          } dropped for slow clients`,
        ),
      );
      lagChart.push(Date.now() / 1000, [st.eventLoopLagMs, st.eventLoopLagMaxMs]);
    } catch (e) {
      mem.replaceChildren(h("p.muted", {}, `stats: ${e.message}`));
    }
  }
  poll();
  const timer = setInterval(poll, 2000);
  json(`/api/v1/events/recent?types=${LOG_TYPES.join(",")}&limit=${LOG_MAX}`)
    .then((r) => r.events.forEach((e) => addLog({ ...e, time: Date.parse(e.time) })))
    .catch(() => {});
  const off = store.onEvent((data, type) => addLog({ type, data, time: data.time }), LOG_TYPES);
  return {
    destroy() {
      clearInterval(timer);
      off();
      lagChart.destroy();
    },
  };
}
