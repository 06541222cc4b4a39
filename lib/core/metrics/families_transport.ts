/**
 * Metric families of the transport links: one SRT connection and one RTP source, per stream
 * (part of the catalogue in lib/core/metrics/families.ts).
 */
import type { FamilyInfo } from "./family_info.ts";

/** SRT link and RTP source families. */
export const TRANSPORT_FAMILIES = {
  // --- SRT link (lib/transport/srt/stats.ts; per connection, from zero after a reconnect) ---
  sluice_srt_rtt_seconds: {
    type: "gauge",
    unit: "seconds",
    labels: ["stream"],
    help: "Smoothed round-trip time to the publisher.",
  },
  sluice_srt_received_packets_total: {
    type: "counter",
    unit: "packets",
    labels: ["stream"],
    help: "SRT data packets received.",
  },
  sluice_srt_received_bytes_total: {
    type: "counter",
    unit: "bytes",
    labels: ["stream"],
    help: "SRT bytes received, SRT/UDP/IP headers included.",
  },
  sluice_srt_lost_packets_total: {
    type: "counter",
    unit: "packets",
    labels: ["stream"],
    help: "SRT packets detected lost (most are then retransmitted).",
  },
  sluice_srt_lost_bytes_total: {
    type: "counter",
    unit: "bytes",
    labels: ["stream"],
    help: "Bytes of the SRT packets detected lost.",
  },
  sluice_srt_dropped_packets_total: {
    type: "counter",
    unit: "packets",
    labels: ["stream"],
    help: "SRT packets dropped: not recovered before their play time (TSBPD).",
  },
  sluice_srt_retransmitted_packets_total: {
    type: "counter",
    unit: "packets",
    labels: ["stream"],
    help: "Retransmitted SRT packets received.",
  },
  sluice_srt_undecrypted_packets_total: {
    type: "counter",
    unit: "packets",
    labels: ["stream"],
    help: "SRT packets that could not be decrypted (wrong passphrase).",
  },
  sluice_srt_receive_buffer_seconds: {
    type: "gauge",
    unit: "seconds",
    labels: ["stream"],
    help: "Media waiting in libsrt's receive buffer, as a timespan.",
  },
  sluice_srt_tsbpd_delay_seconds: {
    type: "gauge",
    unit: "seconds",
    labels: ["stream"],
    help: "Negotiated SRT receive latency (TSBPD): the deliberate delay before sluice sees data.",
  },
  sluice_srt_key_state: {
    type: "gauge",
    unit: "1",
    labels: ["stream", "state"],
    help: "1 for the encryption key state of the connection, 0 for the others.",
  },
  // --- RTP source (lib/transport/rtp/session.ts) ---
  sluice_rtp_ssrc_info: {
    type: "gauge",
    unit: "1",
    labels: ["stream", "ssrc"],
    help: "Always 1; `ssrc` is the source's current SSRC (decimal, as in the API).",
  },
  sluice_rtp_packets_total: {
    type: "counter",
    unit: "packets",
    labels: ["stream"],
    help: "Valid, unique RTP packets received.",
  },
  sluice_rtp_payload_bytes_total: {
    type: "counter",
    unit: "bytes",
    labels: ["stream"],
    help: "RTP payload bytes of those packets.",
  },
  sluice_rtp_lost_packets_total: {
    type: "counter",
    unit: "packets",
    labels: ["stream"],
    help: "Packets the jitter buffer gave up waiting for.",
  },
  sluice_rtp_duplicated_packets_total: {
    type: "counter",
    unit: "packets",
    labels: ["stream"],
    help: "Duplicate RTP packets dropped.",
  },
  sluice_rtp_reordered_packets_total: {
    type: "counter",
    unit: "packets",
    labels: ["stream"],
    help: "RTP packets that arrived out of sequence order.",
  },
  sluice_rtp_late_packets_total: {
    type: "counter",
    unit: "packets",
    labels: ["stream"],
    help: "RTP packets that arrived after the jitter buffer moved past them.",
  },
  sluice_rtp_resyncs_total: {
    type: "counter",
    unit: "events",
    labels: ["stream"],
    help: "Sequence number jumps the receiver re-synchronised on (RFC 3550 A.1).",
  },
  sluice_rtp_ssrc_changes_total: {
    type: "counter",
    unit: "events",
    labels: ["stream"],
    help: "Times the sender restarted with a new SSRC.",
  },
  sluice_rtp_jitter_seconds: {
    type: "gauge",
    unit: "seconds",
    labels: ["stream"],
    help: "Interarrival jitter (RFC 3550 6.4.1).",
  },
  sluice_rtp_jitter_buffer_latency_seconds: {
    type: "gauge",
    unit: "seconds",
    labels: [],
    help: "`rtp.jitter_latency`: the deliberate reorder window before frame assembly.",
  },
} as const satisfies Record<string, FamilyInfo>;
