/**
 * UDP links for TS over UDP (unicast or multicast): a non-blocking libc socket
 * (ffi/libc.ts), IP_MULTICAST_TTL or IP_TTL from the URL, bound to `localaddr` when the URL
 * names one (and, for a multicast group, IP_MULTICAST_IF set to it: the interface the group
 * is sent on, whatever the routing table says), one `sendto` per datagram of
 * `pkt_size` bytes (7 x 188 by default). EAGAIN (socket buffer full) means "take the
 * rest later"; ECONNREFUSED (an ICMP port-unreachable from an earlier datagram to a
 * unicast receiver that is not running) loses that datagram and is counted, as UDP does.
 */
import {
  AF_INET,
  EAGAIN,
  errnoName,
  loadLibc,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCKADDR_IN_BYTES,
  writeSockaddrIn,
} from "../../ffi/libc.ts";
import { type Link, resolveHost } from "./link.ts";
import type { UdpTarget } from "../config/output_url.ts";

const IPPROTO_IP = 0;
const IP_TTL = 2;
const IP_MULTICAST_IF = 32;
const IP_MULTICAST_TTL = 33;
const ECONNREFUSED = 111;

/** A UDP link; `refused` counts datagrams lost to ECONNREFUSED. */
export class UdpLink implements Link {
  refused = 0;
  #closed = false;
  readonly #addr = new Uint8Array(SOCKADDR_IN_BYTES);

  private constructor(
    private readonly lib: NonNullable<ReturnType<typeof loadLibc> & { ok: true }>["value"],
    private readonly fd: number,
    ip: string,
    private readonly t: UdpTarget,
  ) {
    writeSockaddrIn(this.#addr, ip, t.port);
  }

  /** Opens a socket towards `t`. */
  static async open(t: UdpTarget): Promise<UdpLink> {
    const l = loadLibc();
    if (!l.ok) throw new Error(l.reason);
    const ip = await resolveHost(t.host);
    const fd = l.value.sym.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (fd < 0) throw new Error(`socket failed errno ${l.value.errno()}`);
    const sym = l.value.sym;
    const failed = (what: string) => {
      const e = errnoName(l.value.errno());
      sym.close(fd);
      return new Error(`${what} failed: ${e}`);
    };
    if (t.ttl !== undefined) {
      const v = new Int32Array([t.ttl]);
      const opt = t.multicast ? IP_MULTICAST_TTL : IP_TTL;
      if (sym.setsockopt(fd, IPPROTO_IP, opt, v, 4) !== 0) throw failed("setsockopt ttl");
    }
    if (t.localAddr !== undefined) {
      // EADDRNOTAVAIL here: no interface of this box has that address (yet); retried later
      const local = new Uint8Array(SOCKADDR_IN_BYTES);
      writeSockaddrIn(local, t.localAddr, 0);
      if (sym.bind(fd, local, SOCKADDR_IN_BYTES) !== 0) throw failed(`bind ${t.localAddr}`);
      // struct in_addr: the address bytes of the sockaddr_in
      const inAddr = local.slice(4, 8);
      if (t.multicast && sym.setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, inAddr, 4) !== 0) {
        throw failed(`setsockopt IP_MULTICAST_IF ${t.localAddr}`);
      }
    }
    return new UdpLink(l.value, fd, ip, t);
  }

  send(b: Uint8Array): number {
    const size = this.t.pktSize;
    let off = 0;
    while (off < b.length) {
      const n = Math.min(size, b.length - off);
      const r = Number(
        this.lib.sym.sendto(
          this.fd,
          b.subarray(off, off + n),
          BigInt(n),
          0,
          this.#addr,
          SOCKADDR_IN_BYTES,
        ),
      );
      if (r < 0) {
        const e = this.lib.errno();
        if (e === EAGAIN) return off;
        // ENETUNREACH: no route to the group or host (for a multicast group on a box
        // without a default route: name the interface with ?localaddr=)
        if (e !== ECONNREFUSED) throw new Error(`sendto ${this.t.host}: ${errnoName(e)}`);
        this.refused++;
      }
      off += n;
    }
    return off;
  }

  alive(): boolean {
    return !this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.lib.sym.close(this.fd);
  }
}
