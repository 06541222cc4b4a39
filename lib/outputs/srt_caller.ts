/**
 * SRT caller links through libsrt (ffi/srt.ts): a live-mode socket with stream id,
 * passphrase/pbkeylen and latency from the URL, connected with a blocking srt_connect
 * run off the JS thread (bounded by SRTO_CONNTIMEO), then switched to non-blocking sends:
 * srt_sendmsg2 of 1316-byte messages; SRT_EASYNCSND (send buffer full) means "take the
 * rest later". The library is opened (srt_startup) on first use and released by close().
 * SRT API: docs/API/API-functions.md (srt_connect, srt_sendmsg2, srt_getrejectreason).
 */
import {
  encodeSockaddr,
  lastError,
  openSrt,
  SRT_ERR,
  type SrtLibrary,
  SRTO,
  SRTS,
  type SrtSymbols,
} from "../../ffi/srt.ts";
import { type Link, resolveHost } from "./link.ts";
import type { SrtTarget } from "../config/output_url.ts";

/** Bytes per SRT message: 7 TS packets (SRTO_PAYLOADSIZE default). */
export const SRT_MESSAGE_BYTES = 1316;

/** SRT_REJECT_REASON names (srt.h) for error messages. */
const REJECT = [
  "unknown",
  "system",
  "peer",
  "resource",
  "rogue",
  "backlog",
  "ipe",
  "close",
  "version",
  "rdvcookie",
  "badsecret",
  "unsecure",
  "messageapi",
  "congestion",
  "filter",
  "group",
  "timeout",
  "crypto",
];

function rejectName(code: number): string {
  if (code >= 1000) return `rejected_${code}`; // SRT_REJC_PREDEFINED/USERDEFINED
  return REJECT[code] === "timeout" ? "timeout" : `rejected_${REJECT[code] ?? code}`;
}

const enc = new TextEncoder();

class SrtLink implements Link {
  #closed = false;
  constructor(private readonly sym: SrtSymbols, readonly sock: number) {}

  send(b: Uint8Array): number {
    let off = 0;
    while (off < b.length) {
      const n = Math.min(SRT_MESSAGE_BYTES, b.length - off);
      const r = this.sym.srt_sendmsg2(this.sock, b.subarray(off, off + n), n, null);
      if (r < 0) {
        const e = lastError(this.sym);
        if (e.code === SRT_ERR.EASYNCSND) return off;
        throw new Error(
          e.code === SRT_ERR.ECONNLOST ? "connection_lost" : `send_error ${e.code} ${e.message}`,
        );
      }
      off += n;
    }
    return off;
  }

  alive(): boolean {
    return !this.#closed && this.sym.srt_getsockstate(this.sock) === SRTS.CONNECTED;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.sym.srt_close(this.sock);
  }
}

/** Opens SRT caller links; one per process (shares the library). */
export class SrtCaller {
  #lib: SrtLibrary | undefined;
  #inflight = new Set<Promise<number>>();

  constructor(private readonly library?: string) {}

  #open(): SrtLibrary {
    if (this.#lib) return this.#lib;
    const r = openSrt(this.library);
    if (!r.ok) throw new Error(r.reason);
    if (r.value.sym.srt_startup() < 0) {
      r.value.lib.close();
      throw new Error("srt_startup_failed");
    }
    return this.#lib = r.value;
  }

  /** Connects to `t`; rejects with the reason ("timeout", "rejected_badsecret" ...). */
  async connect(t: SrtTarget, signal?: AbortSignal): Promise<Link> {
    const lib = this.#open();
    const sym = lib.sym;
    const ip = await resolveHost(t.host);
    const addr = encodeSockaddr(ip, t.port);
    if (!addr.ok) throw new Error(`bad address ${ip}`);
    const s = sym.srt_create_socket();
    if (s < 0) throw new Error(`srt_create_socket_failed ${lastError(sym).message}`);
    const i32 = new Int32Array(1);
    const setInt = (o: number, v: number) => {
      i32[0] = v;
      return sym.srt_setsockflag(s, o, i32, 4) === 0;
    };
    const setStr = (o: number, v: string) => {
      const b = enc.encode(v);
      return sym.srt_setsockflag(s, o, b, b.length) === 0;
    };
    const okOpts = setInt(SRTO.RCVSYN, 1) && setInt(SRTO.SNDSYN, 1) &&
      setInt(SRTO.CONNTIMEO, Math.round(t.connectTimeoutMs)) &&
      (t.latencyMs === undefined || setInt(SRTO.LATENCY, Math.round(t.latencyMs))) &&
      (t.streamId === undefined || setStr(SRTO.STREAMID, t.streamId)) &&
      (t.pbkeylen === undefined || setInt(SRTO.PBKEYLEN, t.pbkeylen)) &&
      (t.passphrase === undefined || setStr(SRTO.PASSPHRASE, t.passphrase));
    if (!okOpts) {
      const e = lastError(sym);
      sym.srt_close(s);
      throw new Error(`srt_setsockflag_failed ${e.message}`);
    }
    const abort = () => sym.srt_close(s);
    signal?.addEventListener("abort", abort, { once: true });
    const p = lib.lib.symbols.srt_connect_async(s, addr.value, addr.value.length);
    this.#inflight.add(p);
    let r: number;
    try {
      r = await p;
    } finally {
      this.#inflight.delete(p);
      signal?.removeEventListener("abort", abort);
    }
    if (signal?.aborted) throw new Error("aborted");
    if (r < 0 || sym.srt_getsockstate(s) !== SRTS.CONNECTED) {
      // the error code is thread-local to the worker that ran srt_connect: ask the socket
      const why = rejectName(sym.srt_getrejectreason(s));
      sym.srt_close(s);
      throw new Error(why);
    }
    if (!setInt(SRTO.SNDSYN, 0)) {
      sym.srt_close(s);
      throw new Error("srt_setsockflag_failed SNDSYN");
    }
    return new SrtLink(sym, s);
  }

  /** Waits for connects in flight, then releases libsrt (links must be closed first). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#inflight]);
    const lib = this.#lib;
    this.#lib = undefined;
    if (!lib) return;
    await lib.lib.symbols.srt_cleanup_async();
    lib.lib.close();
  }
}
