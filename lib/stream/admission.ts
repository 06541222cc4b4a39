/**
 * The admission rules of new publishers (Manager.admit in lib/stream/manager.ts asks them):
 * a name configured for the other protocol (name_reserved), one live stream per name
 * (duplicate), `ingestion.max_connections`, `ingestion.max_per_source` for the caller's
 * host. A takeover of a live stream (lib/stream/takeover.ts) is decided before these.
 */
import type { Config } from "../config/config.ts";
import { hostOf } from "../core/address.ts";
import type { RefusalReason } from "../core/reasons/catalogue.ts";
import type { Protocol } from "./ports.ts";
import type { Stream } from "./stream.ts";

/** Streams not closed. */
export function liveCount(streams: Iterable<Stream>): number {
  let n = 0;
  for (const s of streams) if (s.state !== "closed") n++;
  return n;
}

/** Live streams from the host of `remote` ("ip:port" or "[ip6]:port"). */
export function liveFromHost(streams: Iterable<Stream>, remote: string): number {
  const host = hostOf(remote);
  let n = 0;
  for (const s of streams) {
    if (s.state !== "closed" && hostOf(s.remote) === host) n++;
  }
  return n;
}

/**
 * The protocol a stream name belongs to: names in `rtp.streams` and `ssrc-*` to RTP,
 * names in the `srt.streams` allowlist to SRT; another protocol's publisher claiming
 * one is refused ("name_reserved"), so it cannot lock the configured one out.
 */
export function reservedFor(config: Config, name: string): Protocol | undefined {
  if (name.startsWith("ssrc-") || config.rtp.streams.some((s) => s.name === name)) return "rtp";
  if (Object.hasOwn(config.srt.streams, name)) return "srt";
  return undefined;
}

/** Why a publisher of `protocol` may not open `name` now, or undefined when it may. */
export function refusalReason(
  streams: ReadonlyMap<string, Stream>,
  config: Config,
  protocol: Protocol,
  name: string,
  remote?: string,
): RefusalReason | undefined {
  const owner = reservedFor(config, name);
  if (owner && owner !== protocol) return "name_reserved";
  const existing = streams.get(name);
  if (existing && existing.state !== "closed") return "duplicate";
  const ing = config.ingestion;
  if (liveCount(streams.values()) >= ing.maxConnections) return "max_connections";
  if (
    ing.maxPerSource > 0 && remote !== undefined &&
    liveFromHost(streams.values(), remote) >= ing.maxPerSource
  ) {
    return "max_per_source";
  }
  return undefined;
}
