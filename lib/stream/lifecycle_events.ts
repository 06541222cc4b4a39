/**
 * How the manager (lib/stream/manager.ts) reports a stream's lifecycle: each state change,
 * open and takeover is logged and emitted on the bus (lib/stream/events.ts); closes and
 * takeovers are also counted, by "<protocol>_<reason>", for /api/v1/stats and /metrics.
 */
import type { Logger } from "../core/log.ts";
import type { TakeoverReason } from "../core/reasons/catalogue.ts";
import type { LabeledReasonCounter } from "./counters.ts";
import type { EventBus } from "./events.ts";
import type { Protocol, StreamState } from "./ports.ts";
import type { Stream } from "./stream.ts";

/** Where the reports go (the manager: its live log and bus). */
export interface Reporting {
  readonly log: Logger;
  readonly events: EventBus;
}

/** A stream changed state: logged and emitted; a close is counted in `closed` and emitted. */
export function reportState(
  r: Reporting,
  closed: Map<string, number>,
  st: Stream,
  from: StreamState,
  to: StreamState,
): void {
  r.log.info("stream.state", { stream: st.id, from, to, reason: st.closeReason });
  r.events.emit("stream.state", { stream: st.id, from, to, reason: st.closeReason });
  if (to === "closed") {
    const key = `${st.protocol}_${st.closeReason ?? "unknown"}`;
    closed.set(key, (closed.get(key) ?? 0) + 1);
    r.events.emit("stream.closed", { stream: st.id, reason: st.closeReason ?? "" });
  }
}

/** Emits `stream.opened` for a new or revived stream and returns it. */
export function announceOpened(events: EventBus, s: Stream): Stream {
  events.emit("stream.opened", {
    stream: s.id,
    protocol: s.protocol,
    remote: s.remote,
    sessions: s.sessions,
  });
  return s;
}

/** A new session continues a live stream: counted, logged and emitted. */
export function reportTakeover(
  r: Reporting,
  takeovers: LabeledReasonCounter<Protocol, TakeoverReason>,
  s: Stream,
  change: { reason: TakeoverReason; previousRemote: string; silentMs: number },
): void {
  takeovers.add(s.protocol, change.reason);
  const fields = {
    stream: s.id,
    protocol: s.protocol,
    reason: change.reason,
    remote: s.remote,
    previousRemote: change.previousRemote,
    sessions: s.sessions,
    silentMs: Math.round(change.silentMs),
  };
  r.log.info("stream.takeover", fields);
  r.events.emit("stream.takeover", fields);
}
