/**
 * The manager's housekeeping pass over its streams (Manager.tick every 500 ms,
 * lib/stream/manager.ts): each stream's idle states (paused, recovering), the retention of
 * closed streams (`ingestion.closed_retention`), and the connect timeout of streams that
 * hold a slot without sending media (`ingestion.connect_timeout`).
 */
import type { Config } from "../config/config.ts";
import type { Logger } from "../core/log.ts";
import { IDLE_RECOVERING_MS, type Stream } from "./stream.ts";
import { recoveringAfterMs } from "./takeover.ts";

/** Closed streams stay listed this long by default (ms; `ingestion.closed_retention`). */
export const CLOSED_RETENTION_MS = 60_000;

/** What one pass needs besides the streams and the config. */
export interface Sweep {
  /** Monotonic clock, ms. */
  now: number;
  /** Wall clock, ms since the epoch (closedAt is wall time). */
  wall: number;
  retentionMs: number;
  log: Logger;
  /** Forgets a closed stream whose retention has passed (Manager.remove, "retention_expired"). */
  expire(id: string): void;
  /** Closes a live stream with `reason` and drops its connection. */
  disconnect(s: Stream, reason: string): void;
}

/** One housekeeping pass: ticks every stream, forgets expired closed ones, times out idle slots. */
export function sweepStreams(streams: Map<string, Stream>, config: Config, o: Sweep): void {
  const connectTimeout = config.ingestion.connectTimeout;
  for (const [id, s] of streams) {
    s.tick(o.now, recoveringAfterMs(s.protocol, config, IDLE_RECOVERING_MS));
    if (s.state === "closed" && s.closedAt && o.wall - s.closedAt.getTime() > o.retentionMs) {
      o.expire(id);
    } else if (
      s.state !== "closed" && !s.delivered && o.now - s.sessionStartMs > connectTimeout
    ) {
      // holds a max_connections slot without sending media: give the slot back
      o.log.warn("stream.connect_timeout", {
        stream: id,
        remote: s.remote,
        timeoutMs: connectTimeout,
      });
      o.disconnect(s, "connect_timeout");
    }
  }
}
