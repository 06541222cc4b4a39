/**
 * Output reasons (part of the catalogue in lib/core/reasons/catalogue.ts): output queues, the TS
 * remuxer, and the stream itself (paused through the API).
 */
import type { ReasonInfo } from "./reason_info.ts";

/** Output queues, remux and the stream. */
export const OUTPUT_REASONS = {
  // --- output queues and the stream itself ---
  consumer_overflow: {
    kind: "drop",
    layer: "output",
    help: "A slow consumer fell behind its queue limit; frames skipped.",
  },
  slow_output: {
    kind: "drop",
    layer: "output",
    help: "An output or live.ts client fell behind its queue_size; whole GOPs skipped for it only.",
  },
  mux_unsupported_codec: {
    kind: "drop",
    layer: "output",
    help: "A track whose codec has no MPEG-TS mapping (G.711, L16) is left out of remuxed TS.",
  },
  mux_too_many_tracks: {
    kind: "drop",
    layer: "output",
    help: "More than 8 tracks: the extra ones are left out of remuxed TS.",
  },
  mux_aac_no_adts: {
    kind: "drop",
    layer: "output",
    help: "A raw AAC frame whose sample rate ADTS cannot signal; left out of remuxed TS.",
  },
  mux_av1_invalid: {
    kind: "error",
    layer: "output",
    help: "An AV1 temporal unit whose OBUs do not parse could not be muxed; check the source.",
  },
  paused: {
    kind: "drop",
    layer: "stream",
    help: "Frames received while the stream is paused through the API.",
  },
} as const satisfies Record<string, ReasonInfo>;
