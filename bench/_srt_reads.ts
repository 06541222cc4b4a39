/**
 * An input in memory as sluice's SRT listener reads a stream (lib/transport/srt/connection.ts
 * drain, lib/pipeline/srt_adapter.ts): 1316-byte messages, each copied into the listener's
 * one reused drain buffer at the next offset (srt_recvmsg's memcpy to a kept pointer,
 * lib/transport/srt/drain_buffer.ts: no object a message), and the messages of one read
 * handed on as one view of that buffer with the read's time. A read takes what libsrt released since the one before:
 * the read interval (lib/transport/srt/loop_timing.ts wakeMs; 10 ms at the default 120 ms
 * latency) at the input's mean rate, 8 messages for an 8 Mb/s TS.
 *
 * The message views of the input are made once, before any timing: they stand for the
 * network, which hands libsrt its bytes without sluice's CPU (the peers read their file with
 * read(2), no object per read either).
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
  readonly #messages: Uint8Array[] = [];
  /** Time between two reads, ms. */
  readonly stepMs = readIntervalMs();

  constructor(readonly data: Uint8Array, readonly perRead: number) {
    for (let o = 0; o < data.length; o += MESSAGE_BYTES) {
      this.#messages.push(data.subarray(o, Math.min(o + MESSAGE_BYTES, data.length)));
    }
  }

  /** Messages of the input. */
  get count(): number {
    return this.#messages.length;
  }

  /** Index of the first message at or after byte `offset` (a multiple of 188 in a TS). */
  at(offset: number): number {
    return Math.ceil(offset / MESSAGE_BYTES);
  }

  /**
   * Reads messages `[first, end)`, `perRead` at a time, into the drain buffer; each read's
   * chunk goes to `sink` at `t`, then `t` moves on by the read interval. Returns the next `t`.
   */
  feed(sink: ReadSink, first = 0, end = this.#messages.length, t = 0): number {
    const m = this.#messages;
    for (let i = first; i < end; t += this.stepMs) {
      let off = 0;
      for (let k = 0; k < this.perRead && i < end; k++, i++) {
        DRAIN.set(m[i], off);
        off += m[i].length;
      }
      sink(DRAIN.subarray(0, off), t);
    }
    return t;
  }
}
