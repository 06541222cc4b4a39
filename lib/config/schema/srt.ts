/** `srt:` keys: the SRT listener (lib/transport/srt/). */
import type { Spec } from "./spec.ts";

const passStream: Spec = {
  t: "obj",
  fields: {
    passphrase: { t: "string", def: "", doc: "passphrase for this stream id (10-79 chars)" },
  },
};

export const SRT: Spec = {
  t: "obj",
  fields: {
    library: {
      t: "string",
      def: "",
      doc: "path to libsrt; empty = SLUICE_LIBSRT, the system's, then the executable's own",
    },
    latency: { t: "duration", def: 120, min: 20, max: 60_000, doc: "SRT receiver latency" },
    passphrase: { t: "string", def: "", doc: "for every stream without its own" },
    read_interval: {
      t: "duration",
      def: 0,
      min: 0,
      max: 1000,
      doc: "least time between two reads of the SRT sockets while data flows; 0 = latency / 12 " +
        "within 2-20 ms",
    },
    socket_buffer: {
      t: "bytes",
      def: 32 * 1024 ** 2,
      min: 0,
      max: 1024 ** 3,
      doc: "kernel receive buffer of the SRT UDP socket (SO_RCVBUFFORCE); 0 = libsrt's own",
    },
    takeover_after: {
      t: "duration",
      def: 1000,
      min: 100,
      max: 600_000,
      doc: "silence after which a stream is recovering and a publisher with its id takes it over",
    },
    override_publisher: {
      t: "bool",
      def: false,
      doc: "a publisher with the id of a stream still receiving replaces it (else 1409)",
    },
    peer_idle_timeout: {
      t: "duration",
      def: 5000,
      min: 1000,
      max: 600_000,
      doc: "SRTO_PEERIDLETIMEO: silence after which libsrt declares a publisher gone",
    },
    streams: {
      t: "map",
      keys: "string",
      of: passStream,
      doc: "allowlist of stream ids; empty = any id",
    },
  },
};
