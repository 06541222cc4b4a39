// The event stream (/api/v1/events) read with fetch() instead of EventSource, because
// EventSource cannot send the Authorization header. Reconnects with Last-Event-ID, so
// events in the server's ring are not lost across short drops.
import { askToken, authHeaders, ready } from "./api.js";

/**
 * Calls onEvent(type, data, id) for each event until stop() is called;
 * onState("open" | "retrying" | "closed") reports the connection.
 */
export function subscribe({ onEvent, onState, types }) {
  let lastId;
  let ctrl;
  let stopped = false;
  const q = types ? `?types=${encodeURIComponent(types.join(","))}` : "";
  async function loop() {
    for (let attempt = 0; !stopped; attempt++) {
      try {
        await ready();
        ctrl = new AbortController();
        const headers = authHeaders(
          lastId !== undefined ? { "last-event-id": String(lastId) } : {},
        );
        const r = await fetch(`/api/v1/events${q}`, { headers, signal: ctrl.signal });
        if (r.status === 401) {
          sessionStorage.removeItem("sluice.token");
          await askToken("The token was refused; enter a valid one.");
          continue;
        }
        if (!r.ok || !r.body) throw new Error(`events: HTTP ${r.status}`);
        attempt = 0;
        onState?.("open");
        const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let i;
          while ((i = buf.indexOf("\n\n")) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            let type = "message", data = "", id;
            for (const line of block.split("\n")) {
              if (line.startsWith("event: ")) type = line.slice(7);
              else if (line.startsWith("data: ")) data += line.slice(6);
              else if (line.startsWith("id: ")) id = Number(line.slice(4));
            }
            if (!data) continue;
            if (id !== undefined) lastId = id;
            try {
              onEvent(type, JSON.parse(data), id);
            } catch (e) {
              console.warn("event handler failed", type, e);
            }
          }
        }
      } catch (e) {
        if (stopped || e?.name === "AbortError") break;
      }
      if (stopped) break;
      onState?.("retrying");
      await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** attempt)));
    }
    onState?.("closed");
  }
  loop();
  return {
    stop() {
      stopped = true;
      ctrl?.abort();
    },
  };
}
