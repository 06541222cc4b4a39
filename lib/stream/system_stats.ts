/**
 * The box's statistics for GET /api/v1/stats (routes/stats.ts adds the event loop lag and
 * the SSE hub): streams by state and codec, totals over all streams, refusals, closes,
 * takeovers, port errors and memory. The fields are the `Stats` schema in
 * routes/openapi_stats_schemas.ts.
 */
import type { Config } from "../config/config.ts";
import type { Stream } from "./stream.ts";

/** What the statistics are read from (lib/stream/manager.ts Manager). */
export interface StatsSource {
  readonly streams: ReadonlyMap<string, Stream>;
  readonly config: Config;
  readonly startedAt: Date;
  readonly opened: number;
  readonly liveCount: number;
  readonly bufferedBytes: number;
  readonly refused: { toJSON(): Record<string, number> };
  readonly closed: ReadonlyMap<string, number>;
  readonly takeovers: { toJSON(): Record<string, number> };
  readonly portErrors: { toJSON(): Record<string, number> };
}

/** System statistics of `m` at monotonic time `now` (ms). */
export function systemStats(m: StatsSource, now: number): Record<string, unknown> {
  const byState: Record<string, number> = {};
  const byCodec: Record<string, number> = {};
  let bitrate = 0;
  let packets = 0;
  let bytes = 0;
  let errors = 0;
  let drops = 0;
  for (const s of m.streams.values()) {
    byState[s.state] = (byState[s.state] ?? 0) + 1;
    for (const t of s.tracks.values()) byCodec[t.info.codec] = (byCodec[t.info.codec] ?? 0) + 1;
    if (s.state !== "closed") bitrate += s.bitrate.rate(now, 1);
    packets += s.packets;
    bytes += s.bytes;
    errors += s.errors.total;
    drops += s.drops.total;
  }
  const mem = Deno.memoryUsage();
  return {
    uptimeS: Math.round((Date.now() - m.startedAt.getTime()) / 1000),
    streams: { total: m.streams.size, live: m.liveCount, byState, opened: m.opened },
    maxConnections: m.config.ingestion.maxConnections,
    codecs: byCodec,
    bitrateBps: Math.round(bitrate),
    packets,
    bytes,
    errors,
    drops,
    refused: m.refused.toJSON(),
    closed: Object.fromEntries(m.closed),
    takeovers: m.takeovers.toJSON(),
    portErrors: m.portErrors.toJSON(),
    memory: {
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      bufferedBytes: m.bufferedBytes,
      globalLimitBytes: m.config.ingestion.memory.globalLimit,
      perStreamLimitBytes: m.config.ingestion.memory.perStreamLimit,
    },
  };
}
