/**
 * libsrt 1.5 through Deno FFI: library discovery, the symbol table sluice uses, and
 * the constants read off /usr/include/srt/srt.h (SRT_SOCKOPT, SRT_SOCKSTATUS,
 * SRT_EPOLL_OPT, CodeMajor/CodeMinor). `srt_epoll_uwait` is nonblocking (it runs on a
 * Deno worker thread) and so are the `_async` aliases below; every other call, the
 * zero-timeout poll `srt_epoll_uwait_now` included, is a synchronous fast call.
 * See the SRT API reference (Haivision srt docs/API/API-functions.md).
 */

import { fail, ok, type Result } from "../lib/core/result.ts";
import { embeddedFile, LIBSRT_FILE } from "../lib/core/build_info.ts";

/** The libsrt symbols sluice binds (signatures as in srt.h, SRTSOCKET = int32). */
export const SRT_SYMBOLS = {
  srt_startup: { parameters: [], result: "i32" },
  srt_cleanup: { parameters: [], result: "i32" },
  srt_setloglevel: { parameters: ["i32"], result: "void" },
  srt_setlogflags: { parameters: ["i32"], result: "void" },
  srt_setloghandler: { parameters: ["pointer", "function"], result: "void" },
  srt_create_socket: { parameters: [], result: "i32" },
  srt_bind: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  /** srt_bind_acquire(u, udpsock): binds `u` to a UDP socket made by the caller (libc fd). */
  srt_bind_acquire: { parameters: ["i32", "i32"], result: "i32" },
  srt_connect: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  srt_sendmsg: { parameters: ["i32", "buffer", "i32", "i32", "i32"], result: "i32" },
  srt_listen: { parameters: ["i32", "i32"], result: "i32" },
  srt_accept: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  srt_close: { parameters: ["i32"], result: "i32" },
  srt_setsockflag: { parameters: ["i32", "i32", "buffer", "i32"], result: "i32" },
  srt_getsockflag: { parameters: ["i32", "i32", "buffer", "buffer"], result: "i32" },
  srt_getsockstate: { parameters: ["i32"], result: "i32" },
  /** srt_recvmsg(u, buf, len): `buf` a pointer into a kept buffer (drain_buffer.ts). */
  srt_recvmsg: { parameters: ["i32", "pointer", "i32"], result: "i32" },
  srt_epoll_create: { parameters: [], result: "i32" },
  srt_epoll_add_usock: { parameters: ["i32", "i32", "buffer"], result: "i32" },
  srt_epoll_remove_usock: { parameters: ["i32", "i32"], result: "i32" },
  srt_epoll_uwait: {
    parameters: ["i32", "buffer", "i32", "i64"],
    result: "i32",
    nonblocking: true,
  },
  /** srt_epoll_uwait with timeout 0 on the JS thread: a poll while data is flowing. */
  srt_epoll_uwait_now: {
    name: "srt_epoll_uwait",
    parameters: ["i32", "buffer", "i32", "i64"],
    result: "i32",
  },
  srt_epoll_release: { parameters: ["i32"], result: "i32" },
  /** srt_close off the JS thread: closing a listener waits for a running listen callback. */
  srt_close_async: { name: "srt_close", parameters: ["i32"], result: "i32", nonblocking: true },
  /** srt_cleanup off the JS thread, for the same reason (it closes what is left). */
  srt_cleanup_async: { name: "srt_cleanup", parameters: [], result: "i32", nonblocking: true },
  srt_listen_callback: { parameters: ["i32", "function", "pointer"], result: "i32" },
  srt_setrejectreason: { parameters: ["i32", "i32"], result: "i32" },
  srt_getrejectreason: { parameters: ["i32"], result: "i32" },
  srt_bistats: { parameters: ["i32", "buffer", "i32", "i32"], result: "i32" },
  srt_getlasterror: { parameters: ["pointer"], result: "i32" },
  srt_getlasterror_str: { parameters: [], result: "pointer" },
  srt_getpeername: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  /** srt_connect off the JS thread: a blocking (SRTO_RCVSYN) caller waits up to SRTO_CONNTIMEO. */
  srt_connect_async: {
    name: "srt_connect",
    parameters: ["i32", "buffer", "i32"],
    result: "i32",
    nonblocking: true,
  },
  /** srt_sendmsg2(u, buf, len, SRT_MSGCTRL* = NULL): one live-mode message. */
  srt_sendmsg2: { parameters: ["i32", "buffer", "i32", "pointer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The bound symbols. */
export type SrtSymbols = Deno.DynamicLibrary<typeof SRT_SYMBOLS>["symbols"];

/** An opened libsrt: keep `lib` reachable until `close()`; `path` is what was opened. */
export interface SrtLibrary {
  lib: Deno.DynamicLibrary<typeof SRT_SYMBOLS>;
  sym: SrtSymbols;
  path: string;
}

/** Signature of srt_listen_callback_fn (srt.h): (opaque, ns, hsversion, peeraddr, streamid) -> int. */
export const LISTEN_CALLBACK = {
  parameters: ["pointer", "i32", "i32", "pointer", "pointer"],
  result: "i32",
} as const satisfies Deno.UnsafeCallbackDefinition;

/**
 * Signature of SRT_LOG_HANDLER_FN (srt.h, logging_api.h):
 * (opaque, level, file, line, area, message) -> void. `level` is a syslog level.
 */
export const LOG_HANDLER = {
  parameters: ["pointer", "i32", "pointer", "i32", "pointer", "pointer"],
  result: "void",
} as const satisfies Deno.UnsafeCallbackDefinition;

/** srt_setlogflags bits (logging_api.h SRT_LOGF_*): no time, thread name, severity, EOL. */
export const SRT_LOGF_PLAIN = 0x1 | 0x2 | 0x4 | 0x8;

/** SRT_SOCKOPT values (srt.h). */
export const SRTO = {
  SNDSYN: 1,
  RCVSYN: 2,
  UDP_RCVBUF: 9,
  REUSEADDR: 15,
  EVENT: 18,
  SNDDATA: 19,
  RCVDATA: 20,
  LATENCY: 23,
  PASSPHRASE: 26,
  PBKEYLEN: 27,
  RCVKMSTATE: 41,
  STREAMID: 46,
  PAYLOADSIZE: 49,
  TRANSTYPE: 50,
  PEERIDLETIMEO: 55,
  CONNTIMEO: 36,
} as const;

/** SRT_SOCKSTATUS values (srt.h). */
export const SRTS = {
  CONNECTED: 5,
  BROKEN: 6,
  CLOSING: 7,
  CLOSED: 8,
  NONEXIST: 9,
} as const;

/** SRT_EPOLL_OPT flags (srt.h). */
export const SRT_EPOLL = { IN: 0x1, OUT: 0x4, ERR: 0x8 } as const;

/** Error codes (srt.h CodeMajor * 1000 + CodeMinor). */
export const SRT_ERR = {
  ENOSERVER: 1001,
  ECONNREJ: 1002,
  ECONNLOST: 2001,
  EINVSOCK: 5004,
  EASYNCSND: 6001,
  EASYNCRCV: 6002,
} as const;

/** sizeof(SRT_EPOLL_EVENT): { int32 fd; int32 events }. */
export const EPOLL_EVENT_BYTES = 8;
/** sizeof(struct sockaddr_storage): big enough for sockaddr_in and sockaddr_in6. */
export const SOCKADDR_BYTES = 128;
/** AF_INET / AF_INET6 on Linux (macOS AF_INET6 = 30). */
export const AF_INET = 2;
/** AF_INET6 on Linux. */
export const AF_INET6 = Deno.build.os === "darwin" ? 30 : 10;

/** The system's names for libsrt: Debian (OpenSSL then GnuTLS flavour), bare sonames, macOS, Windows. */
export const SYSTEM_NAMES: readonly string[] = [
  "libsrt.so.1.5",
  "libsrt-gnutls.so.1.5",
  "libsrt.so",
  "libsrt.so.1",
  "libsrt.dylib",
  "libsrt.1.5.dylib",
  "srt.dll",
];

/**
 * The names tried, in order. An explicit path (config `srt.library`) is the only one
 * (the operator asked for that file). Otherwise env SLUICE_LIBSRT, then the system's
 * names, then the libsrt embedded in a compiled executable (scripts/compile.ts
 * --libsrt): a system library wins over the one built in, so that distro security
 * updates apply, and the built-in one serves boxes that have none.
 */
export function libraryCandidates(
  explicit?: string,
  env?: string,
  embedded?: string,
  system: readonly string[] = SYSTEM_NAMES,
): string[] {
  if (explicit) return [explicit];
  return [...(env ? [env] : []), ...system, ...(embedded ? [embedded] : [])];
}

function envPath(): string | undefined {
  try {
    return Deno.env.get("SLUICE_LIBSRT") || undefined;
  } catch {
    return undefined; // no --allow-env for it: treated as unset
  }
}

/** Where openSrt looks besides `srt.library` (tests replace these). */
export interface SrtSearch {
  env?: string;
  embedded?: string;
  system?: readonly string[];
}

/**
 * Opens libsrt: the first candidate that loads wins (see libraryCandidates). On
 * failure the reason names every name tried, for one clear log line; SRT is then
 * disabled and nothing else is affected.
 */
export function openSrt(
  explicit?: string,
  search: SrtSearch = { env: envPath(), embedded: embeddedFile(LIBSRT_FILE) },
): Result<SrtLibrary> {
  const names = libraryCandidates(explicit, search.env, search.embedded, search.system);
  const errors: string[] = [];
  for (const path of names) {
    try {
      const lib = Deno.dlopen(path, SRT_SYMBOLS);
      return ok({ lib, sym: lib.symbols, path });
    } catch (e) {
      errors.push(`${path}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    }
  }
  return fail(`libsrt_not_found (tried ${errors.join("; ")})`);
}

/** The last libsrt error on this thread as `code message` (srt_getlasterror/_str). */
export function lastError(sym: SrtSymbols): { code: number; message: string } {
  const code = sym.srt_getlasterror(null);
  const p = sym.srt_getlasterror_str();
  const message = p ? Deno.UnsafePointerView.getCString(p) : "";
  return { code, message };
}

/**
 * Encodes an IPv4 (or IPv6) address into a sockaddr for srt_bind; the returned buffer
 * must stay reachable for the call. Port in network order, family in host order.
 */
export function encodeSockaddr(host: string, port: number): Result<Uint8Array> {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) {
    const b = new Uint8Array(16);
    const dv = new DataView(b.buffer);
    dv.setUint16(0, AF_INET, true);
    dv.setUint16(2, port, false);
    for (let i = 0; i < 4; i++) {
      const o = Number(v4[i + 1]);
      if (o > 255) return fail("bad_ipv4");
      b[4 + i] = o;
    }
    return ok(b);
  }
  if (host === "::" || host === "[::]") {
    const b = new Uint8Array(28);
    const dv = new DataView(b.buffer);
    dv.setUint16(0, AF_INET6, true);
    dv.setUint16(2, port, false);
    return ok(b);
  }
  return fail("unsupported_address");
}

/** Decodes a sockaddr (AF_INET or AF_INET6) into "ip:port" ("[ip]:port" for v6). */
export function decodeSockaddr(v: DataView): string {
  const fam = v.getUint16(0, true);
  const port = v.getUint16(2, false);
  if (fam === AF_INET) {
    return `${v.getUint8(4)}.${v.getUint8(5)}.${v.getUint8(6)}.${v.getUint8(7)}:${port}`;
  }
  if (fam === AF_INET6) {
    const parts: string[] = [];
    for (let i = 0; i < 8; i++) parts.push(v.getUint16(8 + 2 * i, false).toString(16));
    return `[${parts.join(":")}]:${port}`;
  }
  return "unknown";
}
