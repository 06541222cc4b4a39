/**
 * Stream admission at the SRT handshake: the body of `srt_listen_callback`
 * (srt_listen_callback_fn, srt.h; SRT Access Control, docs/features/access-control.md).
 * It parses the stream id, asks the application, sets a per-stream SRTO_PASSPHRASE on
 * the pending socket, or rejects with `srt_setrejectreason(ns, 1000 + HTTP-like code)`
 * (SRT_REJX_*, access_control.h). It runs on the JS thread while a libsrt thread
 * waits, so it is O(1) and never throws (an exception would return 0 = accept).
 */

import { decodeSockaddr, SRTO, type SrtSymbols } from "../../../ffi/srt.ts";
import type { SrtAdmission } from "./connection.ts";
import { hostOf } from "../../core/address.ts";
import { parseStreamId, STREAMID_MAX_BYTES, STREAMID_REJECT_STATUS } from "./streamid.ts";
import { fail, ok, type Result } from "../../core/result.ts";
import type { RefusalReason } from "../../core/reasons/catalogue.ts";

/** Admission verdict; `status` is an SRT reject code (1000 + HTTP-like, e.g. 1403). */
export type AdmitResult =
  | { ok: true; passphrase?: string }
  | { ok: false; status: number; reason: RefusalReason };

/** Pending admissions (callback done, accept not yet) kept at most. */
export const PENDING_MAX = 256;
/** A pending admission not accepted within this is counted as handshake_failed, ms. */
export const PENDING_EXPIRY_MS = 3000;
/** Handshake failures from one host before it is made to back off. */
export const FAILURES_BEFORE_BACKOFF = 3;
/** First back-off after FAILURES_BEFORE_BACKOFF failures, ms; doubles per further failure. */
export const BACKOFF_MS = 10_000;
/** Longest back-off, ms. */
export const BACKOFF_MAX_MS = 300_000;
/** Failures are forgotten this long after a host's last one, ms. */
export const FAILURE_MEMORY_MS = 600_000;
/** Hosts remembered for failures (the oldest forgotten first). */
export const MAX_FAILING_HOSTS = 1024;
/** Handshake failures of one host are logged at most once per this interval, ms. */
export const FAILURE_LOG_INTERVAL_MS = 60_000;

/** Refusals the gate reports to its owner (the ones the admit function did not decide). */
export type RefusalReport = (reason: RefusalReason, remote: string, stream?: string) => void;

/** Per-host handshake failures: count, back-off end, last log. */
interface HostFailures {
  n: number;
  lastMs: number;
  until: number;
  loggedMs: number;
  unlogged: number;
}

/** Largest sockaddr read from the callback (sockaddr_in6), bytes. */
const PEER_ADDR_BYTES = 28;

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Builds the admission record from a parsed stream id. */
function admission(raw: string, remote: string): Result<SrtAdmission, RefusalReason> {
  const p = parseStreamId(raw);
  if (!p.ok) return p;
  const a: SrtAdmission = { name: p.value.name, raw, remote };
  if (p.value.user !== undefined) a.user = p.value.user;
  return ok(a);
}

/** The listen-callback gate: verdicts, per-stream passphrases, refusal counters. */
export class AdmissionGate {
  /** Refused admissions by reason (stream id reasons, admit's reasons, handshake_failed). */
  readonly refused: Partial<Record<RefusalReason, number>> = {};
  /** Set when the listener stops: every new caller gets 1503. */
  stopping = false;
  readonly #sym: SrtSymbols;
  readonly #admit: (a: SrtAdmission) => AdmitResult;
  readonly #idleMs: number | (() => number);
  readonly #pending = new Map<number, { a: SrtAdmission; atMs: number; secured: boolean }>();
  readonly #failing = new Map<string, HostFailures>();
  /** The listening socket has a default passphrase (every stream is encrypted). */
  listenerPassphrase = false;
  /** Owner hooks: refusals to count, failure lines to log. */
  report: RefusalReport = () => {};
  logFailure: (host: string, reason: string, count: number, backoffMs: number) => void = () => {};
  readonly #i32 = new Int32Array(1);
  readonly #sid = new Uint8Array(STREAMID_MAX_BYTES + 1);
  readonly #sidLen = new Int32Array(1);

  /** `peerIdleMs`: SRTO_PEERIDLETIMEO, or a function read per connection (reloadable). */
  constructor(
    sym: SrtSymbols,
    admit: (a: SrtAdmission) => AdmitResult,
    peerIdleMs: number | (() => number),
  ) {
    this.#sym = sym;
    this.#admit = admit;
    this.#idleMs = peerIdleMs;
  }

  /** Counts one refusal. */
  refuse(reason: RefusalReason): void {
    this.refused[reason] = (this.refused[reason] ?? 0) + 1;
  }

  /** srt_listen_callback_fn body: 0 accepts, -1 rejects (reason set on `ns`). */
  onHandshake(ns: number, peer: Deno.PointerValue, sid: Deno.PointerValue): number {
    try {
      return this.#decide(ns, peer, sid);
    } catch {
      return this.#reject(ns, 1500, "callback_error");
    }
  }

  #reject(
    ns: number,
    status: number,
    reason: RefusalReason,
    remote?: string,
    stream?: string,
  ): number {
    try {
      this.refuse(reason);
      if (remote !== undefined) this.report(reason, remote, stream);
      this.#sym.srt_setrejectreason(ns, status);
    } catch { /* never throw into libsrt */ }
    return -1;
  }

  #decide(ns: number, peer: Deno.PointerValue, sid: Deno.PointerValue): number {
    if (this.stopping) return this.#reject(ns, 1503, "stopping");
    const raw = sid ? Deno.UnsafePointerView.getCString(sid) : "";
    const remote = peer
      ? decodeSockaddr(new DataView(Deno.UnsafePointerView.getArrayBuffer(peer, PEER_ADDR_BYTES)))
      : "unknown";
    const host = hostOf(remote);
    const f = this.#failing.get(host);
    if (f && f.until > performance.now()) {
      return this.#reject(ns, 1429, "handshake_backoff", remote); // too many failures
    }
    const p = admission(raw, remote);
    if (!p.ok) {
      return this.#reject(ns, STREAMID_REJECT_STATUS[p.reason] ?? 1400, p.reason, remote);
    }
    let v: AdmitResult;
    try {
      v = this.#admit(p.value);
    } catch {
      return this.#reject(ns, 1500, "admit_threw", remote, p.value.name);
    }
    if (!v.ok) return this.#reject(ns, v.status, v.reason); // the admit function counted it
    const sym = this.#sym;
    if (v.passphrase) {
      const b = enc.encode(v.passphrase);
      if (sym.srt_setsockflag(ns, SRTO.PASSPHRASE, b, b.length) !== 0) {
        return this.#reject(ns, 1500, "passphrase_invalid", remote, p.value.name);
      }
    }
    // Set on the new socket explicitly. libsrt only declares a peer dead after 16
    // expiry periods (>= 300 ms each) AND this timeout, so ~4.8 s is the floor anyway.
    this.#i32[0] = typeof this.#idleMs === "number" ? this.#idleMs : this.#idleMs();
    sym.srt_setsockflag(ns, SRTO.PEERIDLETIMEO, this.#i32, 4);
    if (this.#pending.size >= PENDING_MAX) {
      this.#pending.delete(this.#pending.keys().next().value!);
    }
    this.#pending.set(ns, {
      a: p.value,
      atMs: performance.now(),
      secured: !!v.passphrase || this.listenerPassphrase,
    });
    return 0;
  }

  /**
   * The admission of an accepted socket: the callback's record, else (never seen in
   * practice) rebuilt from SRTO_STREAMID, refused when the id does not parse.
   */
  take(ns: number, peer: DataView): Result<SrtAdmission, RefusalReason> {
    const rec = this.#pending.get(ns);
    if (rec) {
      this.#pending.delete(ns);
      // a good handshake ends the back-off; the host's log interval keeps running
      const f = this.#failing.get(hostOf(rec.a.remote));
      if (f) f.n = f.until = 0;
      return ok(rec.a);
    }
    this.#sidLen[0] = this.#sid.length;
    if (this.#sym.srt_getsockflag(ns, SRTO.STREAMID, this.#sid, this.#sidLen) !== 0) {
      return fail("streamid_unreadable");
    }
    const n = Math.max(0, Math.min(this.#sidLen[0], STREAMID_MAX_BYTES));
    return admission(dec.decode(this.#sid.subarray(0, n)), decodeSockaddr(peer));
  }

  /**
   * Expires pending admissions libsrt never completed: "passphrase_mismatch" when the
   * stream has a passphrase (wrong or missing key on the caller), else "handshake_failed"
   * (e.g. a caller with a passphrase where none is set). Each counts against its host:
   * after FAILURES_BEFORE_BACKOFF the host is refused ("handshake_backoff") for a
   * doubling time; one log line per host per FAILURE_LOG_INTERVAL_MS.
   */
  expire(now: number): void {
    for (const [ns, p] of this.#pending) {
      if (now - p.atMs < PENDING_EXPIRY_MS) continue;
      this.#pending.delete(ns);
      const reason = p.secured ? "passphrase_mismatch" : "handshake_failed";
      this.refuse(reason);
      this.report(reason, p.a.remote, p.a.name);
      this.#failed(hostOf(p.a.remote), reason, now);
    }
    for (const [h, f] of this.#failing) {
      if (now - f.lastMs > FAILURE_MEMORY_MS) this.#failing.delete(h);
    }
  }

  #failed(host: string, reason: string, now: number): void {
    let f = this.#failing.get(host);
    if (!f) {
      if (this.#failing.size >= MAX_FAILING_HOSTS) {
        this.#failing.delete(this.#failing.keys().next().value!);
      }
      f = { n: 0, lastMs: now, until: 0, loggedMs: -Infinity, unlogged: 0 };
      this.#failing.set(host, f);
    }
    f.n++;
    f.lastMs = now;
    f.unlogged++;
    const over = f.n - FAILURES_BEFORE_BACKOFF;
    const backoff = over >= 0 ? Math.min(BACKOFF_MAX_MS, BACKOFF_MS * 2 ** over) : 0;
    if (backoff) f.until = now + backoff;
    if (now - f.loggedMs >= FAILURE_LOG_INTERVAL_MS) {
      this.logFailure(host, reason, f.unlogged, backoff);
      f.loggedMs = now;
      f.unlogged = 0;
    }
  }
}
