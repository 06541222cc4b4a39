/**
 * The configuration schema: every key, its type, unit, range and default (the
 * seed's table, README.md "Configuration reference"). The loader in lib/config/config.ts walks YAML
 * against this table, so a key documented here is a key that is validated.
 */
import { BOX_NAME, SERVER_URL } from "./nats.ts";

/** One key's type description. Durations are in ms, sizes in bytes after parsing. */
export type Spec =
  | { t: "int"; def: number; min: number; max: number; doc: string }
  /** One integer or a list of them; parsed to a list. */
  | { t: "ints"; min: number; max: number; doc: string }
  | { t: "bytes"; def: number; min: number; max?: number; doc: string }
  | { t: "duration"; def: number; min: number; max: number; doc: string }
  | {
    t: "string";
    def: string;
    oneOf?: readonly string[];
    /** Extra check (lib/config/checks.ts): an IPv4 bind address, a readable SDP file, a token. */
    check?: "ipv4" | "sdp_file" | "token";
    /** A non-empty value must match `re`; `what` says what is expected. */
    pattern?: { re: RegExp; what: string };
    doc: string;
  }
  | { t: "bool"; def: boolean; doc: string }
  | { t: "hostport"; def: string; doc: string }
  | { t: "number"; def: number; min: number; max: number; doc: string }
  | { t: "url"; doc: string }
  | { t: "list"; of: Spec; doc: string }
  | { t: "map"; keys: "string" | "payload_type"; of: Spec; doc: string }
  | {
    t: "obj";
    fields: Record<string, Spec>;
    required?: readonly string[];
    /** Absent from the file = absent from the Config (no defaults filled in). */
    optional?: boolean;
    doc?: string;
  };

const passStream: Spec = {
  t: "obj",
  fields: {
    passphrase: { t: "string", def: "", doc: "passphrase for this stream id (10-79 chars)" },
  },
};

const ptMap: Spec = {
  t: "map",
  keys: "payload_type",
  of: { t: "string", def: "", doc: "encoding name/clock rate[/channels]" },
  doc: 'payload type to encoding, e.g. { 96: "H264/90000" }',
};

/** One push output (lib/outputs/manager.ts). */
const output: Spec = {
  t: "obj",
  required: ["name", "stream", "url"],
  fields: {
    name: { t: "string", def: "", doc: "output name (API path, metrics label)" },
    stream: { t: "string", def: "", doc: 'stream id or glob ("cam*")' },
    url: {
      t: "url",
      doc: "srt://host:port?streamid=&passphrase=&latency= or udp://host:port?ttl=",
    },
    mode: {
      t: "string",
      def: "remux",
      oneOf: ["remux", "passthrough"],
      doc: "remux frames, or forward the TS input's own packets",
    },
    queue_size: {
      t: "bytes",
      def: 8 * 1024 ** 2,
      min: 64 * 1024,
      max: 1024 ** 3,
      doc: "queue of this output; a remote further behind loses whole GOPs",
    },
    retry: {
      t: "obj",
      doc: "exponential backoff with jitter after a failed or broken connection",
      fields: {
        initial: { t: "duration", def: 500, min: 10, max: 600_000, doc: "first retry delay" },
        max: { t: "duration", def: 30_000, min: 10, max: 3_600_000, doc: "longest retry delay" },
        multiplier: { t: "number", def: 2, min: 1, max: 10, doc: "delay growth per failure" },
      },
    },
    breaker: {
      t: "obj",
      doc: "circuit breaker: open after `failures` in a row, one try after `cooldown`",
      fields: {
        failures: {
          t: "int",
          def: 5,
          min: 1,
          max: 1000,
          doc: "consecutive failures that open the circuit",
        },
        cooldown: {
          t: "duration",
          def: 60_000,
          min: 10,
          max: 3_600_000,
          doc: "how long an open circuit waits before one half-open attempt",
        },
      },
    },
  },
};

const file = (doc: string): Spec => ({ t: "string", def: "", doc });

/** `nats:` (lib/config/nats.ts; README "Configuration reference" and "Fleet on NATS"). */
const NATS_SPEC: Spec = {
  t: "obj",
  optional: true,
  required: ["servers"],
  doc: 'fleet link to a NATS cluster with JetStream (README "Fleet on NATS")',
  fields: {
    servers: {
      t: "list",
      of: {
        t: "string",
        def: "",
        pattern: { re: SERVER_URL, what: 'a server URL ("nats://host:4222", "tls://host:4222")' },
        doc: "server URL",
      },
      doc: "NATS servers to connect to (any one of a cluster is enough; the rest are learned)",
    },
    box: {
      t: "string",
      def: "",
      pattern: { re: BOX_NAME, what: "letters, digits, '_' or '-' (1-64)" },
      doc: "this box's name in subjects and registry keys; empty = the hostname",
    },
    credentials: file("a .creds file (user JWT + nkey seed)"),
    token: { t: "string", def: "", doc: "authentication token" },
    user: { t: "string", def: "", doc: "user name (with password)" },
    password: { t: "string", def: "", doc: "password (with user)" },
    tls: {
      t: "obj",
      fields: {
        ca: file("CA certificate (PEM) to verify the server"),
        cert: file("client certificate (PEM)"),
        key: file("client private key (PEM)"),
      },
    },
    replicas: {
      t: "int",
      def: 1,
      min: 1,
      max: 5,
      doc: "replicas of the registry bucket and the event/frame streams this box creates",
    },
    registry: {
      t: "obj",
      fields: {
        interval: {
          t: "duration",
          def: 5000,
          min: 500,
          max: 600_000,
          doc: "how often live streams' entries are rewritten",
        },
        ttl: {
          t: "duration",
          def: 30_000,
          min: 2000,
          max: 86_400_000,
          doc: "entries not rewritten for this long expire (a dead box's streams disappear)",
        },
      },
    },
    events: {
      t: "obj",
      fields: {
        max_age: {
          t: "duration",
          def: 86_400_000,
          min: 1000,
          max: 365 * 86_400_000,
          doc: "events kept in the sluice_events stream this long",
        },
        max_bytes: {
          t: "bytes",
          def: 64 * 1024 ** 2,
          min: 64 * 1024,
          doc: "byte cap of the sluice_events stream",
        },
        queue: {
          t: "int",
          def: 1000,
          min: 10,
          max: 100_000,
          doc: "events kept while NATS is unreachable (oldest dropped first)",
        },
      },
    },
    frames: {
      t: "obj",
      fields: {
        streams: {
          t: "string",
          def: "",
          doc: 'streams whose frames are published: glob ("cam*"), comma-separated; "" = none',
        },
        tracks: {
          t: "string",
          def: "video",
          oneOf: ["video", "audio", "all"],
          doc: "which tracks of those streams",
        },
        max_bytes: {
          t: "bytes",
          def: 1024 ** 3,
          min: 1024 ** 2,
          doc: "byte cap of this box's frames stream",
        },
        max_age: {
          t: "duration",
          def: 60_000,
          min: 1000,
          max: 86_400_000,
          doc: "frames kept this long",
        },
        queue: {
          t: "bytes",
          def: 8 * 1024 ** 2,
          min: 64 * 1024,
          max: 1024 ** 3,
          doc: "per-stream publish queue; over it whole GOPs are dropped",
        },
      },
    },
  },
};

/** The schema of the whole file. */
export const SCHEMA: Spec = {
  t: "obj",
  fields: {
    ingestion: {
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
    },
    api: {
      t: "obj",
      fields: {
        listen: { t: "hostport", def: "127.0.0.1:8080", doc: "REST API address (host:port)" },
        tokens: {
          t: "list",
          of: { t: "string", def: "", check: "token", doc: "bearer token" },
          doc: "when set, /api and /metrics need Authorization: Bearer <token>",
        },
        tls: {
          t: "obj",
          fields: {
            cert: { t: "string", def: "", doc: "PEM certificate (chain) file; set with key" },
            key: { t: "string", def: "", doc: "PEM private key file; set with cert" },
          },
          doc: "serve the API and dashboard over HTTPS",
        },
        live_queue_size: {
          t: "bytes",
          def: 4 * 1024 ** 2,
          min: 64 * 1024,
          max: 1024 ** 3,
          doc: "queue of each live.ts client; a client further behind loses whole GOPs",
        },
      },
    },
    srt: {
      t: "obj",
      fields: {
        library: {
          t: "string",
          def: "",
          doc: "path to libsrt; empty = SLUICE_LIBSRT, the system's, then the executable's own",
        },
        latency: { t: "duration", def: 120, min: 20, max: 60_000, doc: "SRT receiver latency" },
        passphrase: { t: "string", def: "", doc: "for every stream without its own" },
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
          doc:
            "silence after which a stream is recovering and a publisher with its id takes it over",
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
    },
    rtp: {
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
    },
    outputs: { t: "list", of: output, doc: "push relays (SRT caller, UDP)" },
    nats: NATS_SPEC,
    log: {
      t: "obj",
      fields: {
        level: {
          t: "string",
          def: "info",
          oneOf: ["debug", "info", "warn", "error"],
          doc: "log level",
        },
        format: { t: "string", def: "text", oneOf: ["text", "json"], doc: "log line format" },
      },
    },
  },
};
