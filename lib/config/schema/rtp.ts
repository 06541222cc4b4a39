/** `rtp:` keys: the RTP receiver (lib/transport/rtp/) and its named streams. */
import type { Spec } from "./spec.ts";

const ptMap: Spec = {
  t: "map",
  keys: "payload_type",
  of: { t: "string", def: "", doc: "encoding name/clock rate[/channels]" },
  doc: 'payload type to encoding, e.g. { 96: "H264/90000" }',
};

export const RTP: Spec = {
  t: "obj",
  fields: {
    jitter_latency: {
      t: "duration",
      def: 50,
      min: 0,
      max: 10_000,
      doc: "reorder window of the jitter buffer",
    },
    receiver: {
      t: "string",
      def: "auto",
      oneOf: ["auto", "recvmmsg", "deno"],
      doc: "UDP receive path",
    },
    socket_buffer: {
      t: "bytes",
      def: 8 * 1024 ** 2,
      min: 65536,
      max: 1024 ** 3,
      doc: "SO_RCVBUF asked for (recvmmsg receiver)",
    },
    send_rr: { t: "bool", def: false, doc: "send RTCP receiver reports to senders" },
    emit_after_loss: {
      t: "bool",
      def: false,
      doc: "emit dependent frames after loss instead of waiting for a keyframe",
    },
    new_stream_rate: {
      t: "int",
      def: 10,
      min: 1,
      max: 10000,
      doc: "new RTP sources admitted per second",
    },
    payload_types: ptMap,
    sdp: {
      t: "list",
      of: { t: "string", def: "", check: "sdp_file", doc: "SDP file path" },
      doc: "SDP files",
    },
    streams: {
      t: "list",
      of: {
        t: "obj",
        required: ["name"],
        fields: {
          ssrc: {
            t: "ints",
            min: 0,
            max: 0xffffffff,
            doc: "SSRC of the sender (a list: one stream, a track per SSRC)",
          },
          name: { t: "string", def: "", doc: "stream id shown in the API" },
          payload_types: ptMap,
          sdp: { t: "string", def: "", check: "sdp_file", doc: "SDP file for this stream" },
        },
      },
      doc: "named RTP streams",
    },
  },
};
