/**
 * Start-up warm-up: before the listeners bind, run the packet paths on synthetic media
 * (synthetic.ts) so that V8 has compiled and optimized them when the first real packets
 * arrive. Cold, the first few thousand RTP packets cost several times what they cost
 * warm; with a hundred streams starting at once that backlog overflowed the socket buffer
 * (bench/README.md "Cold start"). The same classes as live traffic run, on a private
 * manager whose streams, events and logs nobody sees, and are dropped afterwards:
 *   RTP: RtpAdapter's demux -> RtpSession (sequencer, jitter buffer) -> H.264 depacketizer
 *        -> RtpInput -> Stream -> FrameStore (GOP buffer);
 *   TS:  TsInput (TsDemuxer, Annex B assembler, AAC) -> Stream -> FrameStore, in
 *        1316-byte pushes as SRT delivers them.
 */
import type { Config } from "../../config/config.ts";
import { createLogger, type Logger } from "../../core/log.ts";
import { Manager } from "../../stream/manager.ts";
import { RtpAdapter } from "../../pipeline/rtp_adapter.ts";
import { TsInput } from "../../pipeline/ts_input.ts";
import { frameStoreFor } from "../listeners.ts";
import { h264Frame, rtpPackets, tsStream } from "./synthetic.ts";

/** Warm-up size: RTP sources x frames each, and TS frames (30/s, GOP 30). */
export const WARMUP_RTP_SOURCES = 4;
export const WARMUP_RTP_FRAMES = 90;
export const WARMUP_TS_FRAMES = 120;
/** Slice data of a synthetic keyframe, bytes (P frames: a quarter). */
const FRAME_BYTES = 24_000;
/** SRT live-mode message: 7 TS packets. */
const SRT_MESSAGE = 1316;

/** What the warm-up did, for the start-up log line. */
export interface WarmupReport {
  ms: number;
  rtpPackets: number;
  tsBytes: number;
  /** Frames the private streams counted, by kind (the synthetic media really parsed). */
  videoFrames: number;
  audioFrames: number;
}

/** Runs the warm-up (synchronously, a few tens of ms); never throws (a failure is logged). */
export function warmUp(config: Config, appLog: Logger): WarmupReport {
  const t0 = performance.now();
  const log = createLogger("error", "text", () => {});
  const cfg: Config = {
    ...config,
    ingestion: { ...config.ingestion, maxConnections: 1000 },
    rtp: { ...config.rtp, newStreamRate: 1000, streams: [], sdp: [] },
  };
  const manager: Manager = new Manager(cfg, log, { frameSink: (s) => frameStoreFor(manager)(s) });
  let rtpPackets = 0, tsBytes = 0;
  try {
    rtpPackets = warmRtp(manager, t0);
    tsBytes = warmTs(manager, cfg);
  } catch (e) {
    // A warm-up failure is a bug, never a reason not to start: report and carry on.
    appLog.error("warmup.failed", { error: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
  let videoFrames = 0, audioFrames = 0;
  for (const s of manager.streams.values()) {
    for (const t of s.tracks.values()) {
      if (t.info.kind === "video") videoFrames += t.frames;
      else audioFrames += t.frames;
    }
  }
  for (const id of [...manager.streams.keys()]) manager.remove(id, "warmup");
  return { ms: performance.now() - t0, rtpPackets, tsBytes, videoFrames, audioFrames };
}

function warmRtp(manager: Manager, t0: number): number {
  const rtp = new RtpAdapter(manager);
  let n = 0;
  for (let s = 0; s < WARMUP_RTP_SOURCES; s++) {
    const remote = { hostname: "127.0.0.1", port: 40000 + s };
    let seq = 1000 * s;
    for (let f = 0; f < WARMUP_RTP_FRAMES; f++) {
      const pkts = rtpPackets(h264Frame(f, 30, FRAME_BYTES), seq, f * 3000, 0x5eed_0000 + s);
      seq += pkts.length;
      const now = t0 + f * 33;
      for (const d of pkts) rtp.demux.onDatagram(d, remote, now);
      n += pkts.length;
    }
  }
  // stop() flushes the sources and takes the adapter's poll off the process clock: left
  // there, this private adapter (and its manager) lived, and polled, for the process's life.
  // Without sockets it finishes synchronously; its promise has nothing left to wait for.
  void rtp.stop();
  return n;
}

function warmTs(manager: Manager, cfg: Config): number {
  const opened = manager.open(
    { protocol: "srt", name: "warmup-ts", remote: "127.0.0.1:1", streamId: "warmup-ts" },
    { disconnect: () => {} },
  );
  if (!opened.ok) return 0;
  const input = new TsInput(opened.value, { frameTimeoutMs: cfg.ingestion.frameTimeout });
  const ts = tsStream(WARMUP_TS_FRAMES, 30, FRAME_BYTES);
  const t0 = performance.now();
  for (let o = 0; o < ts.length; o += SRT_MESSAGE) {
    input.push(ts.subarray(o, Math.min(ts.length, o + SRT_MESSAGE)), t0 + (o / ts.length) * 4000);
  }
  input.close(); // removed below: its PES slabs then serve the first real streams
  return ts.length;
}
