import type {
  OnDatagram,
  ResolvedUdpOptions,
  UdpReceiver,
  UdpReceiverStats,
  UdpRemote,
} from "./types.ts";
/**
 * Portable UDP receiver on `Deno.listenDatagram` (needs --unstable-net) with one
 * reused receive buffer (bench/README.md, udp bench: loss-free to ~10 k packets/s; the socket
 * buffer stays at the kernel default, Deno offers no way to raise it).
 * A datagram larger than maxDatagramBytes is detected with a one-byte-larger buffer,
 * dropped and counted as truncated.
 */

/** Binds the socket. Throws when the address cannot be bound (config error). */
export function openDenoReceiver(o: ResolvedUdpOptions): Promise<UdpReceiver> {
  return Promise.resolve(new DenoReceiver(o));
}

/** Consecutive receive errors after which the loop gives up (socket is broken). */
export const MAX_CONSECUTIVE_FAILURES = 100;

function defaultRcvbuf(): number {
  try {
    return Number(Deno.readTextFileSync("/proc/sys/net/core/rmem_default").trim()) || 0;
  } catch {
    return 0;
  }
}

class DenoReceiver implements UdpReceiver {
  readonly kind = "deno" as const;
  readonly port: number;
  readonly socketBufferBytes: number;
  #conn: Deno.DatagramConn;
  #max: number;
  /** The one receive buffer, reused for every datagram (max + 1 to detect truncation). */
  #buf: Uint8Array;
  #loop: Promise<void> | undefined;
  #closed = false;
  #log: (msg: string) => void;
  #stats: UdpReceiverStats = { datagrams: 0, bytes: 0, batches: 0, truncated: 0, errors: 0 };

  constructor(o: ResolvedUdpOptions) {
    try {
      this.#conn = Deno.listenDatagram({ transport: "udp", hostname: o.hostname, port: o.port });
    } catch (e) {
      throw new Error(`udp: cannot bind ${o.hostname}:${o.port}: ${(e as Error).message}`);
    }
    this.port = (this.#conn.addr as Deno.NetAddr).port;
    this.#max = o.maxDatagramBytes;
    this.#buf = new Uint8Array(o.maxDatagramBytes + 1);
    this.#log = o.log;
    this.socketBufferBytes = defaultRcvbuf();
  }

  start(onDatagram: OnDatagram): void {
    if (this.#loop || this.#closed) return;
    this.#loop = this.#run(onDatagram);
  }

  async #run(cb: OnDatagram): Promise<void> {
    const st = this.#stats;
    let failures = 0;
    while (!this.#closed) {
      let got: [Uint8Array, Deno.Addr];
      try {
        got = await this.#conn.receive(this.#buf);
      } catch (e) {
        if (this.#closed) return;
        st.errors++;
        this.#log(`udp: receive failed: ${e instanceof Error ? e.message : String(e)}`);
        if (++failures >= MAX_CONSECUTIVE_FAILURES) return;
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      failures = 0;
      const [data, addr] = got;
      st.batches++;
      if (data.byteLength > this.#max) {
        st.truncated++;
        continue;
      }
      st.datagrams++;
      st.bytes += data.byteLength;
      try {
        cb(data, addr as Deno.NetAddr as UdpRemote, performance.now());
      } catch (e) {
        if (st.errors++ === 0) {
          this.#log(`udp: onDatagram threw: ${e instanceof Error ? e.stack : String(e)}`);
        }
      }
    }
  }

  send(data: Uint8Array, remote: UdpRemote): void {
    if (this.#closed) return;
    this.#conn.send(data, { transport: "udp", hostname: remote.hostname, port: remote.port })
      .catch(() => this.#stats.errors++);
  }

  stats(): UdpReceiverStats {
    return { ...this.#stats };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
    await this.#loop;
  }
}
