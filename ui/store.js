// Shared state of the pages: the stream list (refreshed every 2 s and on lifecycle
// events) and the bus events read by ui/sse.js.
import { json } from "./api.js";

/** Shared state: the stream list (refreshed every 2 s and on lifecycle events) and events. */
export const store = {
  streams: [],
  events: new EventTarget(),
  listeners: new Set(),
  onStreams(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  },
  /** fn(data, type) for bus events of `types` (all when omitted). */
  onEvent(fn, types) {
    const h = (e) => (!types || types.includes(e.detail.type)) && fn(e.detail.data, e.detail.type);
    this.events.addEventListener("event", h);
    return () => this.events.removeEventListener("event", h);
  },
};

let refreshing;
let again = false;
export async function refreshStreams() {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    try {
      store.streams = (await json("/api/v1/streams")).streams;
      for (const fn of store.listeners) fn(store.streams);
    } catch (e) {
      store.error = e.message;
    }
  })();
  await refreshing;
  refreshing = undefined;
  if (again) {
    again = false;
    refreshStreams();
  }
}
