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
import { parseStreamId, STREAMID_MAX_BYTES, STREAMID_REJECT_STATUS } from "./streamid.ts";
import { fail, ok, type Result } from "../../core/result.ts";
import type { RefusalReason } from "../../core/reasons.ts";

/** Admission verdict; `status` is an SRT reject code (1000 + HTTP-like, e.g. 1403). */
export type AdmitResult =
  | { ok: true; passphrase?: string }
  | { ok: false; status: number; reason: RefusalReason };

/** Pending admissions (callback done, accept not yet) kept at most. */
export const PENDING_MAX = 256;
/** A pending admission not accepted within this is counted as handshake_failed, ms. */
export const PENDING_EXPIRY_MS = 3000;
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
  readonly #pending = new Map<number, { a: SrtAdmission; atMs: number }>();
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

  #reject(ns: number, status: number, reason: RefusalReason): number {
    try {
      this.refuse(reason);
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
    const p = admission(raw, remote);
    if (!p.ok) return this.#reject(ns, STREAMID_REJECT_STATUS[p.reason] ?? 1400, p.reason);
    let v: AdmitResult;
    try {
      v = this.#admit(p.value);
    } catch {
      return this.#reject(ns, 1500, "admit_threw");
    }
    if (!v.ok) return this.#reject(ns, v.status, v.reason);
    const sym = this.#sym;
    if (v.passphrase) {
      const b = enc.encode(v.passphrase);
      if (sym.srt_setsockflag(ns, SRTO.PASSPHRASE, b, b.length) !== 0) {
        return this.#reject(ns, 1500, "passphrase_invalid");
      }
    }
    // Set on the new socket explicitly. libsrt only declares a peer dead after 16
    // expiry periods (>= 300 ms each) AND this timeout, so ~4.8 s is the floor anyway.
    this.#i32[0] = typeof this.#idleMs === "number" ? this.#idleMs : this.#idleMs();
    sym.srt_setsockflag(ns, SRTO.PEERIDLETIMEO, this.#i32, 4);
    if (this.#pending.size >= PENDING_MAX) {
      this.#pending.delete(this.#pending.keys().next().value!);
    }
    this.#pending.set(ns, { a: p.value, atMs: performance.now() });
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
      return ok(rec.a);
    }
    this.#sidLen[0] = this.#sid.length;
    if (this.#sym.srt_getsockflag(ns, SRTO.STREAMID, this.#sid, this.#sidLen) !== 0) {
      return fail("streamid_unreadable");
    }
    const n = Math.max(0, Math.min(this.#sidLen[0], STREAMID_MAX_BYTES));
    return admission(dec.decode(this.#sid.subarray(0, n)), decodeSockaddr(peer));
  }

  /** Expires pending admissions libsrt never completed (wrong or missing passphrase). */
  expire(now: number): void {
    for (const [ns, p] of this.#pending) {
      if (now - p.atMs < PENDING_EXPIRY_MS) continue;
      this.#pending.delete(ns);
      this.refuse("handshake_failed");
    }
  }
}
