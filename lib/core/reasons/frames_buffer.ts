/**
 * Frame and buffer reasons (part of the catalogue in lib/core/reasons/catalogue.ts): assembling
 * access units (and their DTS), and the GOP buffer of each stream.
 */
import type { ReasonInfo } from "./reason_info.ts";

/** Frame assembly and the GOP buffer. */
export const FRAME_BUFFER_REASONS = {
  // --- frames: assembling access units ---
  frame_loss: {
    kind: "drop",
    layer: "frames",
    help: "A frame lost packets and was discarded; check the network path (SRT latency, FEC).",
  },
  await_keyframe: {
    kind: "drop",
    layer: "frames",
    help:
      "A frame that needs earlier ones, discarded while waiting for a keyframe (start, loss, resume).",
  },
  frame_oversize: {
    kind: "drop",
    layer: "frames",
    help: "A frame over the frame size cap was discarded; check the encoder's output.",
  },
  frame_timeout: {
    kind: "drop",
    layer: "frames",
    help: "A frame not completed within `ingestion.frame_timeout` was discarded.",
  },
  frame_no_picture: {
    kind: "drop",
    layer: "frames",
    help: "An access unit without a picture (VCL NAL unit) was discarded.",
  },
  dts_reset: {
    kind: "error",
    layer: "frames",
    help: "Timestamps jumped; DTS derivation restarted (RTP H.264/H.265).",
  },
  dts_reorder_grown: {
    kind: "error",
    layer: "frames",
    help: "The B-frame reorder depth grew; DTS derivation adapted.",
  },

  // --- buffer: the GOP buffer of each stream ---
  gop_evicted_bytes: {
    kind: "drop",
    layer: "buffer",
    help: "The oldest GOP was evicted at `ingestion.memory.per_stream_limit`.",
  },
  gop_evicted_duration: {
    kind: "drop",
    layer: "buffer",
    help: "The oldest GOP was evicted past `ingestion.gop_buffer_size`.",
  },
  gop_evicted_global: {
    kind: "drop",
    layer: "buffer",
    help: "The oldest GOP was evicted under `ingestion.memory.global_limit` pressure.",
  },
  memory_global_frame: {
    kind: "drop",
    layer: "buffer",
    help: "A frame was refused at `ingestion.memory.global_limit` (no whole GOP left to shed).",
  },

  gop_oversize: {
    kind: "drop",
    layer: "buffer",
    help: "One GOP alone exceeded the per-stream limit and was dropped; raise the limit.",
  },
  session_incomplete_gop: {
    kind: "drop",
    layer: "buffer",
    help: "The old session's unfinished GOP left the buffer when a new publisher session began.",
  },
  audio_out_of_window: {
    kind: "drop",
    layer: "buffer",
    help: "Audio older than the oldest buffered video GOP was not kept.",
  },
  audio_evicted: {
    kind: "drop",
    layer: "buffer",
    help: "Audio frames evicted with the video GOP they belonged to.",
  },
} as const satisfies Record<string, ReasonInfo>;
