/**
 * N SRT callers in one process (libsrt through FFI, ffi/srt.ts): each connects to the
 * listener with its own stream id (`prefix-<i>`) and sends the same MPEG-TS file in
 * 1316-byte live-mode messages paced by its PCR (ts_pacing.ts), starting `staggerMs`
 * after the previous caller. One process with N libsrt sockets costs far less than N
 * ffmpeg processes. SRT API: srt_create_socket, srt_setsockflag (SRTO_STREAMID,
 * SRTO_LATENCY, SRTO_SNDSYN), srt_connect, srt_sendmsg, srt_getsockflag (SRTO_SNDDATA),
 * srt_bistats, srt_close (Haivision srt docs/API/API-functions.md).
 */
import { encodeSockaddr, lastError, openSrt, type SrtLibrary, SRTO } from "../../ffi/srt.ts";
import { PERFMON_BYTES } from "../../lib/transport/srt/stats.ts";
import type { TsSchedule } from "./ts_pacing.ts";

/** CBytePerfMon sender fields (srt.h, LP64; see lib/transport/srt/stats.ts for the receive side). */
const SENT_TOTAL = 8, RETRANS_TOTAL = 32, SND_DROP_TOTAL = 64;
/** Longest wait for the callers' send buffers to empty after the last message, ms. */
export const FLUSH_MS = 3000;

/** Options of a caller set. */
export interface SrtCallerOptions {
  host: string;
  port: number;
  /** Caller i connects to port + (i % portCount) (one peer receiver per port); default 1. */
  portCount?: number;
  count: number;
  /** Stream id of caller i: `${prefix}-${i}`. */
  prefix: string;
  latencyMs: number;
  staggerMs: number;
  /** Whole passes of the file per caller. */
  loops: number;
  /** Callers stay connected at least this long from the start, ms (idle callers: no file). */
  holdMs?: number;
}

/** What the callers did, summed. */
export interface SrtCallerReport {
  callers: number;
  connected: number;
  connectErrors: string[];
  messages: number;
  bytes: number;
  sendErrors: number;
  /** libsrt's counters: packets sent (retransmissions included), retransmitted, dropped as too late. */
  packetsSent: number;
  packetsRetransmitted: number;
  packetsDropped: number;
}

/** A set of connected callers and their send state. */
export class SrtCallers {
  readonly #lib: SrtLibrary;
  readonly #o: SrtCallerOptions;
  readonly #sched: TsSchedule;
  readonly #socks: number[] = [];
  readonly #next: number[] = [];
  readonly #total: number;
  readonly report: SrtCallerReport;

  private constructor(lib: SrtLibrary, o: SrtCallerOptions, sched: TsSchedule) {
    this.#lib = lib;
    this.#o = o;
    this.#sched = sched;
    this.#total = o.loops * sched.messages.length;
    this.report = {
      callers: o.count,
      connected: 0,
      connectErrors: [],
      messages: 0,
      bytes: 0,
      sendErrors: 0,
      packetsSent: 0,
      packetsRetransmitted: 0,
      packetsDropped: 0,
    };
  }

  /** Starts libsrt and connects every caller (blocking connects, one after the other). */
  static open(o: SrtCallerOptions, sched: TsSchedule): SrtCallers {
    const lib = openSrt();
    if (!lib.ok) throw new Error(lib.reason);
    const c = new SrtCallers(lib.value, o, sched);
    const sym = lib.value.sym;
    sym.srt_setloglevel(3);
    if (sym.srt_startup() < 0) throw new Error("srt_startup failed");
    const i32 = new Int32Array(1);
    const enc = new TextEncoder();
    for (let i = 0; i < o.count; i++) {
      const addr = encodeSockaddr(o.host, o.port + (i % (o.portCount ?? 1)));
      if (!addr.ok) throw new Error(`bad host ${o.host}`);
      const s = sym.srt_create_socket();
      const sid = enc.encode(`${o.prefix}-${i}`);
      i32[0] = o.latencyMs;
      sym.srt_setsockflag(s, SRTO.LATENCY, i32, 4);
      sym.srt_setsockflag(s, SRTO.STREAMID, sid, sid.length);
      if (sym.srt_connect(s, addr.value, addr.value.length) < 0) {
        const why = sym.srt_getrejectreason(s);
        c.report.connectErrors.push(
          `${o.prefix}-${i}: ${lastError(sym).message} (reject reason ${why})`,
        );
        sym.srt_close(s);
        continue;
      }
      i32[0] = 0;
      sym.srt_setsockflag(s, SRTO.SNDSYN, i32, 4);
      c.#socks.push(s);
      c.#next.push(0);
    }
    c.report.connected = c.#socks.length;
    return c;
  }

  /** Sends every message due at `nowMs` (from the run's start); true when all are sent. */
  tick(nowMs: number): boolean {
    const sym = this.#lib.sym;
    const { messages, dueMs, loopMs } = this.#sched;
    const m = messages.length;
    let done = true;
    for (let i = 0; i < this.#socks.length; i++) {
      const start = i * this.#o.staggerMs;
      let k = this.#next[i];
      while (k < this.#total) {
        const due = start + Math.floor(k / m) * loopMs + dueMs[k % m];
        if (due > nowMs) break;
        const msg = messages[k % m];
        if (sym.srt_sendmsg(this.#socks[i], msg, msg.length, -1, 1) === msg.length) {
          this.report.messages++;
          this.report.bytes += msg.length;
        } else {
          this.report.sendErrors++;
        }
        k++;
      }
      this.#next[i] = k;
      if (k < this.#total) done = false;
    }
    return done && nowMs >= (this.#o.holdMs ?? 0);
  }

  /** Waits (bounded) for the send buffers to drain, reads libsrt's counters, closes. */
  async close(): Promise<void> {
    const sym = this.#lib.sym;
    const v = new Int32Array(1), len = new Int32Array([4]);
    const deadline = performance.now() + FLUSH_MS;
    while (performance.now() < deadline) {
      let pending = 0;
      for (const s of this.#socks) {
        len[0] = 4;
        if (sym.srt_getsockflag(s, SRTO.SNDDATA, v, len) === 0) pending += v[0];
      }
      if (pending === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const buf = new Uint8Array(PERFMON_BYTES);
    const dv = new DataView(buf.buffer);
    for (const s of this.#socks) {
      if (sym.srt_bistats(s, buf, 0, 1) === 0) {
        this.report.packetsSent += Number(dv.getBigInt64(SENT_TOTAL, true));
        this.report.packetsRetransmitted += dv.getInt32(RETRANS_TOTAL, true);
        this.report.packetsDropped += dv.getInt32(SND_DROP_TOTAL, true);
      }
      sym.srt_close(s);
    }
    await this.#lib.lib.symbols.srt_cleanup_async();
    this.#lib.lib.close();
  }
}
