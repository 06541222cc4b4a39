/**
 * One accepted SRT connection (a publisher): the receive drain and the statistics
 * snapshot. The listener owns the epoll set and calls `drain()` when libsrt reports
 * SRT_EPOLL_IN and `snapshot()` once a second (SRT API: srt_recvmsg, srt_bistats,
 * SRTO_RCVKMSTATE; Haivision srt docs/API/API-functions.md).
 */

import { EPOLL_EVENT_BYTES, SRT_EPOLL, SRT_ERR, SRTO, type SrtSymbols } from "../../../ffi/srt.ts";
import { decodeStats, PERFMON_BYTES, type SrtStats } from "./stats.ts";
import { DRAIN_MAX_MESSAGES, type DrainBuffer, SRT_MESSAGE_MAX_BYTES } from "./drain_buffer.ts";

/**
 * Batches read from one socket per epoll wake-up (fairness cap): 16 x 64 messages, 1.3 MB
 * of TS, is 1 Gb/s for one stream at the default 10 ms read interval, 350 Mb/s at 30 ms.
 */
export const DRAIN_MAX_BATCHES = 16;

/** What a stream admission carries (the parsed SRT stream id plus the peer). */
export interface SrtAdmission {
  /** Stream name: the plain id or the `r=` value. */
  name: string;
  /** `u=` of a `#!::` stream id. */
  user?: string;
  /** The stream id as received. */
  raw: string;
  /** The caller's address, "ip:port". */
  remote: string;
}

/**
 * Receives one connection's bytes. `chunk` is a view into the listener's reused drain
 * buffer: valid only during the call (copy what you keep). It holds whole SRT messages
 * (for MPEG-TS: 188-byte packets) read in one wake-up. `arrivalMs` is performance.now().
 */
export interface SrtConnectionSink {
  data(chunk: Uint8Array, arrivalMs: number): void;
  stats(s: SrtStats): void;
  closed(reason: string, last: SrtStats | undefined): void;
}

/** Result of one drain: bytes delivered and whether the socket is finished. */
export interface DrainResult {
  bytes: number;
  /** undefined while alive; else the close reason ("peer_closed", "recv_error_<code>"). */
  end?: string;
}

/** An accepted SRT socket as the stream manager sees it. */
export class SrtConnection {
  /** The SRTSOCKET id. */
  readonly id: number;
  readonly remote: string;
  /** The raw stream id. */
  readonly streamId: string;
  readonly admission: SrtAdmission;
  sink: SrtConnectionSink | undefined;
  /** The latest statistics snapshot (kept after the connection closed). */
  last: SrtStats | undefined;
  bytesReceived = 0;
  /** srt_recvmsg calls that found nothing due (EASYNCRCV): a C++ throw inside libsrt each. */
  emptyReads = 0;
  closedReason: string | undefined;
  readonly #sym: SrtSymbols;
  readonly #closer: (c: SrtConnection, reason: string) => void;
  readonly #stats = new Uint8Array(PERFMON_BYTES);
  readonly #km = new Int32Array(1);
  readonly #kmLen = new Int32Array(1);
  /** An epoll set holding only this socket: is a message due, without a read that fails. */
  #readyEid = -1;
  readonly #readyEv = new Uint8Array(EPOLL_EVENT_BYTES);
  readonly #readyFlags = new Int32Array([SRT_EPOLL.IN | SRT_EPOLL.ERR]);

  /** Built by the listener after srt_accept. */
  constructor(
    sym: SrtSymbols,
    id: number,
    admission: SrtAdmission,
    closer: (c: SrtConnection, reason: string) => void,
  ) {
    this.#sym = sym;
    this.id = id;
    this.admission = admission;
    this.remote = admission.remote;
    this.streamId = admission.raw;
    this.#closer = closer;
  }

  /**
   * Closes the socket from our side; the sink gets closed(reason), by default
   * "closed_by_server" (the manager passes its own: "replaced" for a takeover, "api_delete",
   * "shutdown"). Idempotent.
   */
  close(reason = "closed_by_server"): void {
    this.#closer(this, reason);
  }

  /**
   * Gives the socket an epoll set of its own (SRT_EPOLL_IN | ERR), which drain() asks
   * before each further read: libsrt clears IN when its last due message is read, so the
   * drain stops without the read that fails. That failed read (EASYNCRCV) is a C++
   * exception thrown and caught inside libsrt, ~30-50 us of CPU each on this VM: one per
   * socket per wake-up, most of what reading a quiet stream cost (bench/README.md). Without
   * the set (srt_epoll_create failed), drain() reads until EASYNCRCV as before.
   */
  watch(): void {
    if (this.#readyEid >= 0) return;
    const eid = this.#sym.srt_epoll_create();
    if (eid < 0) return;
    if (this.#sym.srt_epoll_add_usock(eid, this.id, this.#readyFlags) !== 0) {
      this.#sym.srt_epoll_release(eid);
      return;
    }
    this.#readyEid = eid;
  }

  /** Releases the socket's own epoll set (after srt_close). Idempotent. */
  unwatch(): void {
    if (this.#readyEid < 0) return;
    this.#sym.srt_epoll_release(this.#readyEid);
    this.#readyEid = -1;
  }

  /**
   * Whether another read may find a message: false only when the socket's own epoll set
   * (IN and ERR only) reports nothing; a broken socket (ERR) is read until libsrt names
   * its end, and a failed poll falls back to reading.
   */
  #mayRead(): boolean {
    const eid = this.#readyEid;
    return eid < 0 || this.#sym.srt_epoll_uwait_now(eid, this.#readyEv, 1, 0n) !== 0;
  }

  /**
   * Reads what is due with synchronous srt_recvmsg into `buf`, handing the sink one chunk
   * per DRAIN_MAX_MESSAGES, up to DRAIN_MAX_BATCHES chunks. EASYNCRCV (6002) means drained.
   */
  drain(buf: DrainBuffer, arrivalMs: number): DrainResult {
    let bytes = 0;
    for (let b = 0; b < DRAIN_MAX_BATCHES; b++) {
      const r = this.#batch(buf, arrivalMs, b > 0);
      bytes += r.bytes;
      if (r.end || !r.full || this.closedReason !== undefined) return { bytes, end: r.end };
    }
    return { bytes };
  }

  /**
   * One batch of up to DRAIN_MAX_MESSAGES messages; `full` when it stopped at the cap.
   * `ask`: check readiness before the first read too (the epoll wake-up vouched for the
   * first read of a drain).
   */
  #batch(buf: DrainBuffer, arrivalMs: number, ask: boolean): DrainResult & { full: boolean } {
    const sym = this.#sym;
    let off = 0;
    let end: string | undefined;
    let i = 0;
    for (; i < DRAIN_MAX_MESSAGES; i++) {
      // Read while the socket's own epoll set says a message is due (watch()). Not
      // srt_getsockflag(SRTO_EVENT): that deadlocked libsrt 1.5 (its receive, TSBPD and
      // our thread each waiting on a lock) under a 100 Mb/s stream read behind; the epoll
      // set only takes libsrt's epoll lock.
      if ((i > 0 || ask) && !this.#mayRead()) break;
      const n = sym.srt_recvmsg(this.id, buf.at(off), SRT_MESSAGE_MAX_BYTES);
      if (n > 0) {
        off += n;
        continue;
      }
      if (n < 0) {
        const code = sym.srt_getlasterror(null);
        if (code === SRT_ERR.EASYNCRCV) this.emptyReads++;
        else {
          end = code === SRT_ERR.ECONNLOST ? "peer_closed" : `recv_error_${code}`;
        }
      }
      break;
    }
    if (off > 0) {
      this.bytesReceived += off;
      this.sink?.data(buf.bytes.subarray(0, off), arrivalMs);
    }
    return { bytes: off, end, full: i === DRAIN_MAX_MESSAGES };
  }

  /** Packets still in libsrt's receive buffer (SRTO_RCVDATA); -1 when unreadable. */
  buffered(): number {
    this.#kmLen[0] = 4;
    this.#km[0] = 0;
    if (this.#sym.srt_getsockflag(this.id, SRTO.RCVDATA, this.#km, this.#kmLen) !== 0) return -1;
    return this.#km[0];
  }

  /** Takes a statistics snapshot (srt_bistats, instantaneous); undefined once broken. */
  snapshot(atMs: number): SrtStats | undefined {
    const sym = this.#sym;
    if (sym.srt_bistats(this.id, this.#stats, 0, 1) !== 0) return undefined;
    this.#kmLen[0] = 4;
    this.#km[0] = -1;
    sym.srt_getsockflag(this.id, SRTO.RCVKMSTATE, this.#km, this.#kmLen);
    const s = decodeStats(this.#stats, atMs, this.#km[0], this.last);
    this.last = s;
    return s;
  }
}
