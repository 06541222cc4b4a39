/**
 * The validated configuration's type, `Config`, and its parts: what the loader
 * (lib/config/load.ts) returns after checking the YAML against the schema
 * (lib/config/schema.ts). Sizes are bytes and durations milliseconds.
 */
import type { NatsConfig } from "./nats.ts";

/** Per-stream SRT settings (allowlist entry). */
export interface SrtStreamConfig {
  passphrase: string;
}

/**
 * A named RTP stream. `ssrcs` are its SSRCs (config `ssrc`: one or a list; the first is the
 * stream's, the others join it as tracks); `ssrc` is the first, -1 when matched by name only.
 */
export interface RtpStreamConfig {
  ssrc: number;
  ssrcs: number[];
  name: string;
  payloadTypes: Record<number, string>;
  sdp: string;
}

/** One push output (`outputs[]`); durations in ms. */
export interface OutputConfig {
  name: string;
  stream: string;
  url: string;
  mode: "remux" | "passthrough";
  queueSize: number;
  retry: { initial: number; max: number; multiplier: number };
  breaker: { failures: number; cooldown: number };
}

/** The validated configuration; units already applied (bytes, milliseconds). */
export interface Config {
  ingestion: {
    bind: string;
    srtPort: number;
    rtpPort: number;
    maxConnections: number;
    maxPerSource: number;
    connectTimeout: number;
    bufferSize: number;
    gopBufferSize: number;
    warmup: boolean;
    frameTimeout: number;
    closedRetention: number;
    syncThreshold: number;
    memory: { globalLimit: number; perStreamLimit: number };
  };
  api: {
    listen: string;
    tokens: string[];
    liveQueueSize: number;
    tls: { cert: string; key: string };
  };
  srt: {
    library: string;
    latency: number;
    passphrase: string;
    /** Least time between two reads while data flows, ms; 0 = from the latency. */
    readInterval: number;
    socketBuffer: number;
    takeoverAfter: number;
    overridePublisher: boolean;
    peerIdleTimeout: number;
    streams: Record<string, SrtStreamConfig>;
  };
  rtp: {
    jitterLatency: number;
    receiver: "auto" | "recvmmsg" | "deno";
    socketBuffer: number;
    sendRr: boolean;
    emitAfterLoss: boolean;
    newStreamRate: number;
    payloadTypes: Record<number, string>;
    sdp: string[];
    streams: RtpStreamConfig[];
  };
  outputs: OutputConfig[];
  log: { level: "debug" | "info" | "warn" | "error"; format: "text" | "json" };
  /** The fleet link (lib/fleet/); undefined when the file has no `nats:` section. */
  nats?: NatsConfig;
}
