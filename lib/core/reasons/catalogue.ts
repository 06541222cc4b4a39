/**
 * The reason catalogue: every reason sluice counts, once, with its kind, the layer that
 * counts it and one line of help for an operator. Counters (lib/stream/counters.ts, the
 * StreamSink of lib/stream/ports.ts, the `Counter` of lib/core/types.ts, the manager's
 * refusals and port errors) accept only members, so a misspelt reason fails `deno check`.
 * Users see the names in the API (`errors`, `drops`, `refused`, `portErrors`) and in the
 * `reason` label of /metrics; the README's reasons table is generated from this catalogue
 * (`deno task reasons`, scripts/reasons_readme.ts, lib/core/reasons/doc.ts) and
 * tests/unit/reasons_test.ts fails when the two disagree.
 *
 * The entries live in the part files of this folder, one per group of layers (admission.ts,
 * rtp.ts, mpegts.ts, codec_video.ts, codec_audio.ts, frames_buffer.ts, output.ts), spread
 * below in data-flow order; an entry's shape is in reason_info.ts. Add a reason to the part
 * of the layer that counts it.
 *
 * Kinds: `error` = malformed input, `drop` = data discarded on purpose (loss, limits,
 * waiting for a keyframe), `refusal` = a publisher refused, `takeover` = a live stream
 * continued by a new publisher session (lib/stream/takeover.ts). Whether a stream counts a
 * reason under `errors` or `drops` is decided here (`isDrop`), nowhere else.
 */
import type { ReasonInfo, ReasonKind } from "./reason_info.ts";
import { ADMISSION_REASONS } from "./admission.ts";
import { RTP_REASONS } from "./rtp.ts";
import { MPEGTS_REASONS } from "./mpegts.ts";
import { VIDEO_CODEC_REASONS } from "./codec_video.ts";
import { AUDIO_CODEC_REASONS } from "./codec_audio.ts";
import { FRAME_BUFFER_REASONS } from "./frames_buffer.ts";
import { OUTPUT_REASONS } from "./output.ts";

/** The catalogue, in data-flow order: each part file holds the entries of its layers. */
const CATALOGUE = {
  ...ADMISSION_REASONS,
  ...RTP_REASONS,
  ...MPEGTS_REASONS,
  ...VIDEO_CODEC_REASONS,
  ...AUDIO_CODEC_REASONS,
  ...FRAME_BUFFER_REASONS,
  ...OUTPUT_REASONS,
} as const satisfies Record<string, ReasonInfo>;

/** Every reason name. */
export type Reason = keyof typeof CATALOGUE;

type OfKind<K extends ReasonKind> = {
  [R in Reason]: (typeof CATALOGUE)[R]["kind"] extends K ? R : never;
}[Reason];

/** The catalogue: every reason with its kind, layer and help, in data-flow order. */
export const REASONS: Readonly<Record<Reason, ReasonInfo>> = CATALOGUE;

/** Reasons of kind `error` (malformed input). */
export type ErrorReason = OfKind<"error">;
/** Reasons of kind `drop` (data discarded on purpose). */
export type DropReason = OfKind<"drop">;
/** Reasons of kind `refusal` (a publisher refused). */
export type RefusalReason = OfKind<"refusal">;
/** Reasons of kind `takeover` (a live stream continued by a new publisher session). */
export type TakeoverReason = OfKind<"takeover">;
/** What media and transport stages count per stream or per port: errors and drops. */
export type DataReason = ErrorReason | DropReason;

/** True when a string is a catalogue member (for data read back, e.g. in tests). */
export function isReason(s: string): s is Reason {
  return Object.hasOwn(REASONS, s);
}

/** True when a stream counts `reason` under `drops`; else under `errors`. */
export function isDrop(reason: DataReason): reason is DropReason {
  return REASONS[reason].kind === "drop";
}
