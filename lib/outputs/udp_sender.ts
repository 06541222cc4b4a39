/**
 * UDP links for TS over UDP (unicast or multicast): a non-blocking libc socket
 * (ffi/libc.ts), IP_MULTICAST_TTL or IP_TTL from the URL, one `sendto` per datagram of
 * `pkt_size` bytes (7 x 188 by default). EAGAIN (socket buffer full) means "take the
 * rest later"; ECONNREFUSED (an ICMP port-unreachable from an earlier datagram to a
 * unicast receiver that is not running) loses that datagram and is counted, as UDP does.
 */
import {
  AF_INET,
  EAGAIN,
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
    if (t.ttl !== undefined) {
      const v = new Int32Array([t.ttl]);
      const opt = t.multicast ? IP_MULTICAST_TTL : IP_TTL;
      if (l.value.sym.setsockopt(fd, IPPROTO_IP, opt, v, 4) !== 0) {
        l.value.sym.close(fd);
        throw new Error(`setsockopt ttl failed errno ${l.value.errno()}`);
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
        if (e !== ECONNREFUSED) throw new Error(`sendto errno ${e}`);
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
