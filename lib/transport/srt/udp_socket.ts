/**
 * The UDP socket under the SRT listener, made by sluice (libc through FFI, ffi/libc.ts)
 * rather than by libsrt, so that its kernel receive buffer can be set with
 * SO_RCVBUFFORCE (root or CAP_NET_ADMIN: past net.core.rmem_max) and its kernel drops
 * read from /proc/net/udp (proc_udp.ts). libsrt sizes its own sockets with SO_RCVBUF,
 * which the kernel caps at net.core.rmem_max (212,992 bytes by default: a few ms at
 * hundreds of Mb/s). The socket is handed to libsrt with `srt_bind_acquire`; libsrt
 * then sets SO_RCVBUF itself (SRTO_UDP_RCVBUF), so the buffer is applied again after.
 */
import {
  AF_INET,
  errnoName,
  type Libc,
  loadLibc,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SO_REUSEPORT,
  SOCK_DGRAM,
  SOCKADDR_IN_BYTES,
  SOL_SOCKET,
  writeSockaddrIn,
} from "../../../ffi/libc.ts";
import { fail, ok, type Result } from "../../core/result.ts";
import { socketInode, udpDrops } from "../udp/proc_udp.ts";

/** A bound UDP socket for libsrt. */
export interface SrtUdpSocket {
  readonly fd: number;
  /** Inode of the socket (for /proc/net/udp), "" when /proc is unreadable. */
  readonly inode: string;
  /** Effective kernel receive buffer, bytes, as getsockopt(SO_RCVBUF) reports it. */
  bufferBytes: number;
  /** Whether SO_RCVBUFFORCE was accepted (else SO_RCVBUF, capped by rmem_max). */
  forced: boolean;
}

function setInt(libc: Libc, fd: number, opt: number, v: number): boolean {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return libc.sym.setsockopt(fd, SOL_SOCKET, opt, b, 4) === 0;
}

function getInt(libc: Libc, fd: number, opt: number): number {
  const b = new Uint8Array(4), len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, 4, true);
  if (libc.sym.getsockopt(fd, SOL_SOCKET, opt, b, len) !== 0) return 0;
  return new DataView(b.buffer).getInt32(0, true);
}

/**
 * Sets the kernel receive buffer to `bytes` (the kernel doubles what is set, socket(7),
 * so half is asked): SO_RCVBUFFORCE first, SO_RCVBUF when that is not permitted.
 */
export function applyReceiveBuffer(s: SrtUdpSocket, bytes: number): void {
  const libc = loadLibc();
  if (!libc.ok) return;
  const half = Math.max(1, Math.floor(bytes / 2));
  s.forced = setInt(libc.value, s.fd, SO_RCVBUFFORCE, half);
  if (!s.forced) setInt(libc.value, s.fd, SO_RCVBUF, half);
  s.bufferBytes = getInt(libc.value, s.fd, SO_RCVBUF);
}

/**
 * Opens and binds an IPv4 UDP socket on host:port with a `bytes` receive buffer;
 * `reusePort` sets SO_REUSEPORT (several listeners on one port). Fails (nothing left
 * open) when libc is unusable, the host is not IPv4, or bind fails.
 */
export function openSrtUdpSocket(
  host: string,
  port: number,
  bytes: number,
  reusePort = false,
): Result<SrtUdpSocket> {
  const libc = loadLibc();
  if (!libc.ok) return fail(libc.reason);
  const addr = new Uint8Array(SOCKADDR_IN_BYTES);
  if (!writeSockaddrIn(addr, host, port)) return fail(`not an IPv4 address: ${host}`);
  const sym = libc.value.sym;
  const fd = sym.socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return fail(`socket() failed: ${errnoName(libc.value.errno())}`);
  // No SO_REUSEADDR: a second process must fail to bind this port (exclusive bind, as the
  // RTP socket; tests/e2e/exclusive_bind_test.ts).
  if (reusePort && !setInt(libc.value, fd, SO_REUSEPORT, 1)) {
    sym.close(fd);
    return fail(`SO_REUSEPORT refused: ${errnoName(libc.value.errno())}`);
  }
  if (sym.bind(fd, addr, SOCKADDR_IN_BYTES) !== 0) {
    const e = errnoName(libc.value.errno());
    sym.close(fd);
    return fail(`bind ${host}:${port} failed: ${e}`);
  }
  const s: SrtUdpSocket = { fd, inode: socketInode(fd), bufferBytes: 0, forced: false };
  applyReceiveBuffer(s, bytes);
  return ok(s);
}

/** Datagrams the kernel dropped on this socket (receive buffer full); -1 when unknown. */
export function srtSocketDrops(s: SrtUdpSocket): number {
  return udpDrops(s.inode);
}

/**
 * Closes the socket if it is still ours: libsrt closes an acquired socket with its
 * multiplexer, so the descriptor is closed only while it still names the same inode.
 */
export function releaseSrtUdpSocket(s: SrtUdpSocket): void {
  const libc = loadLibc();
  if (!libc.ok || s.inode === "" || socketInode(s.fd) !== s.inode) return;
  libc.value.sym.close(s.fd);
}
