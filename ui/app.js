// The dashboard's shell: one event stream and one stream list shared by the pages, and
// a hash router (#/ the wall, #/stream/{id} a stream, #/system the box).
import { askToken, needsToken, ready } from "./api.js";
import { refreshStreams, store } from "./store.js";
import { subscribe } from "./sse.js";
import { wallPage } from "./wall.js";
import { streamPage } from "./stream.js";
import { systemPage } from "./system.js";

function setConn(state, text) {
  const el = document.getElementById("conn");
  el.dataset.state = state;
  el.textContent = text;
}

const LIFECYCLE = ["stream.opened", "stream.state", "stream.closed", "stream.removed"];
let debounce;

function route() {
  const h = location.hash.replace(/^#/, "") || "/";
  const m = /^\/stream\/(.+)$/.exec(h);
  if (m) return { page: "stream", id: decodeURIComponent(m[1]) };
  if (h === "/system") return { page: "system" };
  return { page: "wall" };
}

let current;
function render() {
  current?.destroy?.();
  const view = document.getElementById("view");
  view.replaceChildren();
  const r = route();
  for (const a of document.querySelectorAll("[data-nav]")) {
    a.toggleAttribute("aria-current", a.dataset.nav === r.page);
  }
  current = r.page === "stream"
    ? streamPage(view, r.id)
    : r.page === "system"
    ? systemPage(view)
    : wallPage(view);
}

async function main() {
  globalThis.addEventListener("hashchange", render);
  await ready();
  if (await needsToken()) {
    const btn = document.getElementById("token-btn");
    btn.hidden = false;
    btn.addEventListener("click", () => askToken("Enter another token.").then(refreshStreams));
  }
  subscribe({
    onEvent(type, data) {
      store.events.dispatchEvent(new CustomEvent("event", { detail: { type, data } }));
      if (LIFECYCLE.includes(type)) {
        clearTimeout(debounce);
        debounce = setTimeout(refreshStreams, 150);
      }
    },
    onState(s) {
      setConn(s === "open" ? "ok" : "error", s === "open" ? "live" : "reconnecting…");
    },
  });
  await refreshStreams();
  setInterval(refreshStreams, 2000);
  render();
}

main();
