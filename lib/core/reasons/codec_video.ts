/**
 * Video codec reasons (part of the catalogue in lib/core/reasons/catalogue.ts): the H.264/H.265,
 * AV1 and JPEG XS depacketizers and bitstream parsers.
 */
import type { ReasonInfo } from "./reason_info.ts";

/** H.264/H.265, AV1 and JPEG XS parsing. */
export const VIDEO_CODEC_REASONS = {
  // --- codec parsing, video (depacketizers and bitstream parsers) ---
  payload_empty: {
    kind: "error",
    layer: "codec",
    help: "An H.264/H.265 RTP packet without payload; check the sender's packetizer.",
  },
  nal_type_invalid: {
    kind: "error",
    layer: "codec",
    help: "A NAL unit type that RTP may not carry; check the sender's packetizer.",
  },
  nal_type_not_in_mode: {
    kind: "error",
    layer: "codec",
    help: "A NAL unit type not allowed in the SDP packetization-mode; check the SDP.",
  },
  stap_empty: {
    kind: "error",
    layer: "codec",
    help: "An H.264 STAP without NAL units; check the sender's packetizer.",
  },
  stap_truncated: {
    kind: "error",
    layer: "codec",
    help: "An H.264 STAP whose NAL sizes run past the packet.",
  },
  mtap_truncated: {
    kind: "error",
    layer: "codec",
    help: "An H.264 MTAP whose NAL sizes run past the packet.",
  },
  ap_truncated: {
    kind: "error",
    layer: "codec",
    help: "An H.265 aggregation packet whose NAL sizes run past the packet.",
  },
  paci_truncated: {
    kind: "error",
    layer: "codec",
    help: "An H.265 PACI packet shorter than its header says.",
  },
  payload_truncated: {
    kind: "error",
    layer: "codec",
    help: "An H.265 RTP payload shorter than its payload header.",
  },
  fu_truncated: {
    kind: "error",
    layer: "codec",
    help: "An H.264/H.265 fragmentation unit without its FU header.",
  },
  fu_without_start: {
    kind: "error",
    layer: "codec",
    help: "A fragment (FU) arrived without its start fragment; usually packet loss.",
  },
  fu_missing_end: {
    kind: "error",
    layer: "codec",
    help: "A fragmented NAL unit never got its end fragment; usually loss.",
  },
  fu_type_mismatch: {
    kind: "error",
    layer: "codec",
    help: "FU fragments of one NAL unit disagree on its type.",
  },
  unit_too_many_nalus: {
    kind: "error",
    layer: "codec",
    help: "An access unit with more NAL units than sluice keeps.",
  },
  don_discontinuity: {
    kind: "error",
    layer: "codec",
    help: "An H.264/H.265 decoding order number jumped (interleaved mode).",
  },
  don_late: {
    kind: "drop",
    layer: "codec",
    help: "A NAL unit arrived after its decoding order was already released.",
  },
  don_buffer_full: {
    kind: "error",
    layer: "codec",
    help: "The decoding-order buffer overflowed; check sprop-deint-buf-req in the SDP.",
  },
  sprop_invalid: {
    kind: "error",
    layer: "codec",
    help: "An SDP sprop parameter set is not valid base64 or not a NAL unit.",
  },
  av1_short_payload: {
    kind: "error",
    layer: "codec",
    help: "An AV1 RTP payload shorter than its aggregation header.",
  },
  av1_n_with_z: {
    kind: "error",
    layer: "codec",
    help: "AV1 aggregation header with N (new sequence) on a continuation.",
  },
  av1_z_without_fragment: {
    kind: "error",
    layer: "codec",
    help: "An AV1 continuation (Z) with no fragment open.",
  },
  av1_fragment_incomplete: {
    kind: "error",
    layer: "codec",
    help: "An AV1 fragment (Y) was not continued by the next packet.",
  },
  av1_bad_element_length: {
    kind: "error",
    layer: "codec",
    help: "An AV1 OBU element length runs past the packet.",
  },
  av1_empty_element: { kind: "error", layer: "codec", help: "An AV1 OBU element of length zero." },
  av1_bad_obu_header: { kind: "error", layer: "codec", help: "An AV1 OBU header is malformed." },
  av1_bad_obu_size: { kind: "error", layer: "codec", help: "An AV1 OBU size field is malformed." },
  av1_marker_with_fragment: {
    kind: "error",
    layer: "codec",
    help: "The RTP marker is set while an AV1 fragment is open.",
  },
  av1_w_mismatch: {
    kind: "error",
    layer: "codec",
    help: "The AV1 W count disagrees with the elements in the packet.",
  },
  av1_no_elements: {
    kind: "error",
    layer: "codec",
    help: "An AV1 RTP packet carries no OBU element.",
  },
  av1_too_many_obus: {
    kind: "error",
    layer: "codec",
    help: "An AV1 temporal unit with more OBUs than sluice keeps.",
  },
  av1_too_many_packets: {
    kind: "error",
    layer: "codec",
    help: "An AV1 temporal unit spread over too many packets.",
  },
  av1_empty_unit: { kind: "error", layer: "codec", help: "An AV1 temporal unit without any OBU." },
  av1_invalid_unit: {
    kind: "error",
    layer: "codec",
    help: "An AV1 temporal unit was discarded after a malformed packet.",
  },
  jxs_short_payload: {
    kind: "error",
    layer: "codec",
    help: "A JPEG XS RTP payload shorter than its payload header.",
  },
  jxs_reserved_interlace: {
    kind: "error",
    layer: "codec",
    help: "A JPEG XS payload header uses the reserved interlace value.",
  },
  jxs_missing_marker: {
    kind: "error",
    layer: "codec",
    help: "A JPEG XS frame ended without the RTP marker bit.",
  },
  jxs_too_many_packets: {
    kind: "error",
    layer: "codec",
    help: "A JPEG XS frame spread over too many packets.",
  },
  jxs_bad_codestream: {
    kind: "error",
    layer: "codec",
    help: "A JPEG XS frame whose codestream does not parse (SOC, PIH).",
  },
} as const satisfies Record<string, ReasonInfo>;
