/**
 * The preallocated batch recvmmsg(2) fills: SLOTS `struct mmsghdr` (Linux x86-64 / arm64
 * layout, ffi/libc.ts MSG offsets), each with one iovec into its slot of `data`, a
 * sockaddr_in for the source and a control buffer for the SO_RXQ_OVFL message (socket(7),
 * cmsg(3)). Every buffer C sees is a field, reachable for the batch's whole life
 * (docs/ARCHITECTURE.md, rule 5); readers take DataViews, never copies.
 *
 * ```
 * struct mmsghdr { struct msghdr { void *name; u32 namelen; struct iovec *iov; u64 iovlen;
 *                  void *control; u64 controllen; i32 flags }; u32 len }
 * struct cmsghdr { u64 len; i32 level; i32 type; u8 data[] }   SO_RXQ_OVFL data: u32 drops
 * ```
 */
import {
  IOVEC_BYTES,
  MMSGHDR_BYTES,
  MSG,
  MSG_TRUNC,
  SO_RXQ_OVFL,
  SOCKADDR_IN_BYTES,
  SOL_SOCKET,
} from "../../../ffi/libc.ts";
import type { UdpRemote } from "./types.ts";

/** Datagrams per recvmmsg call. */
export const SLOTS = 64;
/** Control buffer per slot: CMSG_SPACE(4) = 24, rounded up. */
const CONTROL_BYTES = 32;
/** Cap on cached source-address objects (one per distinct ip:port). */
export const MAX_REMOTES_CACHED = 4096;

/** SLOTS receive slots of `slotBytes` each, wired up for recvmmsg. */
export class MmsgBatch {
  /** The mmsghdr array handed to recvmmsg. */
  readonly hdrs: Uint8Array;
  readonly #slot: number;
  readonly #data: Uint8Array;
  readonly #iovecs: Uint8Array;
  readonly #names: Uint8Array;
  readonly #controls: Uint8Array;
  readonly #hdrView: DataView;
  readonly #nameView: DataView;
  readonly #ctlView: DataView;
  readonly #remotes = new Map<number, UdpRemote>();

  constructor(slotBytes: number) {
    this.#slot = slotBytes;
    this.#data = new Uint8Array(SLOTS * slotBytes);
    this.#iovecs = new Uint8Array(SLOTS * IOVEC_BYTES);
    this.#names = new Uint8Array(SLOTS * SOCKADDR_IN_BYTES);
    this.#controls = new Uint8Array(SLOTS * CONTROL_BYTES);
    this.hdrs = new Uint8Array(SLOTS * MMSGHDR_BYTES);
    this.#hdrView = new DataView(this.hdrs.buffer);
    this.#nameView = new DataView(this.#names.buffer);
    this.#ctlView = new DataView(this.#controls.buffer);
    const iov = new DataView(this.#iovecs.buffer);
    const hv = this.#hdrView;
    const base = (b: Uint8Array) => BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(b)));
    const dataP = base(this.#data), iovP = base(this.#iovecs);
    const nameP = base(this.#names), ctlP = base(this.#controls);
    for (let i = 0; i < SLOTS; i++) {
      iov.setBigUint64(i * IOVEC_BYTES, dataP + BigInt(i * slotBytes), true);
      iov.setBigUint64(i * IOVEC_BYTES + 8, BigInt(slotBytes), true);
      const h = i * MMSGHDR_BYTES;
      hv.setBigUint64(h + MSG.name, nameP + BigInt(i * SOCKADDR_IN_BYTES), true);
      hv.setBigUint64(h + MSG.iov, iovP + BigInt(i * IOVEC_BYTES), true);
      hv.setBigUint64(h + MSG.iovlen, 1n, true);
      hv.setBigUint64(h + MSG.control, ctlP + BigInt(i * CONTROL_BYTES), true);
    }
    this.reset(SLOTS);
  }

  /** Value-result fields the kernel overwrote in the first `n` slots: restore them. */
  reset(n: number): void {
    const hv = this.#hdrView;
    for (let i = 0; i < n; i++) {
      const h = i * MMSGHDR_BYTES;
      hv.setUint32(h + MSG.namelen, SOCKADDR_IN_BYTES, true);
      hv.setUint32(h + MSG.controllen, CONTROL_BYTES, true);
      hv.setUint32(h + MSG.controllen + 4, 0, true);
    }
  }

  /** Bytes received in slot `i`, or -1 when the datagram was truncated (MSG_TRUNC). */
  length(i: number): number {
    const h = i * MMSGHDR_BYTES;
    const len = this.#hdrView.getUint32(h + MSG.len, true);
    const truncated = (this.#hdrView.getInt32(h + MSG.flags, true) & MSG_TRUNC) !== 0;
    return truncated || len > this.#slot ? -1 : len;
  }

  /** The first `len` bytes of slot `i`: a view, overwritten by the next recvmmsg. */
  datagram(i: number, len: number): Uint8Array {
    const off = i * this.#slot;
    return this.#data.subarray(off, off + len);
  }

  /** Source of slot `i`, from a capped cache keyed by address and port. */
  remote(i: number): UdpRemote {
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

  /**
   * The socket's cumulative drop count from slot `i`'s SO_RXQ_OVFL control message
   * (socket(7)), or -1 when the slot carries none.
   */
  rxqOvfl(i: number): number {
    const clen = Number(this.#hdrView.getBigUint64(i * MMSGHDR_BYTES + MSG.controllen, true));
    const c = i * CONTROL_BYTES;
    const cv = this.#ctlView;
    if (clen < 20 || clen > CONTROL_BYTES) return -1;
    if (cv.getInt32(c + 8, true) !== SOL_SOCKET || cv.getInt32(c + 12, true) !== SO_RXQ_OVFL) {
      return -1;
    }
    return cv.getUint32(c + 16, true);
  }
}
