/**
 * An input in memory as sluice's SRT listener reads a stream (lib/transport/srt/connection.ts
 * drain, lib/pipeline/srt_adapter.ts): the 1316-byte messages libsrt released since the last
 * read copied into the listener's one reused drain buffer one after the other (srt_recvmsg's
 * memcpy to a kept pointer, lib/transport/srt/drain_buffer.ts), and handed on as one view of
 * that buffer with the read's time. A read takes what arrived over the read interval
 * (lib/transport/srt/loop_timing.ts wakeMs; 10 ms at the default 120 ms latency) at the
 * input's mean rate: 8 messages for an 8 Mb/s TS.
 *
 * The messages of one read are copied with one `set` of a view of the input, made in the
 * timed loop (a view a read, as the listener makes one for the chunk). Not one per message:
 * a view per message kept for a run is 237 k objects for the 5-copy steady input, which the
 * first GCs of the run copy to the old generation and every full GC marks, on sluice's CPU
 * (the first steady stream paid 10-14 ms scavenges for them). The per-message call into
 * libsrt is libsrt's cost, as its UDP receive is, and is not modelled; the peers read their
 * file with read(2) into one buffer.
 */
import { defaultConfig } from "../lib/config/defaults.ts";
import { DRAIN_BUFFER_BYTES, DRAIN_MAX_MESSAGES } from "../lib/transport/srt/drain_buffer.ts";
import { wakeMs } from "../lib/transport/srt/loop_timing.ts";

/** Payload of one SRT message carrying MPEG-TS (7 packets), bytes. */
export const MESSAGE_BYTES = 1316;

/** The drain buffer (the listener's, shared by all its connections). */
const DRAIN = new Uint8Array(DRAIN_BUFFER_BYTES);

/** The read interval of a default config, ms. */
export function readIntervalMs(): number {
  const c = defaultConfig().srt;
  return wakeMs(c.latency, c.readInterval);
}

/** Messages one read takes of a stream of `bytes` over `seconds` at the default interval. */
export function messagesPerRead(bytes: number, seconds: number): number {
  const n = bytes / seconds * readIntervalMs() / 1000 / MESSAGE_BYTES;
  return Math.min(DRAIN_MAX_MESSAGES, Math.max(1, Math.round(n)));
}

/** Where a read's chunk goes: the SRT adapter's `data(chunk, arrivalMs)`. */
export type ReadSink = (chunk: Uint8Array, arrivalMs: number) => void;

/** `data` as SRT messages read `perRead` at a time (module doc). */
export class SrtReads {
  /** Time between two reads, ms. */
  readonly stepMs = readIntervalMs();

  constructor(readonly data: Uint8Array, readonly perRead: number) {}

  /** Messages of the input. */
  get count(): number {
    return Math.ceil(this.data.length / MESSAGE_BYTES);
  }

  /** Index of the first message at or after byte `offset` (a multiple of 188 in a TS). */
  at(offset: number): number {
    return Math.ceil(offset / MESSAGE_BYTES);
  }

  /**
   * Reads messages `[first, end)`, `perRead` at a time, into the drain buffer; each read's
   * chunk goes to `sink` at `t`, then `t` moves on by the read interval. Returns the next `t`.
   */
  feed(sink: ReadSink, first = 0, end = this.count, t = 0): number {
    const data = this.data;
    const step = this.perRead * MESSAGE_BYTES;
    const stop = Math.min(end * MESSAGE_BYTES, data.length);
    for (let o = first * MESSAGE_BYTES; o < stop; o += step, t += this.stepMs) {
      const n = Math.min(step, stop - o);
      DRAIN.set(data.subarray(o, o + n));
      sink(DRAIN.subarray(0, n), t);
    }
    return t;
  }
}
