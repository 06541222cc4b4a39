/** The shape of one reason catalogue entry (lib/core/reasons/catalogue.ts). */

/** What a reason means for the data: malformed, discarded on purpose, or a publisher refused. */
export type ReasonKind = "error" | "drop" | "refusal" | "takeover";

/** The layer (stage of the data flow) that counts a reason. */
export type ReasonLayer =
  | "srt"
  | "rtp"
  | "rtcp"
  | "mpegts"
  | "codec"
  | "frames"
  | "buffer"
  | "output"
  | "stream";

/** One catalogue entry. */
export interface ReasonInfo {
  readonly kind: ReasonKind;
  readonly layer: ReasonLayer;
  /** One line: what happened and what an operator does about it. */
  readonly help: string;
}
