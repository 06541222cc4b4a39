// The outputs panel of a stream page: GET /api/v1/outputs (state, target, since, bytes,
// drops by reason, retries, next attempt, breaker, last error per output; per stream in
// `relays`) filtered to the outputs that take this stream, with a restart button each,
// and the stream's live.ts clients. Until this sluice's OpenAPI
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

  function render(list, live) {
    const mine = list.filter((o) => covers(o, id));
    const pulls = live.filter((l) => l.stream === id);
    const pullLine = h(
      "p.muted",
      { "data-live": pulls.length },
      `live.ts clients: ${pulls.length}` +
        (pulls.length ? ` (${pulls.map((l) => `${l.remote} ${bytes(l.bytes)}`).join(", ")})` : "") +
        ` · ${location.origin}/api/v1/streams/${encodeURIComponent(id)}/live.ts`,
    );
    if (!mine.length) {
      body.replaceChildren(
        h("p.muted", {}, `No output takes this stream (${list.length} configured).`),
        pullLine,
      );
      return;
    }
    body.replaceChildren(
      pullLine,
      h(
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
            // an output with a glob has one relay per stream: show this stream's
            const r = o.relays?.find((x) => x.stream === id) ?? o;
            const breaker = typeof r.breaker === "object" ? r.breaker?.state : r.breaker;
            return h(
              "tr",
              { "data-state": r.state, "data-output": o.name },
              [
                o.name,
                r.state,
                r.target || o.url || "–",
                r.since ? new Date(r.since).toLocaleTimeString() : "–",
                bytes(r.bytes),
                typeof r.drops === "object" ? String(total(r.drops)) : String(r.drops ?? 0),
                String(r.retries ?? 0),
                breaker ?? "–",
                r.lastError ?? "–",
              ].map((x) => h("td", {}, x)).concat(h("td", {}, btn)),
            );
          }),
        ),
      ),
    );
  }

  async function poll() {
    try {
      const r = await json("/api/v1/outputs");
      render(Array.isArray(r) ? r : r.outputs ?? [], r.live ?? []);
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
