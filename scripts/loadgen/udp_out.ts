/**
 * The load generator's UDP sockets: one shared by every source, or one per source (its
 * own local port, as separate cameras would have). Sends through libc sendto(2) (FFI,
 * ffi/libc.ts) when it loads, else Deno.listenDatagram.
 */
import {
  AF_INET,
  loadLibc,
  SOCK_DGRAM,
  SOCKADDR_IN_BYTES,
  writeSockaddrIn,
} from "../../ffi/libc.ts";

/** A set of UDP sockets sending to one address. */
export interface UdpOut {
  readonly sender: "libc" | "deno";
  /** Sends `buf[0, len)` from socket `i`; false when the kernel refused it. */
  send(i: number, buf: Uint8Array, len: number): boolean;
  close(): void;
}

/** Opens `count` sockets sending to host:port. */
export function openUdpOut(host: string, port: number, count: number): UdpOut {
  const libc = loadLibc();
  if (libc.ok) {
    const s = libc.value.sym;
    const addr = new Uint8Array(SOCKADDR_IN_BYTES);
    if (!writeSockaddrIn(addr, host, port)) throw new Error(`bad address ${host}:${port}`);
    const fds: number[] = [];
    for (let i = 0; i < count; i++) {
      const fd = s.socket(AF_INET, SOCK_DGRAM, 0);
      if (fd < 0) {
        for (const f of fds) s.close(f);
        throw new Error(`cannot open socket ${i + 1} of ${count} (ulimit -n?)`);
      }
      fds.push(fd);
    }
    return {
      sender: "libc",
      send: (i, buf, len) =>
        Number(s.sendto(fds[i], buf, BigInt(len), 0, addr, SOCKADDR_IN_BYTES)) === len,
      close: () => fds.forEach((f) => s.close(f)),
    };
  }
  const socks: Deno.DatagramConn[] = [];
  for (let i = 0; i < count; i++) {
    socks.push(Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port: 0 }));
  }
  const to = { transport: "udp" as const, hostname: host, port };
  return {
    sender: "deno",
    send: (i, buf, len) => {
      socks[i].send(buf.slice(0, len), to).catch(() => {});
      return true;
    },
    close: () => socks.forEach((x) => x.close()),
  };
}
