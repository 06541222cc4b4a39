/**
 * Starts the protocol listeners (SRT, RTP) for a manager. Each adapter registers
 * itself in `manager.listeners`; a listener that cannot start reports why in its
 * health and the others keep working.
 */
import type { Manager } from "../stream/manager.ts";
import { SrtAdapter } from "../pipeline/srt_adapter.ts";
import { RtpAdapter } from "../pipeline/rtp_adapter.ts";
import { TsInput } from "../pipeline/ts_input.ts";
import { FrameStore } from "../pipeline/frame_store.ts";
import type { Stream } from "../stream/stream.ts";

/** The frame store factory for streams of this manager (GOP buffer under the per-stream limit). */
export function frameStoreFor(manager: Manager): (s: Stream) => FrameStore {
  return (s) =>
    new FrameStore({
      maxGops: manager.config.ingestion.gopBufferSize,
      get maxBytes() { // ingestion.memory.per_stream_limit, live on reload
        return manager.config.ingestion.memory.perStreamLimit;
      },
      count: (reason, n) => s.count(reason, n),
      params: s.params,
    });
}

/** Starts every listener. */
export async function startListeners(manager: Manager): Promise<void> {
  const srt = new SrtAdapter(
    manager,
    (sink) =>
      new TsInput(sink, {
        frameTimeoutMs: manager.config.ingestion.frameTimeout,
        tap: ((sink as Stream).frameSink as FrameStore | undefined)?.tsTap,
      }),
  );
  manager.listeners.push(srt);
  srt.start();
  const rtp = new RtpAdapter(manager);
  manager.listeners.push(rtp);
  await rtp.start();
}
