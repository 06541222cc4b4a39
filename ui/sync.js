// The A/V sync panel of a stream page: GET /api/v1/sync/status/{id} (fields of the A/V
// sync issue: reference, state, avOffsetMs, targetAvOffsetMs, outputAvOffsetMs,
// thresholdMs, tracks, corrections) with offset graphs, and the adjust field
// (POST /api/v1/sync/adjust/{id} { track?, offsetMs }). Until this sluice's OpenAPI
// document says the routes answer 200, the panel says that A/V sync is not built yet.
import { json, offers, post } from "./api.js";
import { timeChart } from "./charts.js";
import { h, num } from "./format.js";

const ms = (v) => (v == null ? "–" : `${num(v, 1)} ms`);

export function syncPanel(box, id) {
  const enc = encodeURIComponent(id);
  const status = h("div.sync-status");
  const chartEl = h("div.chart");
  const trackSel = h("select", { id: "sync-track", "aria-label": "track to shift" });
  const offset = h("input", {
    id: "sync-offset",
    type: "number",
    step: "1",
    value: "0",
    "aria-label": "manual offset in ms",
  });
  const apply = h("button", { type: "submit" }, "Apply");
  const result = h("span.msg", { role: "status", "aria-live": "polite" });
  const form = h(
    "form.adjust",
    {},
    h("label", { for: "sync-track" }, "Track"),
    trackSel,
    h("label", { for: "sync-offset" }, "Offset (ms)"),
    offset,
    apply,
    result,
  );
  box.append(h("h2#sync-h", {}, "A/V sync"), status, chartEl, form);
  let chart, timer, gone = false, canAdjust = false;

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { offsetMs: Number(offset.value) };
    if (trackSel.value) body.track = Number(trackSel.value);
    try {
      render(await post(`/api/v1/sync/adjust/${enc}`, body));
      result.textContent = `set ${body.offsetMs} ms`;
    } catch (err) {
      result.textContent = err.message;
    }
  });

  function render(s) {
    const rows = [
      ["reference", s.reference],
      ["state", s.state],
      ["A/V offset", ms(s.avOffsetMs)],
      ["target", ms(s.targetAvOffsetMs)],
      ["output A/V offset", ms(s.outputAvOffsetMs)],
      ["threshold", ms(s.thresholdMs)],
    ];
    const c = s.corrections ?? {};
    status.replaceChildren(
      h("dl.kv", {}, rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v ?? "–")])),
      h(
        "table",
        {},
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["track", "kind", "codec", "ref", "offset", "drift", "jitter", "correction", "manual"]
              .map((x) => h("th", { scope: "col" }, x)),
          ),
        ),
        h(
          "tbody",
          {},
          (s.tracks ?? []).map((t) =>
            h(
              "tr",
              {},
              [
                t.id,
                t.kind,
                t.codec,
                t.reference,
                ms(t.offsetMs),
                t.driftPpm == null ? "–" : `${num(t.driftPpm, 1)} ppm`,
                ms(t.jitterMs),
                ms(t.correctionMs),
                ms(t.manualOffsetMs),
              ].map((x) => h("td", {}, x ?? "–")),
            )
          ),
        ),
      ),
      h(
        "p.muted",
        {},
        `corrections ${c.count ?? 0}: slewed ${ms(c.slewedMs)}, frames dropped ${
          c.framesDropped ?? 0
        }, ` +
          `duplicated ${c.framesDuplicated ?? 0}, resyncs ${c.resyncs ?? 0}`,
      ),
    );
    const t = Date.now() / 1000;
    const band = s.thresholdMs ?? null;
    const tgt = s.targetAvOffsetMs;
    chart?.push(t, [
      s.avOffsetMs,
      s.outputAvOffsetMs,
      tgt == null || band == null ? null : tgt - band,
      tgt == null || band == null ? null : tgt + band,
    ]);
  }

  async function poll() {
    try {
      render(await json(`/api/v1/sync/status/${enc}`));
    } catch (e) {
      status.replaceChildren(h("p.muted", {}, `A/V sync: ${e.message}`));
    }
    if (!gone) timer = setTimeout(poll, 2000);
  }

  (async () => {
    const canRead = await offers("get", "/api/v1/sync/status/{id}");
    canAdjust = await offers("post", "/api/v1/sync/adjust/{id}");
    if (gone) return;
    if (!canRead) {
      status.replaceChildren(h(
        "p.note",
        { "data-state": "unavailable" },
        "A/V sync is not built into this sluice yet (its API answers 501): offset, drift and " +
          "corrections appear here once it is.",
      ));
      chartEl.remove();
    } else {
      chart = timeChart(chartEl, {
        title: "A/V offset (ms): measured, output, threshold band",
        series: [
          { label: "A/V offset" },
          { label: "output" },
          { label: "target − threshold", color: "#475569" },
          { label: "target + threshold", color: "#475569" },
        ],
        fmt: (v) => num(v, 0),
        height: 140,
      });
      poll();
    }
    for (const el of form.elements) el.disabled = !canAdjust;
    if (!canAdjust) result.textContent = "adjusting needs A/V sync";
  })();

  return {
    /** Fills the track choice with the stream's audio tracks (default: the first audio). */
    tracks(list) {
      const audio = list.filter((t) => t.kind === "audio");
      const want = ["", ...audio.map((t) => String(t.id))];
      const have = [...trackSel.options].map((o) => o.value);
      if (want.join() === have.join()) return;
      trackSel.replaceChildren(
        h("option", { value: "" }, "first audio"),
        ...audio.map((t) => h("option", { value: t.id }, `${t.id} ${t.codec}`)),
      );
      for (const el of form.elements) el.disabled = !canAdjust;
    },
    destroy() {
      gone = true;
      clearTimeout(timer);
      chart?.destroy();
    },
  };
}
