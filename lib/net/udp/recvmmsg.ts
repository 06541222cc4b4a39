/**
 * UDP receiver on libc recvmmsg(2) (Linux), drained on a ~1 ms timer, 64 datagrams
 * per call with MSG_DONTWAIT until EAGAIN (PERF_NOTES.md: ~0.65 us per packet,
 * lossless to 400 k packets/s with an 8 MiB socket buffer).
 *
 * Buffers given to C, all preallocated and held in fields for the receiver's whole
 * life (DESIGN.md rule 5): `data` (SLOTS x slot bytes), `iovecs`, `names`
 * (sockaddr_in per slot), `controls` (cmsg space per slot), `hdrs` (mmsghdr per slot).
 * Kernel drops come from SO_RXQ_OVFL (socket(7)) and /proc/net/udp's drops column.
 */
import {
  AF_INET,
  EAGAIN,
  EINTR,
  errnoName,
  IOVEC_BYTES,
  type Libc,
  MMSGHDR_BYTES,
  MSG,
  MSG_DONTWAIT,
  MSG_TRUNC,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SO_REUSEADDR,
  SO_RXQ_OVFL,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCKADDR_IN_BYTES,
  SOL_SOCKET,
  writeSockaddrIn,
} from "../../../ffi/libc.ts";
import type {
  OnDatagram,
  ResolvedUdpOptions,
  UdpReceiver,
  UdpReceiverStats,
  UdpRemote,
} from "./receiver.ts";

/** Datagrams per recvmmsg call. */
export const SLOTS = 64;
/** Cap on recvmmsg calls per timer tick (fairness to the rest of the event loop). */
export const MAX_CALLS_PER_TICK = 64;
/** Drain timer period, ms. */
export const TICK_MS = 1;
/** Control buffer per slot: CMSG_SPACE(4) = 24, rounded up. */
const CONTROL_BYTES = 32;
/** Cap on cached source-address objects (one per distinct ip:port). */
export const MAX_REMOTES_CACHED = 4096;

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
  #slot: number;
  // Every buffer C sees, kept reachable for the receiver's life.
  #data: Uint8Array;
  #iovecs: Uint8Array;
  #names: Uint8Array;
  #controls: Uint8Array;
  #hdrs: Uint8Array;
  #hdrView: DataView;
  #nameView: DataView;
  #ctlView: DataView;
  #sendAddr = new Uint8Array(SOCKADDR_IN_BYTES);
  #int = new Uint8Array(4);
  #intLen = new Uint8Array(4);
  #remotes = new Map<number, UdpRemote>();
  #timer: ReturnType<typeof setInterval> | undefined;
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
    this.#slot = o.maxDatagramBytes;
    const s = libc.sym;
    const fd = s.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (fd < 0) throw new Error(`udp: socket() failed: ${errnoName(libc.errno())}`);
    this.#fd = fd;
    try {
      this.#setInt(SO_REUSEADDR, 1);
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
    this.#data = new Uint8Array(SLOTS * this.#slot);
    this.#iovecs = new Uint8Array(SLOTS * IOVEC_BYTES);
    this.#names = new Uint8Array(SLOTS * SOCKADDR_IN_BYTES);
    this.#controls = new Uint8Array(SLOTS * CONTROL_BYTES);
    this.#hdrs = new Uint8Array(SLOTS * MMSGHDR_BYTES);
    this.#hdrView = new DataView(this.#hdrs.buffer);
    this.#nameView = new DataView(this.#names.buffer);
    this.#ctlView = new DataView(this.#controls.buffer);
    const iov = new DataView(this.#iovecs.buffer);
    const base = (b: Uint8Array) => BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(b)));
    const dataP = base(this.#data), iovP = base(this.#iovecs);
    const nameP = base(this.#names), ctlP = base(this.#controls);
    for (let i = 0; i < SLOTS; i++) {
      iov.setBigUint64(i * IOVEC_BYTES, dataP + BigInt(i * this.#slot), true);
      iov.setBigUint64(i * IOVEC_BYTES + 8, BigInt(this.#slot), true);
      const h = i * MMSGHDR_BYTES;
      this.#hdrView.setBigUint64(h + MSG.name, nameP + BigInt(i * SOCKADDR_IN_BYTES), true);
      this.#hdrView.setBigUint64(h + MSG.iov, iovP + BigInt(i * IOVEC_BYTES), true);
      this.#hdrView.setBigUint64(h + MSG.iovlen, 1n, true);
      this.#hdrView.setBigUint64(h + MSG.control, ctlP + BigInt(i * CONTROL_BYTES), true);
    }
    this.#resetLengths(SLOTS);
  }

  start(onDatagram: OnDatagram): void {
    if (this.#onDatagram || this.#closed) return;
    this.#onDatagram = onDatagram;
    this.#timer = setInterval(() => this.#drain(), TICK_MS);
  }

  /** Value-result fields the kernel overwrote: restore them for the next call. */
  #resetLengths(n: number): void {
    const hv = this.#hdrView;
    for (let i = 0; i < n; i++) {
      const h = i * MMSGHDR_BYTES;
      hv.setUint32(h + MSG.namelen, SOCKADDR_IN_BYTES, true);
      hv.setUint32(h + MSG.controllen, CONTROL_BYTES, true);
      hv.setUint32(h + MSG.controllen + 4, 0, true);
    }
  }

  #drain(): void {
    const cb = this.#onDatagram;
    if (!cb || this.#closed) return;
    const recv = this.#libc.sym.recvmmsg;
    const hv = this.#hdrView;
    const st = this.#stats;
    for (let call = 0; call < MAX_CALLS_PER_TICK; call++) {
      const n = recv(this.#fd, this.#hdrs, SLOTS, MSG_DONTWAIT, null);
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
        const h = i * MMSGHDR_BYTES;
        const len = hv.getUint32(h + MSG.len, true);
        if ((hv.getInt32(h + MSG.flags, true) & MSG_TRUNC) !== 0 || len > this.#slot) {
          st.truncated++;
          continue;
        }
        st.datagrams++;
        st.bytes += len;
        const off = i * this.#slot;
        try {
          cb(this.#data.subarray(off, off + len), this.#remote(i), now);
        } catch (e) {
          this.#callbackError(e);
        }
        if (this.#closed) return;
      }
      if (this.#rxqOvfl) this.#readDrops(n - 1);
      this.#resetLengths(n);
      if (n < SLOTS) return;
    }
  }

  /** A throwing callback is a bug downstream: count it, log the first, keep receiving. */
  #callbackError(e: unknown): void {
    if (this.#stats.errors++ === 0) {
      this.#log(`udp: onDatagram threw: ${e instanceof Error ? e.stack : String(e)}`);
    }
  }

  /** Source of slot i, from a capped cache keyed by address and port. */
  #remote(i: number): UdpRemote {
    const nv = this.#nameView;
    const o = i * SOCKADDR_IN_BYTES;
    const port = nv.getUint16(o + 2, false);
    const ip = nv.getUint32(o + 4, false);
    const key = ip * 65536 + port;
    let r = this.#remotes.get(key);
    if (r === undefined) {
      if (this.#remotes.size >= MAX_REMOTES_CACHED) this.#remotes.clear();
      const hostname = `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
      r = Object.freeze({ hostname, port });
      this.#remotes.set(key, r);
    }
    return r;
  }

  /** SO_RXQ_OVFL: the last datagram of a batch carries the socket's cumulative drops. */
  #readDrops(i: number): void {
    const h = i * MMSGHDR_BYTES;
    const clen = Number(this.#hdrView.getBigUint64(h + MSG.controllen, true));
    const c = i * CONTROL_BYTES;
    const cv = this.#ctlView;
    if (clen < 20 || clen > CONTROL_BYTES) return;
    if (cv.getInt32(c + 8, true) !== SOL_SOCKET || cv.getInt32(c + 12, true) !== SO_RXQ_OVFL) {
      return;
    }
    const d = cv.getUint32(c + 16, true);
    if (d > this.#cmsgDrops) this.#cmsgDrops = d;
  }

  /** Drops column of /proc/net/udp for this socket's inode; -1 when unreadable. */
  #procDrops(): number {
    try {
      if (this.#procPath === undefined) {
        const link = Deno.readLinkSync(`/proc/self/fd/${this.#fd}`);
        const m = /^socket:\[(\d+)\]$/.exec(link);
        this.#procPath = m ? m[1] : "";
      }
      if (this.#procPath === "") return -1;
      const text = Deno.readTextFileSync("/proc/net/udp");
      for (const line of text.split("\n")) {
        const f = line.trim().split(/\s+/);
        if (f.length >= 13 && f[9] === this.#procPath) return Number(f[f.length - 1]);
      }
    } catch {
      // no /proc or no --allow-read: SO_RXQ_OVFL only
    }
    return -1;
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

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      if (this.#timer !== undefined) clearInterval(this.#timer);
      this.#libc.sym.close(this.#fd);
    }
    return Promise.resolve();
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
