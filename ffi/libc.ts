/**
 * libc through `Deno.dlopen` for the UDP receive path on Linux (x86_64, aarch64):
 * socket(2), setsockopt/getsockopt(2), bind(2), getsockname(2), recvmmsg(2),
 * sendto(2), close(2) and errno (`__errno_location`). Struct layouts are the LP64
 * Linux ones (glibc `<sys/socket.h>`, `<netinet/in.h>`):
 *
 * ```
 * sockaddr_in (16): u16 family (host order) | u16 port (BE) | u8[4] addr | u8[8] zero
 * iovec       (16): void* base | size_t len
 * msghdr      (56): void* name | u32 namelen | pad4 | iovec* iov | size_t iovlen |
 *                   void* control | size_t controllen | i32 flags | pad4
 * mmsghdr     (64): msghdr | u32 msg_len | pad4
 * cmsghdr     (16): size_t len | i32 level | i32 type | data...
 * ```
 *
 * Rule 5 (docs/ARCHITECTURE.md): every buffer whose address is given to C stays strongly
 * reachable from JS while C may use it; a `Deno.UnsafePointer` does not keep it alive.
 */

/** Linux constants (identical on x86_64 and aarch64). */
export const AF_INET = 2;
/** SOCK_DGRAM, socket(2). */
export const SOCK_DGRAM = 2;
/** SOCK_NONBLOCK (O_NONBLOCK), socket(2). */
export const SOCK_NONBLOCK = 0o4000;
/** SOL_SOCKET level, socket(7). */
export const SOL_SOCKET = 1;
/** SO_REUSEADDR, socket(7). */
export const SO_REUSEADDR = 2;
/** SO_REUSEPORT, socket(7): several sockets on one port, datagrams spread by the 4-tuple hash. */
export const SO_REUSEPORT = 15;
/** SO_RCVBUF, socket(7): the kernel doubles the value, capped by net.core.rmem_max. */
export const SO_RCVBUF = 8;
/** SO_RCVBUFFORCE, socket(7): like SO_RCVBUF, ignores rmem_max (needs CAP_NET_ADMIN). */
export const SO_RCVBUFFORCE = 33;
/** SO_RXQ_OVFL, socket(7): a u32 cmsg with the socket's cumulative drop count. */
export const SO_RXQ_OVFL = 40;
/** MSG_DONTWAIT, recv(2). */
export const MSG_DONTWAIT = 0x40;
/** poll(2) event: data to read. */
export const POLLIN = 0x1;
/** eventfd(2) flags (x86-64 and aarch64 values). */
export const EFD_NONBLOCK = 0o4000;
export const EFD_CLOEXEC = 0o2000000;
/** MSG_TRUNC in msg_flags, recvmsg(2): the datagram was larger than the buffer. */
export const MSG_TRUNC = 0x20;
/** MSG_CTRUNC in msg_flags, recvmsg(2): control data was truncated. */
export const MSG_CTRUNC = 0x08;
/** EAGAIN / EWOULDBLOCK, errno(3). */
export const EAGAIN = 11;
/** EINTR, errno(3). */
export const EINTR = 4;

/** sizeof(struct sockaddr_in). */
export const SOCKADDR_IN_BYTES = 16;
/** sizeof(struct iovec). */
export const IOVEC_BYTES = 16;
/** sizeof(struct mmsghdr) on LP64 Linux. */
export const MMSGHDR_BYTES = 64;
/** Offsets inside struct mmsghdr (msghdr fields first). */
export const MSG = {
  name: 0,
  namelen: 8,
  iov: 16,
  iovlen: 24,
  control: 32,
  controllen: 40,
  flags: 48,
  len: 56,
} as const;

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  recvmmsg: { parameters: ["i32", "buffer", "u32", "i32", "pointer"], result: "i32" },
  sendto: {
    parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"],
    result: "isize",
  },
  close: { parameters: ["i32"], result: "i32" },
  /**
   * poll(2) on a Deno worker thread: an idle receiver waits for its socket to become
   * readable without waking the event loop (pollfd: int fd, short events, short revents).
   */
  poll_async: {
    name: "poll",
    parameters: ["buffer", "u64", "i32"],
    result: "i32",
    nonblocking: true,
  },
  /** eventfd(2): wakes that poll at close (write 8 bytes). */
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  /** malloc_trim(3): gives free heap memory back to the kernel (glibc), returns 1 if any. */
  malloc_trim: { parameters: ["usize"], result: "i32" },
  /** _exit(2): ends the whole process at once, from any thread (the watchdog's worker). */
  _exit: { parameters: ["i32"], result: "void" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/** The loaded symbols plus an errno reader. */
export interface Libc {
  readonly sym: Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];
  /** errno of the calling (JS) thread; read right after a call that returned -1. */
  errno(): number;
}

let cached: Libc | string | undefined;

/**
 * Loads libc once (Linux only). Returns the library, or the reason it is unusable
 * (not Linux, not 64-bit, no --allow-ffi, dlopen failure); never throws.
 */
export function loadLibc(): { ok: true; value: Libc } | { ok: false; reason: string } {
  if (cached === undefined) cached = open();
  return typeof cached === "string" ? { ok: false, reason: cached } : { ok: true, value: cached };
}

function open(): Libc | string {
  if (Deno.build.os !== "linux") return `recvmmsg needs Linux, this is ${Deno.build.os}`;
  if (Deno.build.arch !== "x86_64" && Deno.build.arch !== "aarch64") {
    return `no struct layout for ${Deno.build.arch}`;
  }
  try {
    const lib = Deno.dlopen("libc.so.6", SYMBOLS);
    const loc = lib.symbols.__errno_location();
    if (loc === null) return "__errno_location returned NULL";
    const view = new Deno.UnsafePointerView(loc);
    return { sym: lib.symbols, errno: () => view.getInt32() };
  } catch (e) {
    return `cannot load libc: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** Writes an IPv4 sockaddr_in (RFC 791 address, port in network order) into `out` (16 bytes). */
export function writeSockaddrIn(out: Uint8Array, hostname: string, port: number): boolean {
  const parts = hostname.split(".");
  if (parts.length !== 4 || !Number.isInteger(port) || port < 0 || port > 65535) return false;
  out.fill(0, 0, SOCKADDR_IN_BYTES);
  const dv = new DataView(out.buffer, out.byteOffset, SOCKADDR_IN_BYTES);
  dv.setUint16(0, AF_INET, true);
  dv.setUint16(2, port, false);
  for (let i = 0; i < 4; i++) {
    const n = Number(parts[i]);
    if (!/^\d{1,3}$/.test(parts[i]) || n > 255) return false;
    out[4 + i] = n;
  }
  return true;
}

/** Human-readable name of a few errno values, for log lines and errors. */
export function errnoName(e: number): string {
  const names: Record<number, string> = {
    1: "EPERM",
    4: "EINTR",
    9: "EBADF",
    11: "EAGAIN",
    13: "EACCES",
    14: "EFAULT",
    22: "EINVAL",
    24: "EMFILE",
    98: "EADDRINUSE",
    99: "EADDRNOTAVAIL",
    101: "ENETUNREACH",
    105: "ENOBUFS",
    111: "ECONNREFUSED",
  };
  return names[e] ?? `errno ${e}`;
}
