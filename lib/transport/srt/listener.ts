/**
 * The SRT listener: one libsrt listening socket (listen_socket.ts), one epoll set for it
 * and every accepted connection, one loop awaiting `srt_epoll_uwait` (loop_timing.ts),
 * stream-id admission in `srt_listen_callback` (admission.ts: SRT Access Control, reject
 * codes 1000+ from access_control.h, per-stream passphrases), accepted connections
 * drained, their closed-peer tails read, and statistics taken once a second.
 * See SRT API docs/API/API-functions.md (srt_accept, srt_epoll_uwait).
 */

import {
  EPOLL_EVENT_BYTES,
  openSrt,
  SRT_EPOLL,
  SRTO,
  SRTS,
  type SrtSymbols,
} from "../../../ffi/srt.ts";
import { SrtConnection, type SrtConnectionSink } from "./connection.ts";
import { DrainBuffer } from "./drain_buffer.ts";
import { AdmissionGate } from "./admission.ts";
import type { SrtHealth, SrtListenerOptions } from "./listener_options.ts";
import {
  closeListenSocket,
  type ListenSocket,
  openListenSocket,
  unwatchListenSocket,
} from "./listen_socket.ts";
import { srtSocketDrops } from "./udp_socket.ts";
import { fail, ok, type Result } from "../../core/result.ts";
import { HOUSEKEEPING } from "../../core/ticker.ts";
import type { RefusalReason } from "../../core/reasons/catalogue.ts";
import {
  ACCEPTS_PER_WAKE,
  EPOLL_EVENTS_MAX,
  STATS_INTERVAL_MS,
  TAIL_DRAIN_EXTRA_MS,
  UWAIT_DRAINING_BIG,
  UWAIT_ERROR_PAUSE_MS,
  UWAIT_TIMEOUT_BIG,
  wakeMs,
} from "./loop_timing.ts";

/** An SRT listener on libsrt. Construct, start(), later stop(). */
export class SrtListener {
  readonly #o: SrtListenerOptions;
  /** The listening socket, its epoll set and libsrt; kept after stop() for health(). */
  #sock: ListenSocket | undefined;
  #reason: string | undefined;
  #loop: Promise<void> | undefined;
  #stopping = false;
  #stopped: Promise<void> | undefined;
  readonly #conns = new Map<number, SrtConnection>();
  /** Broken connections whose TSBPD-held tail is still being read, with a deadline. */
  readonly #draining = new Map<number, { reason: string; deadline: number }>();
  #gate: AdmissionGate | undefined;
  #accepted = 0;
  // Buffers handed to C: fields, so they stay reachable for the listener's life.
  readonly #events = new Uint8Array(EPOLL_EVENT_BYTES * EPOLL_EVENTS_MAX);
  readonly #eventsView = new DataView(this.#events.buffer);
  readonly #drainBuf = new DrainBuffer();
  readonly #addr = new Uint8Array(128);
  readonly #addrView = new DataView(this.#addr.buffer);
  readonly #addrLen = new Int32Array(1);
  readonly #flags = new Int32Array([SRT_EPOLL.IN | SRT_EPOLL.ERR]);
  readonly #ev = new Int32Array(1);
  readonly #evLen = new Int32Array(1);
  #lastStatsMs = 0;

  constructor(o: SrtListenerOptions) {
    this.#o = o;
  }

  /** Least time between two wake-ups that found data, ms (read per wake: live reload). */
  #wakeMs(): number {
    const r = this.#o.readIntervalMs ?? 0;
    return wakeMs(this.#o.latencyMs, typeof r === "number" ? r : r());
  }

  get #sym(): SrtSymbols {
    return this.#sock!.lib.sym;
  }

  #refuse(reason: RefusalReason): void {
    this.#gate?.refuse(reason);
  }

  /** Opens libsrt, binds, listens and starts the epoll loop. A failure disables SRT. */
  start(): Result<void> {
    if (this.#sock || this.#stopped) return fail("already_started");
    const o = this.#o;
    const opened = openSrt(o.library);
    if (!opened.ok) return this.#disable(opened.reason);
    const idle = o.peerIdleTimeoutMs ?? 5000;
    const listenOpts = {
      ...o,
      peerIdleTimeoutMs: typeof idle === "number" ? idle : idle(),
      socketBufferBytes: o.socketBufferBytes ? o.socketBufferBytes : undefined,
    };
    const sock = openListenSocket(
      opened.value,
      { ...listenOpts, libLog: o.log },
      this.#flags,
      (sym) => {
        const gate = this.#gate = new AdmissionGate(sym, o.admit, idle);
        if (o.refused) gate.report = o.refused;
        gate.listenerPassphrase = !!o.passphrase;
        gate.logFailure = (host, reason, count, backoffMs) =>
          o.log("warn", "srt_handshake_failures", { host, reason, count, backoffMs });
        return (ns, peer, sid) => gate.onHandshake(ns, peer, sid);
      },
    );
    if (!sock.ok) {
      this.#stopped = Promise.resolve();
      return this.#disable(sock.reason);
    }
    this.#sock = sock.value;
    this.#lastStatsMs = performance.now();
    this.#loop = this.#run();
    const udp = sock.value.udp;
    o.log("info", "srt_listening", {
      host: o.host,
      port: o.port,
      library: opened.value.path,
      socket: udp ? "sluice" : "libsrt",
      ...(udp ? { socketBufferBytes: udp.bufferBytes, forced: udp.forced } : {}),
      ...(sock.value.udpFallback ? { socketReason: sock.value.udpFallback } : {}),
    });
    return ok(undefined);
  }

  #disable(reason: string): Result<void> {
    this.#reason = reason;
    this.#o.log("error", "srt_disabled", { reason });
    return fail(reason);
  }

  async #run(): Promise<void> {
    const sym = this.#sym;
    const eid = this.#sock!.eid;
    while (!this.#stopping) {
      const n = await sym.srt_epoll_uwait(
        eid,
        this.#events,
        EPOLL_EVENTS_MAX,
        this.#draining.size > 0 ? UWAIT_DRAINING_BIG : UWAIT_TIMEOUT_BIG,
      );
      if (this.#stopping) break;
      if (n < 0) {
        await new Promise((r) => setTimeout(r, UWAIT_ERROR_PAUSE_MS));
        continue;
      }
      this.#handle(n);
      // While data flows, read on the process clock every wakeMs (one 8 Mb/s stream woke ~760
      // times a second, one message each), each wake a zero-timeout poll on this thread; only
      // a poll that finds nothing goes back to the blocking wait on a worker thread (its hop
      // and promise cost more than the poll: bench/README.md, one SRT stream). The clock's
      // other steps share these wake-ups (lib/core/ticker.ts); one that took longer than
      // wakeMs is followed at once: the API and RTP get their turn between.
      if (n > 0) await HOUSEKEEPING.repeatWhile(() => this.#wakeMs(), () => this.#pollNow());
    }
  }

  /** One zero-timeout poll and its events; false when it found nothing (or stopping). */
  #pollNow(): boolean {
    if (this.#stopping) return false;
    const n = this.#sym.srt_epoll_uwait_now(this.#sock!.eid, this.#events, EPOLL_EVENTS_MAX, 0n);
    if (n <= 0) return false;
    this.#handle(n);
    return !this.#stopping;
  }

  /** Serves the `n` events of the last poll, lingering tails and the statistics clock. */
  #handle(n: number): void {
    const now = performance.now();
    const lsn = this.#sock!.lsn;
    const count = Math.min(n, EPOLL_EVENTS_MAX);
    for (let i = 0; i < count; i++) {
      const fd = this.#eventsView.getInt32(i * EPOLL_EVENT_BYTES, true);
      const ev = this.#eventsView.getInt32(i * EPOLL_EVENT_BYTES + 4, true);
      if (fd === lsn) {
        // Every queued connection, not one per wake: a burst of callers otherwise fills
        // libsrt's backlog and the rest are rejected (SRT_REJ_BACKLOG).
        for (
          let k = 0;
          k < ACCEPTS_PER_WAKE && (k === 0 || this.#queued()) && this.#accept();
          k++
        );
      } else this.#service(fd, ev, now);
    }
    if (this.#draining.size > 0) this.#drainTails(now);
    if (now - this.#lastStatsMs >= STATS_INTERVAL_MS) this.#tick(now);
  }

  #service(fd: number, ev: number, now: number): void {
    const c = this.#conns.get(fd);
    if (!c) return;
    let end: string | undefined;
    try {
      end = c.drain(this.#drainBuf, now).end;
    } catch (e) {
      this.#o.log("error", "srt_sink_error", { id: c.id, error: String(e) });
    }
    if (c.closedReason !== undefined) return; // the sink closed it from inside data()
    if (!end && (ev & SRT_EPOLL.ERR) !== 0) {
      const st = this.#sym.srt_getsockstate(fd);
      end = st === SRTS.BROKEN ? "peer_closed" : `socket_state_${st}`;
    }
    if (end) this.#linger(c, end, now);
  }

  /**
   * A peer that closed cleanly may leave up to `latency` ms of packets that TSBPD has
   * not released yet; libsrt still delivers them on the broken socket. Keep reading
   * them (out of epoll: ERR is level-triggered) until empty or the deadline.
   */
  #linger(c: SrtConnection, reason: string, now: number): void {
    if (this.#draining.has(c.id)) return;
    c.snapshot(now);
    this.#sym.srt_epoll_remove_usock(this.#sock!.eid, c.id);
    if (c.buffered() <= 0) return this.#finish(c, reason);
    const deadline = now + this.#o.latencyMs + TAIL_DRAIN_EXTRA_MS;
    this.#draining.set(c.id, { reason, deadline });
  }

  #drainTails(now: number): void {
    for (const [id, d] of this.#draining) {
      const c = this.#conns.get(id);
      if (!c) {
        this.#draining.delete(id);
        continue;
      }
      try {
        c.drain(this.#drainBuf, now);
      } catch (e) {
        this.#o.log("error", "srt_sink_error", { id, error: String(e) });
      }
      if (c.buffered() <= 0 || now >= d.deadline) this.#finish(c, d.reason);
    }
  }

  /**
   * Whether the listener still has a connection queued (SRTO_EVENT has SRT_EPOLL_IN): asked
   * before each further srt_accept, which logs an error when the queue is empty.
   */
  #queued(): boolean {
    this.#evLen[0] = 4;
    const ok = this.#sym.srt_getsockflag(this.#sock!.lsn, SRTO.EVENT, this.#ev, this.#evLen) === 0;
    return ok && (this.#ev[0] & SRT_EPOLL.IN) !== 0;
  }

  /** Takes one queued connection; false when the queue was empty. */
  #accept(): boolean {
    const sym = this.#sym;
    this.#addrLen[0] = this.#addr.length;
    const ns = sym.srt_accept(this.#sock!.lsn, this.#addr, this.#addrLen);
    if (ns < 0) return false;
    const got = this.#gate!.take(ns, this.#addrView);
    if (!got.ok) {
      this.#refuse(got.reason);
      sym.srt_close(ns);
      return true;
    }
    const a = got.value;
    const c = new SrtConnection(sym, ns, a, (x, r) => this.#finish(x, r));
    let sink: SrtConnectionSink | undefined;
    try {
      sink = this.#o.open(a, c);
    } catch (e) {
      this.#o.log("error", "srt_open_error", { stream: a.name, error: String(e) });
    }
    if (!sink) {
      this.#refuse("open_refused");
      sym.srt_close(ns);
      return true;
    }
    c.sink = sink;
    this.#conns.set(ns, c);
    sym.srt_epoll_add_usock(this.#sock!.eid, ns, this.#flags);
    c.watch();
    this.#accepted++;
    c.snapshot(performance.now());
    this.#o.log("info", "srt_connected", { id: ns, stream: a.name, remote: a.remote });
    return true;
  }

  #finish(c: SrtConnection, reason: string): void {
    if (c.closedReason !== undefined || !this.#conns.has(c.id)) return;
    c.closedReason = reason;
    this.#draining.delete(c.id);
    c.snapshot(performance.now());
    this.#conns.delete(c.id);
    this.#sym.srt_close(c.id); // srt_close also takes the socket out of every epoll set
    c.unwatch();
    this.#o.log("info", "srt_disconnected", { id: c.id, stream: c.admission.name, reason });
    try {
      c.sink?.closed(reason, c.last);
    } catch (e) {
      this.#o.log("error", "srt_sink_error", { id: c.id, error: String(e) });
    }
  }

  #tick(now: number): void {
    this.#lastStatsMs = now;
    for (const c of this.#conns.values()) {
      const s = c.snapshot(now);
      if (!s) continue;
      try {
        c.sink?.stats(s);
      } catch (e) {
        this.#o.log("error", "srt_sink_error", { id: c.id, error: String(e) });
      }
    }
    this.#gate?.expire(now);
  }

  /** Live connections. */
  connections(): SrtConnection[] {
    return [...this.#conns.values()];
  }

  /** Health for the API: enabled, library path or the reason SRT is off, counters. */
  health(): SrtHealth {
    const h: SrtHealth = {
      enabled: this.#sock !== undefined && !this.#stopping,
      port: this.#o.port,
      connections: this.#conns.size,
      refused: { ...this.#gate?.refused },
      accepted: this.#accepted,
    };
    if (this.#sock) {
      h.library = this.#sock.lib.path;
      const udp = this.#sock.udp;
      h.socket = udp ? "sluice" : "libsrt";
      if (this.#sock.udpFallback) h.socketReason = this.#sock.udpFallback;
      if (udp) {
        h.socketBufferBytes = udp.bufferBytes;
        const d = this.#stopping ? -1 : srtSocketDrops(udp);
        h.kernelDrops = d >= 0 ? d : null;
      }
    }
    if (this.#reason) h.reason = this.#reason;
    return h;
  }

  /** Closes every connection, waits for the in-flight uwait, releases everything. Idempotent. */
  stop(): Promise<void> {
    if (this.#stopped) return this.#stopped;
    this.#stopped = this.#teardown();
    return this.#stopped;
  }

  async #teardown(): Promise<void> {
    const sock = this.#sock;
    if (!sock) return;
    this.#stopping = true;
    if (this.#gate) this.#gate.stopping = true;
    // A blocking srt_epoll_uwait returns at its next internal poll (<= 10 ms) once its set
    // is empty (an empty set is an error without SRT_EPOLL_ENABLE_EMPTY), not at its timeout.
    unwatchListenSocket(sock);
    for (const id of this.#conns.keys()) {
      if (!this.#draining.has(id)) this.#sym.srt_epoll_remove_usock(sock.eid, id);
    }
    await this.#loop;
    for (const c of [...this.#conns.values()]) this.#finish(c, "listener_stopped");
    await closeListenSocket(sock);
    this.#o.log("info", "srt_stopped", { port: this.#o.port });
  }
}
