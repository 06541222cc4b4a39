/**
 * The reason catalogue: every reason sluice counts, once, with its kind, the layer that
 * counts it and one line of help for an operator. Counters (lib/stream/counters.ts, the
 * StreamSink of lib/stream/ports.ts, the `Counter` of lib/core/types.ts, the manager's
 * refusals and port errors) accept only members, so a misspelt reason fails `deno check`.
 * Users see the names in the API (`errors`, `drops`, `refused`, `portErrors`) and in the
 * `reason` label of /metrics; the README's reasons table is generated from this file
 * (`deno task reasons`, scripts/reasons_readme.ts) and tests/unit/reasons_test.ts fails when
 * the two disagree.
 *
 * Kinds: `error` = malformed input, `drop` = data discarded on purpose (loss, limits,
 * waiting for a keyframe), `refusal` = a publisher refused, `takeover` = a live stream
 * continued by a new publisher session (lib/stream/takeover.ts). Whether a stream counts a
 * reason under `errors` or `drops` is decided here (`isDrop`), nowhere else.
 */

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

/** The catalogue, in data-flow order. */
const CATALOGUE = {
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

  // --- MPEG-TS (SRT payload) ---
  sync_loss: {
    kind: "error",
    layer: "mpegts",
    help: "Bytes between TS packets without the 0x47 sync byte; the input is not TS.",
  },
  tei: {
    kind: "error",
    layer: "mpegts",
    help: "A TS packet with transport_error_indicator set; the source saw corruption.",
  },
  af_invalid: {
    kind: "error",
    layer: "mpegts",
    help: "A TS adaptation field longer than its packet; check the encoder's output.",
  },
  cc_error: {
    kind: "error",
    layer: "mpegts",
    help: "A continuity counter gap: TS packets were lost upstream or on the way.",
  },
  ts_scrambled: {
    kind: "error",
    layer: "mpegts",
    help: "A scrambled (encrypted) TS packet; sluice cannot parse it.",
  },
  psi_invalid: {
    kind: "error",
    layer: "mpegts",
    help: "A PAT/PMT section is malformed or oversized; check the encoder's output.",
  },
  psi_crc: {
    kind: "error",
    layer: "mpegts",
    help: "A PAT/PMT section failed its CRC-32; the TS was corrupted.",
  },
  pmt_too_many_streams: {
    kind: "error",
    layer: "mpegts",
    help: "A PMT lists more elementary streams than sluice tracks.",
  },
  pes_invalid: {
    kind: "error",
    layer: "mpegts",
    help: "A PES header is malformed; check the encoder's output.",
  },
  pes_no_pts: {
    kind: "error",
    layer: "mpegts",
    help: "A PES packet without a PTS; frames get no timestamp.",
  },
  pes_length_mismatch: {
    kind: "error",
    layer: "mpegts",
    help: "A PES packet ended before its declared length (loss).",
  },
  pes_oversize: {
    kind: "error",
    layer: "mpegts",
    help: "A PES packet over 16 MiB was discarded; check the encoder's output.",
  },
  pes_dropped: {
    kind: "drop",
    layer: "mpegts",
    help: "The PES being collected was discarded after a continuity error.",
  },
  pes_excess: {
    kind: "drop",
    layer: "mpegts",
    help: "TS payload without a PES start (after a discarded PES); skipped.",
  },
  adts_invalid: {
    kind: "error",
    layer: "mpegts",
    help: "AAC in TS whose ADTS framing is broken; bytes skipped to resync.",
  },
  loas_invalid: {
    kind: "error",
    layer: "mpegts",
    help: "AAC LATM/LOAS in TS whose framing is broken; skipped to resync.",
  },

  // --- codec parsing (depacketizers and bitstream parsers) ---
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
  g711_empty: { kind: "error", layer: "codec", help: "A G.711 RTP packet without samples." },
  opus_empty: { kind: "error", layer: "codec", help: "An empty Opus packet." },
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
