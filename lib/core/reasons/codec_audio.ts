/**
 * Audio codec reasons (part of the catalogue in lib/core/reasons/catalogue.ts): the G.711, Opus
 * and AAC (LATM/LOAS, AudioSpecificConfig, mpeg4-generic) depacketizers and parsers, and the one
 * AV1-in-TS reason, kept where it was first listed so the catalogue's order does not change.
 */
import type { ReasonInfo } from "./reason_info.ts";

/** G.711, Opus and AAC parsing (and AV1 in TS). */
export const AUDIO_CODEC_REASONS = {
  // --- codec parsing, audio (and AV1 in TS) ---
  g711_empty: { kind: "error", layer: "codec", help: "A G.711 RTP packet without samples." },
  opus_empty: { kind: "error", layer: "codec", help: "An empty Opus packet." },
  // AV1 in MPEG-TS (layer mpegts): listed here since it was added (README table order).
  av1_ts_invalid: {
    kind: "error",
    layer: "mpegts",
    help: "An AV1 PES in the start-code format had no OBU start code; check the muxer upstream.",
  },
  opus_invalid: {
    kind: "error",
    layer: "codec",
    help: "An Opus packet whose TOC framing is invalid (RFC 6716 3.4).",
  },
  latm_no_config: {
    kind: "error",
    layer: "codec",
    help: "AAC LATM without a StreamMuxConfig yet; set `config=` in the SDP.",
  },
  latm_truncated: {
    kind: "error",
    layer: "codec",
    help: "An AAC LATM payload shorter than its lengths say.",
  },
  latm_empty_au: { kind: "error", layer: "codec", help: "An AAC LATM access unit of length zero." },
  latm_element_too_large: {
    kind: "error",
    layer: "codec",
    help: "An AAC LATM element larger than sluice keeps.",
  },
  latm_fragment_incomplete: {
    kind: "error",
    layer: "codec",
    help: "An AAC LATM element split over packets never completed.",
  },
  latm_config_short: {
    kind: "error",
    layer: "codec",
    help: "An AAC StreamMuxConfig shorter than its fields.",
  },
  latm_unsupported_config: {
    kind: "error",
    layer: "codec",
    help: "An AAC StreamMuxConfig sluice does not support.",
  },
  latm_same_mux: {
    kind: "error",
    layer: "codec",
    help: "An AAC LOAS frame reuses a StreamMuxConfig never seen.",
  },
  asc_short: {
    kind: "error",
    layer: "codec",
    help: "An AAC AudioSpecificConfig shorter than its fields.",
  },
  asc_invalid: {
    kind: "error",
    layer: "codec",
    help: "An AAC AudioSpecificConfig with invalid values.",
  },
  asc_truncated: { kind: "error", layer: "codec", help: "An AAC AudioSpecificConfig cut short." },
  aac_unsupported_object_type: {
    kind: "error",
    layer: "codec",
    help: "An AAC audio object type sluice does not parse.",
  },
  aac_unsupported_channels: {
    kind: "error",
    layer: "codec",
    help: "An AAC channel configuration sluice does not parse.",
  },
  aac_unsupported_ep_config: {
    kind: "error",
    layer: "codec",
    help: "AAC error protection (epConfig) sluice does not parse.",
  },
  rfc3640_fmtp_invalid: {
    kind: "error",
    layer: "codec",
    help: "The SDP fmtp of an mpeg4-generic stream is invalid.",
  },
  rfc3640_short: {
    kind: "error",
    layer: "codec",
    help: "An mpeg4-generic RTP payload shorter than its AU headers.",
  },
  rfc3640_bad_header: {
    kind: "error",
    layer: "codec",
    help: "An mpeg4-generic AU header section is malformed.",
  },
  rfc3640_too_many_aus: {
    kind: "error",
    layer: "codec",
    help: "An mpeg4-generic packet with more AUs than sluice keeps.",
  },
  rfc3640_au_truncated: {
    kind: "error",
    layer: "codec",
    help: "An mpeg4-generic AU runs past the packet.",
  },
  rfc3640_au_too_large: {
    kind: "error",
    layer: "codec",
    help: "An mpeg4-generic AU larger than sluice keeps.",
  },
  rfc3640_empty_au: { kind: "error", layer: "codec", help: "An mpeg4-generic AU of length zero." },
  rfc3640_fragment_short: {
    kind: "error",
    layer: "codec",
    help: "A fragmented mpeg4-generic AU ended short.",
  },
  rfc3640_fragment_incomplete: {
    kind: "error",
    layer: "codec",
    help: "A fragmented mpeg4-generic AU never completed.",
  },
  rfc3640_fragment_overflow: {
    kind: "error",
    layer: "codec",
    help: "A fragmented mpeg4-generic AU grew past its size.",
  },
} as const satisfies Record<string, ReasonInfo>;
