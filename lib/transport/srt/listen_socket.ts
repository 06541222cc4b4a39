/**
 * The libsrt side of the SRT listener: startup, the listening socket (non-blocking,
 * SRTO_LATENCY, SRTO_PEERIDLETIMEO, optional default SRTO_PASSPHRASE), bind, the listen
 * callback, listen, and the epoll set it sits in; and their release in the order libsrt
 * needs. SRT API docs/API/API-functions.md (srt_startup, srt_create_socket,
 * srt_setsockflag, srt_bind, srt_listen_callback, srt_listen, srt_epoll_create,
 * srt_epoll_add_usock, srt_close, srt_epoll_release, srt_cleanup).
 */
import {
  encodeSockaddr,
  lastError,
  LISTEN_CALLBACK,
  type SrtLibrary,
  SRTO,
  type SrtSymbols,
} from "../../../ffi/srt.ts";
import {
  applyReceiveBuffer,
  openSrtUdpSocket,
  releaseSrtUdpSocket,
  type SrtUdpSocket,
} from "./udp_socket.ts";
import { fail, ok, type Result } from "../../core/result.ts";
import { SrtLogBridge, type SrtLogSink } from "./log_bridge.ts";

/** srt_listen backlog: handshakes queued before srt_accept (more are SRT_REJ_BACKLOG). */
export const LISTEN_BACKLOG = 256;

/** Socket settings of a listening socket (the SrtListener options of the same names). */
export interface ListenSocketOptions {
  host: string;
  port: number;
  /** SRTO_LATENCY (receiver and peer latency), ms. */
  latencyMs: number;
  /** Default SRTO_PASSPHRASE for streams without their own; "" or undefined = none. */
  passphrase?: string;
  /** SRTO_PEERIDLETIMEO, ms (default 5000). */
  peerIdleTimeoutMs?: number;
  /**
   * Kernel receive buffer of the UDP socket, bytes (config `srt.socket_buffer`): sluice
   * opens the socket itself (udp_socket.ts) and hands it to libsrt (srt_bind_acquire).
   * Undefined: libsrt binds its own socket (SO_RCVBUF, capped by net.core.rmem_max).
   */
  socketBufferBytes?: number;
  /** SO_REUSEPORT on that socket (several listeners on one port). */
  reusePort?: boolean;
  /** Where libsrt's own log lines go (log_bridge.ts); without it libsrt prints errors itself. */
  libLog?: SrtLogSink;
}

/** srt_listen_callback_fn body: 0 accepts, -1 rejects. Runs on libsrt's thread. */
export type OnHandshake = (ns: number, peer: Deno.PointerValue, sid: Deno.PointerValue) => number;

/** An open listening socket and what must live as long as it. */
export interface ListenSocket {
  readonly lib: SrtLibrary;
  /** The listening SRTSOCKET. */
  readonly lsn: number;
  /** The epoll set holding `lsn` (and, later, every accepted socket). */
  readonly eid: number;
  readonly cb: Deno.UnsafeCallback<typeof LISTEN_CALLBACK>;
  /** The UDP socket sluice made and libsrt reads from; undefined when libsrt made its own. */
  readonly udp?: SrtUdpSocket;
  /** Why sluice's own UDP socket is not in use (IPv6 host, no libc), when it was asked for. */
  readonly udpFallback?: string;
  /** libsrt's log handler, when one was asked for. */
  readonly logBridge?: SrtLogBridge;
  /** `lsn` was taken out of the epoll set (unwatchListenSocket). */
  unwatched?: boolean;
}

const enc = new TextEncoder();

/**
 * Starts libsrt on `lib` and opens a listening socket on host:port whose handshakes go
 * to the callback `handshake(sym)` returns, added to a new epoll set with `flags`
 * (SRT_EPOLL_* events; the array must outlive the socket). On failure everything opened
 * is released, `lib` closed, and the reason returned ("srt_bind_failed 0.0.0.0:9000: ...").
 */
export function openListenSocket(
  lib: SrtLibrary,
  o: ListenSocketOptions,
  flags: Int32Array,
  handshake: (sym: SrtSymbols) => OnHandshake,
): Result<ListenSocket> {
  const sym = lib.sym;
  let lsn = -1, eid = -1;
  let udp: SrtUdpSocket | undefined, udpFallback: string | undefined;
  const logBridge = o.libLog ? new SrtLogBridge(sym, o.libLog) : undefined;
  const abort = (reason: string, cb?: { close(): void }): Result<ListenSocket> => {
    if (eid >= 0) sym.srt_epoll_release(eid);
    if (lsn >= 0) sym.srt_close(lsn);
    sym.srt_cleanup();
    if (udp) releaseSrtUdpSocket(udp);
    logBridge?.close();
    cb?.close();
    lib.lib.close();
    return fail(reason);
  };
  const i32 = new Int32Array(1);
  const setInt = (opt: number, v: number) => {
    i32[0] = v;
    return sym.srt_setsockflag(lsn, opt, i32, 4) === 0;
  };
  if (!logBridge) sym.srt_setloglevel(3);
  if (sym.srt_startup() < 0) return abort("srt_startup_failed");
  const addr = encodeSockaddr(o.host, o.port);
  if (!addr.ok) return abort(`bad_host ${o.host}`);
  lsn = sym.srt_create_socket();
  if (lsn < 0) return abort("srt_create_socket_failed");
  const pass = enc.encode(o.passphrase ?? "");
  // SRTO_REUSEADDR off: libsrt's default (on) lets a second process bind the same UDP port
  const optsOk = setInt(SRTO.RCVSYN, 0) && setInt(SRTO.SNDSYN, 0) && setInt(SRTO.REUSEADDR, 0) &&
    setInt(SRTO.LATENCY, o.latencyMs) &&
    setInt(SRTO.PEERIDLETIMEO, o.peerIdleTimeoutMs ?? 5000) &&
    (pass.length === 0 || sym.srt_setsockflag(lsn, SRTO.PASSPHRASE, pass, pass.length) === 0);
  if (!optsOk) return abort(`srt_setsockflag_failed ${lastError(sym).message}`);
  if (o.socketBufferBytes !== undefined) {
    // libsrt sets SO_RCVBUF on the socket it is given (SRTO_UDP_RCVBUF): ask for the same.
    setInt(SRTO.UDP_RCVBUF, Math.min(o.socketBufferBytes, 0x7fffffff));
    const u = openSrtUdpSocket(o.host, o.port, o.socketBufferBytes, o.reusePort);
    if (u.ok) udp = u.value;
    else if (/^bind /.test(u.reason)) {
      return abort(`srt_bind_failed ${o.host}:${o.port}: ${u.reason}`);
    } else udpFallback = u.reason;
  }
  if (udp) {
    if (sym.srt_bind_acquire(lsn, udp.fd) !== 0) {
      return abort(`srt_bind_failed ${o.host}:${o.port}: ${lastError(sym).message}`);
    }
    applyReceiveBuffer(udp, o.socketBufferBytes!);
  } else if (sym.srt_bind(lsn, addr.value, addr.value.length) !== 0) {
    return abort(`srt_bind_failed ${o.host}:${o.port}: ${lastError(sym).message}`);
  }
  const onHandshake = handshake(sym);
  const cb = Deno.UnsafeCallback.threadSafe(
    LISTEN_CALLBACK,
    (_op, ns, _hsv, peer, sid) => onHandshake(ns, peer, sid),
  );
  cb.unref();
  if (sym.srt_listen_callback(lsn, cb.pointer, null) !== 0) {
    return abort("srt_listen_callback_failed", cb);
  }
  if (sym.srt_listen(lsn, LISTEN_BACKLOG) !== 0) {
    return abort(`srt_listen_failed ${o.host}:${o.port}: ${lastError(sym).message}`, cb);
  }
  eid = sym.srt_epoll_create();
  if (eid < 0) return abort("srt_epoll_create_failed", cb);
  if (sym.srt_epoll_add_usock(eid, lsn, flags) !== 0) return abort("srt_epoll_add_failed", cb);
  return ok({ lib, lsn, eid, cb, udp, udpFallback, logBridge });
}

/**
 * Takes the listening socket out of its epoll set, once (libsrt logs an internal error
 * for a second removal). A blocking srt_epoll_uwait on a set left empty returns.
 */
export function unwatchListenSocket(s: ListenSocket): void {
  if (s.unwatched) return;
  s.unwatched = true;
  s.lib.sym.srt_epoll_remove_usock(s.eid, s.lsn);
}

/**
 * Closes the listening socket and releases the epoll set, libsrt and the callback.
 * Accepted sockets must be closed first; no srt_epoll_uwait may be in flight.
 */
export async function closeListenSocket(s: ListenSocket): Promise<void> {
  unwatchListenSocket(s);
  const sym = s.lib.sym;
  // Closing the listener takes libsrt's listener lock, which its receive thread holds
  // while it waits for our callback: close it off the JS thread so the callback can run.
  await s.lib.lib.symbols.srt_close_async(s.lsn);
  sym.srt_epoll_release(s.eid);
  await s.lib.lib.symbols.srt_cleanup_async();
  if (s.udp) releaseSrtUdpSocket(s.udp);
  s.logBridge?.close();
  s.cb.close();
  s.lib.lib.close();
}
