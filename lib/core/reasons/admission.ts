/**
 * Admission reasons (part of the catalogue in lib/core/reasons/catalogue.ts): the SRT listener's
 * refusals (listener health `refused`), the manager's refusals (limits, duplicates, memory) and
 * takeovers of a live stream by a new publisher session.
 */
import type { ReasonInfo } from "./reason_info.ts";

/** SRT admission, manager refusals and takeovers. */
export const ADMISSION_REASONS = {
  // --- SRT admission (listener health `refused`) and the manager's refusals ---
  streamid_missing: {
    kind: "refusal",
    layer: "srt",
    help: "A caller sent no stream id; configure one on the publisher.",
  },
  streamid_too_long: {
    kind: "refusal",
    layer: "srt",
    help: "The stream id is longer than 512 bytes; shorten it.",
  },
  streamid_syntax: {
    kind: "refusal",
    layer: "srt",
    help: "The `#!::` stream id is not `key=value` pairs; fix its syntax.",
  },
  streamid_too_many_keys: {
    kind: "refusal",
    layer: "srt",
    help: "The `#!::` stream id has too many keys; send fewer.",
  },
  streamid_duplicate_key: {
    kind: "refusal",
    layer: "srt",
    help: "A key appears twice in the `#!::` stream id; send it once.",
  },
  streamid_no_resource: {
    kind: "refusal",
    layer: "srt",
    help: "The `#!::` stream id has no `r=` resource name; add one.",
  },
  streamid_bad_name: {
    kind: "refusal",
    layer: "srt",
    help: "The stream name is too long or has characters outside A-Za-z0-9._~-.",
  },
  streamid_bad_chars: {
    kind: "refusal",
    layer: "srt",
    help: "The stream id has characters outside printable ASCII.",
  },
  streamid_bad_mode: {
    kind: "refusal",
    layer: "srt",
    help: "The `m=` of the stream id is not publish, request or bidirectional.",
  },
  streamid_bad_type: {
    kind: "refusal",
    layer: "srt",
    help: "The `t=` of the stream id is not `stream`; sluice only ingests.",
  },
  streamid_mode_request: {
    kind: "refusal",
    layer: "srt",
    help: "A caller asked to play (`m=request`); sluice only ingests.",
  },
  streamid_unreadable: {
    kind: "refusal",
    layer: "srt",
    help: "The accepted socket's stream id could not be read from libsrt; the caller may retry.",
  },
  not_allowed: {
    kind: "refusal",
    layer: "srt",
    help: "The stream name is not in `srt.streams`; add it there or fix the publisher's name.",
  },
  duplicate: {
    kind: "refusal",
    layer: "stream",
    help: "A second publisher used the id of a live stream; stop the other one or rename.",
  },
  max_connections: {
    kind: "refusal",
    layer: "stream",
    help: "`ingestion.max_connections` live streams already; raise it or stop a stream.",
  },
  max_per_source: {
    kind: "refusal",
    layer: "stream",
    help:
      "`ingestion.max_per_source` live streams from this address already; raise it or stop one.",
  },
  name_reserved: {
    kind: "refusal",
    layer: "stream",
    help: "The name is configured for the other protocol (`rtp.streams`, `ssrc-*`, `srt.streams`).",
  },

  memory: {
    kind: "refusal",
    layer: "stream",
    help: "Buffers already hold `ingestion.memory.global_limit`; raise it or shed load.",
  },
  admit_threw: {
    kind: "refusal",
    layer: "srt",
    help: "The admission function threw; a bug, see the log.",
  },
  callback_error: {
    kind: "refusal",
    layer: "srt",
    help: "The SRT listen callback failed unexpectedly; a bug, see the log.",
  },
  stopping: {
    kind: "refusal",
    layer: "srt",
    help: "A caller arrived while the SRT listener was stopping.",
  },
  passphrase_invalid: {
    kind: "refusal",
    layer: "srt",
    help: "The configured per-stream passphrase was rejected by libsrt (10 to 79 characters).",
  },
  handshake_failed: {
    kind: "refusal",
    layer: "srt",
    help: "Admitted but the handshake never completed: usually a wrong or missing passphrase.",
  },
  passphrase_mismatch: {
    kind: "refusal",
    layer: "srt",
    help: "The stream has a passphrase and the caller's key did not match (wrong or missing).",
  },
  handshake_backoff: {
    kind: "refusal",
    layer: "srt",
    help: "This host failed 3 handshakes; it is refused for 10 s, doubling up to 5 min.",
  },

  recovering: {
    kind: "takeover",
    layer: "stream",
    help: "A publisher took over its stream, silent for `srt.takeover_after` (an encoder restart).",
  },
  override: {
    kind: "takeover",
    layer: "stream",
    help: "A publisher replaced one still sending (`srt.override_publisher: true`).",
  },
  open_refused: {
    kind: "refusal",
    layer: "srt",
    help: "Accepted but the stream could not be opened (limits); see `refused`.",
  },
} as const satisfies Record<string, ReasonInfo>;
