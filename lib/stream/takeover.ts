/**
 * Who may take over a live stream (issue 16). A publisher presenting the id of a stream
 * that is still open normally gets `duplicate` (SRT reject 1409). Two exceptions, both
 * for SRT publishers (the keys live under `srt.`):
 * - `recovering`: the stream has had no data for `srt.takeover_after` (default 1 s). An
 *   encoder that crashed and came back is not made to wait until libsrt notices the dead
 *   peer (`srt.peer_idle_timeout`, 5 s): it takes its stream over at once.
 * - `override`: with `srt.override_publisher: true` a new publisher replaces one that
 *   is still sending (what MediaMTX does by default).
 * The old session is closed with reason `replaced` and the same Stream continues (see
 * Stream.takeOver in lib/stream/stream.ts). RTP senders restarting on a new SSRC or source port
 * are continued in the demux instead (lib/transport/rtp/source_identity.ts).
 */
import type { Config } from "../config/config.ts";
import type { TakeoverReason } from "../core/reasons/catalogue.ts";
import type { Protocol, StreamState } from "./ports.ts";

/** What the policy needs to know about the live stream. */
export interface TakeoverSubject {
  readonly protocol: Protocol;
  readonly state: StreamState;
  /** Monotonic ms of the last data of the stream (0 when none yet). */
  readonly lastDataMs: number;
  /** Monotonic ms the current session began. */
  readonly sessionStartMs: number;
}

/** Ms the subject has been silent at `nowMs`: since its last data or its session start. */
export function silentMs(s: TakeoverSubject, nowMs: number): number {
  return nowMs - Math.max(s.lastDataMs, s.sessionStartMs);
}

/**
 * Whether a publisher of `protocol` may take the live stream `s` over at `nowMs`, and
 * why; undefined when it must be refused as a duplicate.
 */
export function takeoverReason(
  s: TakeoverSubject,
  protocol: Protocol,
  cfg: Config,
  nowMs: number,
): TakeoverReason | undefined {
  if (s.state === "closed" || s.protocol !== protocol || protocol !== "srt") return undefined;
  if (s.state === "recovering" || silentMs(s, nowMs) >= cfg.srt.takeoverAfter) {
    return "recovering";
  }
  return cfg.srt.overridePublisher ? "override" : undefined;
}

/** The silence after which a stream of `protocol` shows `recovering`, ms. */
export function recoveringAfterMs(protocol: Protocol, cfg: Config, fallbackMs: number): number {
  return protocol === "srt" ? cfg.srt.takeoverAfter : fallbackMs;
}
