/**
 * The metric catalogue: every series family sluice exports on /metrics, declared once with
 * its name, type, unit, label names and one line of help (and buckets for a histogram).
 * Code that records or reports a value names the family here, so a misspelt family or a
 * missing or extra label fails `deno task check` (the `Emit` and instrument types of
 * lib/core/metrics/registry.ts are derived from this table). The README's metrics reference
 * is generated from it (`deno task metrics`, lib/core/metrics/doc.ts) and
 * tests/unit/core/metrics/families_test.ts fails when the two disagree or a name breaks the
 * Prometheus conventions (docs/ARCHITECTURE.md "Metrics").
 *
 * Conventions (what `promtool check metrics` enforces, and the rest of them):
 * - base units in the name: `_seconds`, `_bytes` (never ms, bits, Mb/s);
 * - counters (anything cumulative: packets, bytes, losses, frames, errors by reason,
 *   refusals, retries) end in `_total`; gauges are levels only and never end in `_total`;
 * - identities are labels (`stream`, `protocol`, `track`, `codec`, `ssrc`, `reason`,
 *   `listener` ...), never values; label values come from bounded sets: catalogue reasons
 *   (lib/core/reasons/catalogue.ts), codec and protocol names, config names, stream ids (bounded by
 *   `ingestion.max_connections` and gone `ingestion.closed_retention` after the close),
 *   never from other input bytes;
 * - per-stream series are read from the stream's own state at scrape time, so they vanish
 *   with the stream; registry instruments (histograms) carry no `stream` label.
 */

import type { FamilyInfo, MetricType } from "./family_info.ts";
import { EGRESS_FAMILIES } from "./families_egress.ts";
import { TRANSPORT_FAMILIES } from "./families_transport.ts";

/** Frame latency buckets: 50 us to 100 ms, dense around the 1 ms goal. */
// deno-fmt-ignore
export const FRAME_LATENCY_BUCKETS: readonly number[] = [0.00005, 0.0001, 0.0002, 0.0005, 0.00075, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1];

/** Event-loop lag buckets: 1 ms (timer noise) to 5 s (a stall). */
// deno-fmt-ignore
export const EVENT_LOOP_LAG_BUCKETS: readonly number[] = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

/** API request duration buckets: 0.5 ms to 10 s. */
// deno-fmt-ignore
export const API_DURATION_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const STREAM = ["stream", "protocol"] as const;
const TRACK = ["stream", "protocol", "track", "kind", "codec"] as const;

/** The catalogue, grouped by the part of sluice that reports it. */
const CATALOGUE = {
  // --- process (the standard process collector names, read from /proc/self) ---
  process_cpu_seconds_total: {
    type: "counter",
    unit: "seconds",
    labels: [],
    help: "User and system CPU time the process has used.",
  },
  process_resident_memory_bytes: {
    type: "gauge",
    unit: "bytes",
    labels: [],
    help: "Resident memory size of the process.",
  },
  process_virtual_memory_bytes: {
    type: "gauge",
    unit: "bytes",
    labels: [],
    help: "Virtual memory size of the process.",
  },
  process_open_fds: {
    type: "gauge",
    unit: "fds",
    labels: [],
    help: "Open file descriptors (sockets included).",
  },
  process_max_fds: {
    type: "gauge",
    unit: "fds",
    labels: [],
    help: "Limit on open file descriptors (RLIMIT_NOFILE).",
  },
  process_start_time_seconds: {
    type: "gauge",
    unit: "seconds",
    labels: [],
    help: "Start time of the process since the Unix epoch.",
  },
  // --- runtime ---
  sluice_build_info: {
    type: "gauge",
    unit: "1",
    labels: ["version", "commit"],
    help: "Always 1; the labels name the running build.",
  },
  sluice_heap_used_bytes: {
    type: "gauge",
    unit: "bytes",
    labels: [],
    help: "V8 heap in use.",
  },
  sluice_heap_total_bytes: {
    type: "gauge",
    unit: "bytes",
    labels: [],
    help: "V8 heap reserved.",
  },
  sluice_external_memory_bytes: {
    type: "gauge",
    unit: "bytes",
    labels: [],
    help: "Memory outside the V8 heap held by JavaScript objects (media buffers).",
  },
  sluice_pes_slabs_total: {
    type: "counter",
    unit: "slabs",
    labels: ["source"],
    help:
      "H.264/H.265 PES slabs (1 MiB) taken: fresh (new memory) or reused (freed by the GOP buffer, or spare from an ended input).",
  },
  sluice_pes_slabs_spare: {
    type: "gauge",
    unit: "slabs",
    labels: [],
    help:
      "PES slabs (1 MiB) held for the next input to take: given back by ended inputs and removed streams (at most 16).",
  },
  sluice_event_loop_lag_seconds: {
    type: "histogram",
    unit: "seconds",
    labels: [],
    help:
      "How late the process clock woke, sampled every 100 ms: time the event loop was busy elsewhere.",
    buckets: EVENT_LOOP_LAG_BUCKETS,
  },
  // --- API ---
  sluice_api_request_duration_seconds: {
    type: "histogram",
    unit: "seconds",
    labels: ["method", "route", "status"],
    help: "API request handling time by route pattern (`unmatched` for none) and status.",
    buckets: API_DURATION_BUCKETS,
  },
  // --- streams (lib/stream/manager.ts) ---
  sluice_streams_live: {
    type: "gauge",
    unit: "streams",
    labels: [],
    help: "Streams not closed.",
  },
  sluice_streams_opened_total: {
    type: "counter",
    unit: "streams",
    labels: [],
    help: "Streams opened or revived by a returning publisher.",
  },
  sluice_streams_refused_total: {
    type: "counter",
    unit: "publishers",
    labels: ["protocol", "reason"],
    help: "Publishers refused, by refusal reason (README reasons table).",
  },
  sluice_streams_takeovers_total: {
    type: "counter",
    unit: "sessions",
    labels: ["protocol", "reason"],
    help: "Live streams continued by a new publisher session, by takeover reason.",
  },
  sluice_streams_closed_total: {
    type: "counter",
    unit: "streams",
    labels: ["protocol", "reason"],
    help: "Stream sessions closed, by close reason (connect_timeout, peer_closed, shutdown ...).",
  },
  sluice_port_errors_total: {
    type: "counter",
    unit: "events",
    labels: ["listener", "reason"],
    help: "Input rejected on a listener's port before it belonged to a stream, by reason.",
  },
  sluice_buffered_bytes: {
    type: "gauge",
    unit: "bytes",
    labels: [],
    help: "Media held in all streams' GOP buffers.",
  },
  sluice_memory_limit_bytes: {
    type: "gauge",
    unit: "bytes",
    labels: [],
    help: "`ingestion.memory.global_limit`: the cap on all buffered media.",
  },
  // --- listeners ---
  sluice_listener_enabled: {
    type: "gauge",
    unit: "1",
    labels: ["listener"],
    help: "1 when the listener is bound and receiving, 0 when disabled (see /api/v1/health).",
  },
  sluice_udp_datagrams_total: {
    type: "counter",
    unit: "datagrams",
    labels: ["listener"],
    help: "Datagrams read from the listener's UDP socket.",
  },
  sluice_udp_received_bytes_total: {
    type: "counter",
    unit: "bytes",
    labels: ["listener"],
    help: "Bytes read from the listener's UDP socket.",
  },
  sluice_udp_truncated_total: {
    type: "counter",
    unit: "datagrams",
    labels: ["listener"],
    help: "Datagrams larger than the receive slot, dropped.",
  },
  sluice_udp_kernel_drops_total: {
    type: "counter",
    unit: "datagrams",
    labels: ["listener"],
    help: "Datagrams the kernel dropped on a full socket buffer (SO_RXQ_OVFL).",
  },
  // --- one stream (lib/stream/stream.ts) ---
  sluice_stream_state: {
    type: "gauge",
    unit: "1",
    labels: [...STREAM, "state"],
    help: "1 for the stream's current state, 0 for the others.",
  },
  sluice_stream_start_time_seconds: {
    type: "gauge",
    unit: "seconds",
    labels: STREAM,
    help: "When the stream was first opened, since the Unix epoch.",
  },
  sluice_stream_sessions_total: {
    type: "counter",
    unit: "sessions",
    labels: STREAM,
    help: "Publisher sessions of the stream (1 + reconnects within the retention window).",
  },
  sluice_stream_packets_total: {
    type: "counter",
    unit: "packets",
    labels: STREAM,
    help: "Transport packets received (RTP packets; 188-byte TS packets for SRT).",
  },
  sluice_stream_received_bytes_total: {
    type: "counter",
    unit: "bytes",
    labels: STREAM,
    help: "Transport payload bytes received.",
  },
  sluice_stream_received_bytes_per_second: {
    type: "gauge",
    unit: "bytes/s",
    labels: STREAM,
    help: "Input rate over the last second (0 once closed); rate() of the counter for others.",
  },
  sluice_stream_buffered_bytes: {
    type: "gauge",
    unit: "bytes",
    labels: STREAM,
    help: "Media held in the stream's GOP buffer.",
  },
  sluice_stream_errors_total: {
    type: "counter",
    unit: "events",
    labels: [...STREAM, "reason"],
    help: "Malformed input, by error reason (README reasons table).",
  },
  sluice_stream_drops_total: {
    type: "counter",
    unit: "events",
    labels: [...STREAM, "reason"],
    help: "Data discarded on purpose (loss, limits, pause), by drop reason.",
  },
  // --- tracks and frames ---
  sluice_track_frames_total: {
    type: "counter",
    unit: "frames",
    labels: TRACK,
    help: "Frames (access units) assembled.",
  },
  sluice_track_keyframes_total: {
    type: "counter",
    unit: "frames",
    labels: TRACK,
    help: "Key frames (random access points) assembled.",
  },
  sluice_track_bytes_total: {
    type: "counter",
    unit: "bytes",
    labels: TRACK,
    help: "Bytes of the frames assembled.",
  },
  sluice_frame_latency_seconds: {
    type: "histogram",
    unit: "seconds",
    labels: ["protocol", "codec"],
    help: "Input that completed a frame received (or released by the jitter buffer or frame " +
      "timeout) -> frame handed to the GOP buffer and outputs.",
    buckets: FRAME_LATENCY_BUCKETS,
  },
  // --- A/V sync (lib/sync/stream_sync.ts; absent until measurable) ---
  sluice_sync_track_offset_seconds: {
    type: "gauge",
    unit: "seconds",
    labels: TRACK,
    help: "Track presentation time minus the reference time at arrival (offsetMs).",
  },
  sluice_sync_track_drift_ratio: {
    type: "gauge",
    unit: "1",
    labels: TRACK,
    help: "Track clock drift against the stream's reference (driftPpm / 1e6; + = fast).",
  },
  sluice_sync_av_offset_seconds: {
    type: "gauge",
    unit: "seconds",
    labels: STREAM,
    help: "Audio minus video presentation offset (avOffsetMs; + = audio lags).",
  },
  sluice_sync_target_av_offset_seconds: {
    type: "gauge",
    unit: "seconds",
    labels: STREAM,
    help: "A/V offset the correction aims for (lock relation or 0, plus manual offsets).",
  },
  sluice_sync_output_av_offset_seconds: {
    type: "gauge",
    unit: "seconds",
    labels: STREAM,
    help: "A/V offset on the output timeline after correction.",
  },
  sluice_sync_corrections_total: {
    type: "counter",
    unit: "events",
    labels: STREAM,
    help: "A/V corrections started (automatic engagements, manual adjustments, reference changes).",
  },
  sluice_sync_slewed_seconds_total: {
    type: "counter",
    unit: "seconds",
    labels: STREAM,
    help: "Output time moved by slewing (at most 1 ms per frame).",
  },
  sluice_sync_frames_dropped_total: {
    type: "counter",
    unit: "frames",
    labels: STREAM,
    help: "Audio frames dropped to bring A/V back toward the target.",
  },
  sluice_sync_frames_duplicated_total: {
    type: "counter",
    unit: "frames",
    labels: STREAM,
    help: "Audio frames duplicated to bring A/V back toward the target.",
  },
  sluice_sync_resyncs_total: {
    type: "counter",
    unit: "events",
    labels: STREAM,
    help: "Output timeline rebases (new publisher sessions, timestamp jumps, PCR discontinuities).",
  },
  ...TRANSPORT_FAMILIES,
  ...EGRESS_FAMILIES,
} as const satisfies Record<string, FamilyInfo>;

/** Every family, by name. */
export const FAMILIES: Readonly<Record<FamilyName, FamilyInfo>> = CATALOGUE;

/** A family name. */
export type FamilyName = keyof typeof CATALOGUE;

type OfType<T extends MetricType> = {
  [N in FamilyName]: (typeof CATALOGUE)[N]["type"] extends T ? N : never;
}[FamilyName];

/** Families whose values are set or read as numbers (counters and gauges). */
export type ScalarName = OfType<"counter" | "gauge">;
/** Histogram families. */
export type HistogramName = OfType<"histogram">;
/** The label names of a family. */
export type LabelName<N extends FamilyName> = (typeof CATALOGUE)[N]["labels"][number];
/** One sample's labels: exactly the family's label names. */
export type LabelsOf<N extends FamilyName> = { readonly [K in LabelName<N>]: string | number };

/** True when `s` names a family. */
export function isFamily(s: string): s is FamilyName {
  return Object.hasOwn(CATALOGUE, s);
}
