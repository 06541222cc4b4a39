/**
 * RTP and RTCP reasons (part of the catalogue in lib/core/reasons/catalogue.ts): packets that
 * never reach a stream (`portErrors`), then per stream the RTP session, jitter buffer and payload
 * dispatch.
 */
import type { ReasonInfo } from "./reason_info.ts";

/** RTP port, RTCP, RTP session and jitter buffer. */
export const RTP_REASONS = {
  // --- RTP port: packets that never reach a stream (`portErrors`) ---
  rtp_too_short: {
    kind: "error",
    layer: "rtp",
    help: "A datagram shorter than an RTP header; garbage on the RTP port.",
  },
  rtp_version: {
    kind: "error",
    layer: "rtp",
    help: "A datagram that is not RTP version 2; garbage on the RTP port.",
  },
  rtp_padding: {
    kind: "error",
    layer: "rtp",
    help: "The RTP padding length is larger than the payload; check the sender's packetizer.",
  },
  rtp_extension: {
    kind: "error",
    layer: "rtp",
    help: "The RTP header extension runs past the packet; check the sender's packetizer.",
  },
  source_probation: {
    kind: "drop",
    layer: "rtp",
    help: "A new source's packet was not confirmed by another close in sequence; random datagrams.",
  },
  source_refused: {
    kind: "drop",
    layer: "rtp",
    help: "A packet of a source refused in the last second (limits).",
  },
  max_sources: {
    kind: "drop",
    layer: "rtp",
    help: "A packet of a new source while the demux is at its source cap.",
  },
  new_source_rate: {
    kind: "drop",
    layer: "rtp",
    help: "A new source over `rtp.new_stream_rate`; raise it if many cameras start at once.",
  },
  ssrc_change: {
    kind: "drop",
    layer: "rtp",
    help: "A sender restarted with a new SSRC; its stream continues under it.",
  },
  new_ssrc: {
    kind: "takeover",
    layer: "rtp",
    help: "A sender restarted with a new SSRC from the same address; its stream continues.",
  },
  new_port: {
    kind: "takeover",
    layer: "rtp",
    help: "A sender restarted from a new source port of the same host; its stream continues.",
  },
  rtcp_too_short: {
    kind: "error",
    layer: "rtcp",
    help: "An RTCP datagram shorter than its header; garbage on the RTCP port.",
  },
  rtcp_version: {
    kind: "error",
    layer: "rtcp",
    help: "An RTCP packet that is not version 2; garbage on the RTCP port.",
  },
  rtcp_padding: {
    kind: "error",
    layer: "rtcp",
    help: "The RTCP padding is inconsistent; check the sender's RTCP.",
  },
  rtcp_length: {
    kind: "error",
    layer: "rtcp",
    help: "An RTCP packet's length field runs past the datagram.",
  },
  rtcp_first_type: {
    kind: "error",
    layer: "rtcp",
    help: "A compound RTCP packet does not start with SR or RR (RFC 3550 6.1).",
  },
  rtcp_malformed: {
    kind: "error",
    layer: "rtcp",
    help: "An RTCP report or BYE is malformed; check the sender's RTCP.",
  },
  rtcp_unknown_source: {
    kind: "drop",
    layer: "rtcp",
    help: "RTCP held for a source with no RTP yet was evicted; some sender sends RTCP without RTP.",
  },
  rtcp_spoofed: {
    kind: "error",
    layer: "rtcp",
    help: "RTCP about a source from a port that is not its RTP or RTCP port; ignored (spoofing).",
  },

  // --- RTP session, jitter buffer, payload dispatch (per stream) ---
  rtp_probation: {
    kind: "error",
    layer: "rtp",
    help: "Packets held while a source was on probation were out of sequence.",
  },
  rtp_duplicate: {
    kind: "drop",
    layer: "rtp",
    help: "A packet with a sequence number already received; network duplicates.",
  },
  rtp_late: {
    kind: "drop",
    layer: "rtp",
    help: "A packet more than 100 sequence numbers behind the newest; heavy reordering.",
  },
  rtp_seq_jump: {
    kind: "error",
    layer: "rtp",
    help:
      "A sequence number jump over 3000 (RFC 3550 A.1), e.g. a sender restart; resyncs after two.",
  },
  jitter_late: {
    kind: "drop",
    layer: "rtp",
    help:
      "A packet arrived after the jitter buffer had given up on it; raise `rtp.jitter_latency`.",
  },
  jitter_duplicate: {
    kind: "error",
    layer: "rtp",
    help: "The jitter buffer already held a packet with this sequence number.",
  },
  jitter_gap: {
    kind: "error",
    layer: "rtp",
    help: "Packets declared lost by the jitter buffer; check the network path.",
  },
  jitter_overflow: {
    kind: "drop",
    layer: "rtp",
    help: "The jitter buffer was full and skipped a gap; raise `ingestion.buffer_size`.",
  },
  rtp_payload_type_change: {
    kind: "error",
    layer: "rtp",
    help: "The payload type changed mid-stream; a new depacketizer was started.",
  },
  rtp_no_depacketizer: {
    kind: "error",
    layer: "rtp",
    help: "A packet of a payload type with no usable depacketizer.",
  },
  rtp_codec_unknown: {
    kind: "error",
    layer: "rtp",
    help: "A dynamic payload type could not be identified; map it in `rtp.payload_types` or SDP.",
  },
  rtp_codec_unsupported: {
    kind: "error",
    layer: "rtp",
    help: "The payload type maps to a codec sluice cannot depacketize; packets are counted only.",
  },
} as const satisfies Record<string, ReasonInfo>;
