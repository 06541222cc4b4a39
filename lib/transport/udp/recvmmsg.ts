/**
 * UDP receiver on libc recvmmsg(2) (Linux), drained on a ~1 ms timer, 64 datagrams
 * per call with MSG_DONTWAIT until EAGAIN (bench/README.md, udp bench: ~0.65 us per packet,
 * lossless to 400 k packets/s with an 8 MiB socket buffer). A socket that stays empty
 * backs the timer off to MAX_IDLE_TICK_MS, then waits in poll(2) on a worker thread
 * (IDLE_POLL_MS at a time, an eventfd wakes it at close) until a datagram arrives: an
 * idle receiver costs the event loop one wake a second instead of 125, and the first
 * datagram is read at once.
 *
 * The buffers given to recvmmsg are an MmsgBatch (mmsg_batch.ts), preallocated and held
 * for the receiver's whole life (docs/ARCHITECTURE.md, rule 5). Kernel drops come from SO_RXQ_OVFL
 * (socket(7)) and /proc/net/udp's drops column.
 */
import {
  AF_INET,
  EAGAIN,
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  EINTR,
  errnoName,
  type Libc,
  MSG_DONTWAIT,
  POLLIN,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SO_RXQ_OVFL,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCKADDR_IN_BYTES,
  SOL_SOCKET,
  writeSockaddrIn,
} from "../../../ffi/libc.ts";
import { MmsgBatch, SLOTS } from "./mmsg_batch.ts";
import { socketInode, udpDrops } from "./proc_udp.ts";
import type {
  OnDatagram,
  ResolvedUdpOptions,
  UdpReceiver,
  UdpReceiverStats,
  UdpRemote,
} from "./types.ts";

/** Cap on recvmmsg calls per timer tick (fairness to the rest of the event loop). */
export const MAX_CALLS_PER_TICK = 64;
/** Drain timer period while datagrams arrive, ms. */
export const TICK_MS = 1;
/**
 * Longest drain period of a quiet socket, ms: each empty drain doubles the period from
 * TICK_MS up to this, the first datagram brings it back to TICK_MS; one more empty drain
 * and the receiver waits in poll(2) instead (two idle sockets on timers cost ~1% of a core,
 * bench/README.md). A burst waits at most this long in the socket buffer (8 ms of 1.2 Gb/s
 * is 1.2 MB, an eighth of the default rtp.socket_buffer).
 */
export const MAX_IDLE_TICK_MS = 8;
/** Timeout of one poll(2) of an idle socket, ms (close() wakes it through an eventfd). */
export const IDLE_POLL_MS = 1000;

/** Opens, configures and binds the socket. Throws on bind failure (config error). */
export function openRecvmmsgReceiver(libc: Libc, o: ResolvedUdpOptions): UdpReceiver {
  return new RecvmmsgReceiver(libc, o);
}

class RecvmmsgReceiver implements UdpReceiver {
  readonly kind = "recvmmsg" as const;
  readonly port: number;
  readonly socketBufferBytes: number;
  #libc: Libc;
  #fd: number;
  // Every buffer C sees, kept reachable for the receiver's life.
  #batch: MmsgBatch;
  #sendAddr = new Uint8Array(SOCKADDR_IN_BYTES);
  #int = new Uint8Array(4);
  #intLen = new Uint8Array(4);
  #timer: ReturnType<typeof setTimeout> | undefined;
  #tickMs = TICK_MS;
  /** struct pollfd[2] of the idle wait (the socket, the wake eventfd); the wait in flight. */
  #pollfd = new Uint8Array(16);
  #wakeFd = -1;
  #waiting: Promise<number> | undefined;
  #onDatagram: OnDatagram | undefined;
  #rxqOvfl: boolean;
  #cmsgDrops = 0;
  #procPath: string | undefined;
  #stats: UdpReceiverStats = {
    datagrams: 0,
    bytes: 0,
    kernelDrops: 0,
    batches: 0,
    truncated: 0,
    errors: 0,
  };
  #log: (msg: string) => void;
  #closed = false;

  constructor(libc: Libc, o: ResolvedUdpOptions) {
    this.#libc = libc;
    this.#log = o.log;
    const s = libc.sym;
    const fd = s.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (fd < 0) throw new Error(`udp: socket() failed: ${errnoName(libc.errno())}`);
    this.#fd = fd;
    try {
      // No SO_REUSEADDR/SO_REUSEPORT: on UDP they let a second process bind the same port
      // and take the traffic; the bind must fail instead (EADDRINUSE, with the address).
      // The kernel doubles what is set (socket(7)); set half so the effective size is
      // what was asked. SO_RCVBUFFORCE (root) passes net.core.rmem_max.
      const half = Math.max(1, Math.floor(o.socketBufferBytes / 2));
      if (!this.#setInt(SO_RCVBUFFORCE, half)) this.#setInt(SO_RCVBUF, half);
      this.socketBufferBytes = this.#getInt(SO_RCVBUF);
      this.#rxqOvfl = this.#setInt(SO_RXQ_OVFL, 1);
      const addr = new Uint8Array(SOCKADDR_IN_BYTES);
      if (!writeSockaddrIn(addr, o.hostname, o.port)) {
        throw new TypeError(`udp: hostname must be an IPv4 address, got "${o.hostname}"`);
      }
      if (s.bind(fd, addr, SOCKADDR_IN_BYTES) !== 0) {
        const e = libc.errno();
        throw new Error(`udp: cannot bind ${o.hostname}:${o.port}: ${errnoName(e)}`);
      }
      const len = new Uint8Array(4);
      new DataView(len.buffer).setUint32(0, SOCKADDR_IN_BYTES, true);
      s.getsockname(fd, addr, len);
      this.port = new DataView(addr.buffer).getUint16(2, false);
    } catch (e) {
      s.close(fd);
      throw e;
    }
    this.#batch = new MmsgBatch(o.maxDatagramBytes);
    this.#wakeFd = libc.sym.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    const pfd = new DataView(this.#pollfd.buffer);
    pfd.setInt32(0, this.#fd, true);
    pfd.setInt16(4, POLLIN, true);
    pfd.setInt32(8, this.#wakeFd, true);
    pfd.setInt16(12, POLLIN, true);
  }

  start(onDatagram: OnDatagram): void {
    if (this.#onDatagram || this.#closed) return;
    this.#onDatagram = onDatagram;
    this.#schedule();
  }

  /** Next drain in #tickMs; the period backs off while the socket is empty. */
  #schedule(): void {
    this.#timer = setTimeout(() => this.#tick(), this.#tickMs);
  }

  /** Drains, then schedules the next drain, or the idle wait once backed off and empty. */
  #tick(): void {
    this.#timer = undefined;
    const before = this.#stats.datagrams + this.#stats.truncated;
    this.#drain();
    if (this.#closed) return;
    if (this.#stats.datagrams + this.#stats.truncated > before) this.#tickMs = TICK_MS;
    else if (this.#tickMs >= MAX_IDLE_TICK_MS) return this.#idleWait();
    else this.#tickMs = Math.min(MAX_IDLE_TICK_MS, this.#tickMs * 2);
    this.#schedule();
  }

  /** Waits off the event loop until the socket is readable (or IDLE_POLL_MS), then drains. */
  #idleWait(): void {
    const w = this.#libc.sym.poll_async(this.#pollfd, this.#wakeFd >= 0 ? 2n : 1n, IDLE_POLL_MS);
    this.#waiting = w;
    w.then((r) => {
      this.#waiting = undefined;
      if (this.#closed) return;
      if (r === 0) return this.#idleWait(); // timed out: still idle
      this.#tickMs = TICK_MS;
      this.#tick();
    }, () => {
      this.#waiting = undefined;
      if (!this.#closed) this.#schedule();
    });
  }

  #drain(): void {
    const cb = this.#onDatagram;
    if (!cb || this.#closed) return;
    const recv = this.#libc.sym.recvmmsg;
    const batch = this.#batch;
    const st = this.#stats;
    for (let call = 0; call < MAX_CALLS_PER_TICK; call++) {
      const n = recv(this.#fd, batch.hdrs, SLOTS, MSG_DONTWAIT, null);
      if (n < 0) {
        const e = this.#libc.errno();
        if (e === EAGAIN || e === EINTR) return;
        if (st.errors++ % 1000 === 0) this.#log(`udp: recvmmsg failed: ${errnoName(e)}`);
        return;
      }
      if (n === 0) return;
      st.batches++;
      const now = performance.now();
      for (let i = 0; i < n; i++) {
        const len = batch.length(i);
        if (len < 0) {
          st.truncated++;
          continue;
        }
        st.datagrams++;
        st.bytes += len;
        try {
          cb(batch.datagram(i, len), batch.remote(i), now);
        } catch (e) {
          this.#callbackError(e);
        }
        if (this.#closed) return;
      }
      // SO_RXQ_OVFL: the last datagram of a batch carries the socket's cumulative drops.
      if (this.#rxqOvfl) this.#cmsgDrops = Math.max(this.#cmsgDrops, batch.rxqOvfl(n - 1));
      batch.reset(n);
      if (n < SLOTS) return;
    }
  }

  /** A throwing callback is a bug downstream: count it, log the first, keep receiving. */
  #callbackError(e: unknown): void {
    if (this.#stats.errors++ === 0) {
      this.#log(`udp: onDatagram threw: ${e instanceof Error ? e.stack : String(e)}`);
    }
  }

  /** Drops column of /proc/net/udp for this socket's inode (proc_udp.ts); -1 when unreadable. */
  #procDrops(): number {
    this.#procPath ??= socketInode(this.#fd);
    return udpDrops(this.#procPath);
  }

  send(data: Uint8Array, remote: UdpRemote): void {
    if (this.#closed || !writeSockaddrIn(this.#sendAddr, remote.hostname, remote.port)) {
      this.#stats.errors++;
      return;
    }
    const r = this.#libc.sym.sendto(
      this.#fd,
      data,
      BigInt(data.byteLength),
      MSG_DONTWAIT,
      this.#sendAddr,
      SOCKADDR_IN_BYTES,
    );
    if (Number(r) < 0) this.#stats.errors++;
  }

  /** Counters; kernelDrops also reads /proc/net/udp (a small file read). */
  stats(): UdpReceiverStats {
    const proc = this.#closed ? -1 : this.#procDrops();
    this.#stats.kernelDrops = Math.max(this.#cmsgDrops, proc);
    return { ...this.#stats };
  }

  /** Stops receiving; an idle wait in flight is woken and awaited before the fds close. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#waiting && this.#wakeFd >= 0) {
      this.#libc.sym.write(this.#wakeFd, new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]), 8n);
    }
    await this.#waiting?.catch(() => 0);
    this.#libc.sym.close(this.#fd);
    if (this.#wakeFd >= 0) this.#libc.sym.close(this.#wakeFd);
  }

  #setInt(opt: number, v: number): boolean {
    new DataView(this.#int.buffer).setInt32(0, v, true);
    return this.#libc.sym.setsockopt(this.#fd, SOL_SOCKET, opt, this.#int, 4) === 0;
  }

  #getInt(opt: number): number {
    new DataView(this.#intLen.buffer).setUint32(0, 4, true);
    if (this.#libc.sym.getsockopt(this.#fd, SOL_SOCKET, opt, this.#int, this.#intLen) !== 0) {
      return 0;
    }
    return new DataView(this.#int.buffer).getInt32(0, true);
  }
}
