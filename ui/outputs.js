// The outputs panel of a stream page: GET /api/v1/outputs (state, target, since, bytes,
// drops by reason, retries, next attempt, breaker, last error per output) filtered to the
// outputs that take this stream, with a restart button each. Until this sluice's OpenAPI
// document lists /api/v1/outputs the panel says outputs are not built yet.
import { json, offers, post } from "./api.js";
import { bytes, h, total } from "./format.js";

/** True when an output's `stream` (an id or a glob such as "cam*") covers `id`. */
export function covers(o, id) {
  if (Array.isArray(o.streams) && o.streams.includes(id)) return true;
  const pat = o.stream;
  if (typeof pat !== "string") return false;
  const re = new RegExp(
    `^${pat.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`,
  );
  return re.test(id);
}

export function outputsPanel(box, id) {
  const body = h("div");
  box.append(h("h2#outputs-h", {}, "Outputs"), body);
  let timer, gone = false, canRestart = false;

  function render(list) {
    const mine = list.filter((o) => covers(o, id));
    if (!mine.length) {
      body.replaceChildren(
        h("p.muted", {}, `No output takes this stream (${list.length} configured).`),
      );
      return;
    }
    body.replaceChildren(h(
      "table",
      {},
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          [
            "name",
            "state",
            "target",
            "since",
            "bytes",
            "drops",
            "retries",
            "breaker",
            "last error",
            "",
          ].map((x) => h("th", { scope: "col" }, x)),
        ),
      ),
      h(
        "tbody",
        {},
        mine.map((o) => {
          const btn = h("button.small", { type: "button", disabled: !canRestart }, "Restart");
          btn.addEventListener("click", () => {
            post(`/api/v1/outputs/${encodeURIComponent(o.name)}/restart`).catch((
              e,
            ) => (btn.title = e.message));
          });
          const breaker = typeof o.breaker === "object" ? o.breaker?.state : o.breaker;
          return h(
            "tr",
            { "data-state": o.state },
            [
              o.name,
              o.state,
              o.target ?? o.url ?? "–",
              o.since ? new Date(o.since).toLocaleTimeString() : "–",
              bytes(o.bytes),
              typeof o.drops === "object" ? String(total(o.drops)) : String(o.drops ?? 0),
              String(o.retries ?? 0),
              breaker ?? "–",
              o.lastError ?? "–",
            ].map((x) => h("td", {}, x)).concat(h("td", {}, btn)),
          );
        }),
      ),
    ));
  }

  async function poll() {
    try {
      const r = await json("/api/v1/outputs");
      render(Array.isArray(r) ? r : r.outputs ?? []);
    } catch (e) {
      body.replaceChildren(h("p.muted", {}, `outputs: ${e.message}`));
    }
    if (!gone) timer = setTimeout(poll, 2000);
  }

  (async () => {
    const have = await offers("get", "/api/v1/outputs");
    canRestart = await offers("post", "/api/v1/outputs/{name}/restart");
    if (gone) return;
    if (!have) {
      body.replaceChildren(h(
        "p.note",
        { "data-state": "unavailable" },
        "Outputs (SRT/UDP push, live MPEG-TS) are not built into this sluice yet; their state " +
          "appears here once they are.",
      ));
      return;
    }
    poll();
  })();
  return {
    destroy() {
      gone = true;
      clearTimeout(timer);
    },
  };
}
