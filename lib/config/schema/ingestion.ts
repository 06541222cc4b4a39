/** `ingestion:` keys: listeners, stream limits, buffers and timeouts. */
import type { Spec } from "./spec.ts";

export const INGESTION: Spec = {
  t: "obj",
  fields: {
    bind: {
      t: "string",
      def: "0.0.0.0",
      check: "ipv4",
      doc: "address the SRT and RTP listeners bind",
    },
    srt_port: { t: "int", def: 30000, min: 1, max: 65535, doc: "SRT listener port (UDP)" },
    rtp_port: {
      t: "int",
      def: 5004,
      min: 1,
      max: 65534,
      doc: "RTP port (UDP); RTCP on rtp_port + 1 or multiplexed",
    },
    max_connections: { t: "int", def: 25, min: 1, max: 10000, doc: "concurrent streams" },
    max_per_source: {
      t: "int",
      def: 0,
      min: 0,
      max: 10000,
      doc: "concurrent streams from one source address (0 = no cap)",
    },
    connect_timeout: {
      t: "duration",
      def: 5000,
      min: 100,
      max: 600_000,
      doc: "a stream that has delivered no track by then is closed (connect_timeout)",
    },
    buffer_size: {
      t: "bytes",
      def: 1048576,
      min: 4096,
      max: 1024 ** 3,
      doc: "per-stream receive ring buffer",
    },
    gop_buffer_size: { t: "int", def: 3, min: 1, max: 100, doc: "GOPs kept per video track" },
    warmup: {
      t: "bool",
      def: true,
      doc:
        "run the packet paths on synthetic media at start so the first streams meet compiled code",
    },
    frame_timeout: {
      t: "duration",
      def: 5000,
      min: 10,
      max: 600_000,
      doc: "incomplete frames older than this are dropped",
    },
    closed_retention: {
      t: "duration",
      def: 60_000,
      min: 100,
      max: 3_600_000,
      doc: "a closed stream stays listed (API, /metrics) this long",
    },
    sync_threshold: {
      t: "duration",
      def: 100,
      min: 1,
      max: 60_000,
      doc: "A/V drift that triggers correction",
    },
    memory: {
      t: "obj",
      fields: {
        global_limit: {
          t: "bytes",
          def: 8 * 1024 ** 3,
          min: 1024 ** 2,
          doc: "all buffered media",
        },
        per_stream_limit: {
          t: "bytes",
          def: 400 * 1024 ** 2,
          min: 64 * 1024,
          doc: "one stream's buffered media",
        },
      },
    },
  },
};
