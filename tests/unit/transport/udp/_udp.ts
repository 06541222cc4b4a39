/** Test helpers for the UDP receivers: a loopback sender and a wait-until. */

/** Waits until `cond()` is true or `ms` pass; returns the last value of cond(). */
export async function waitFor(cond: () => boolean, ms = 3000): Promise<boolean> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

/** Datagram i: 4-byte big-endian index then a pattern derived from it, `size` bytes. */
export function datagram(i: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  new DataView(b.buffer).setUint32(0, i);
  for (let k = 4; k < size; k++) b[k] = (i * 31 + k) & 255;
  return b;
}

/**
 * Sends `n` datagrams to 127.0.0.1:port in bursts of `burst`, pausing between bursts; with
 * `delivered`, each burst also waits (bounded) until the receiver has counted it, so a test
 * of delivery does not depend on how busy the machine is.
 */
export async function sendBursts(
  sock: Deno.DatagramConn,
  port: number,
  n: number,
  size: (i: number) => number,
  burst = 64,
  pauseMs = 1,
  delivered?: () => number,
): Promise<void> {
  const to = { transport: "udp" as const, hostname: "127.0.0.1", port };
  for (let i = 0; i < n; i += burst) {
    const batch: Promise<number>[] = [];
    for (let k = i; k < Math.min(n, i + burst); k++) {
      batch.push(sock.send(datagram(k, size(k)), to));
    }
    await Promise.all(batch);
    if (delivered) await waitFor(() => delivered() >= Math.min(n, i + burst), 1000);
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
  }
}

/** A loopback sender socket on an ephemeral port. */
export function sender(): { sock: Deno.DatagramConn; port: number } {
  const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  return { sock, port: (sock.addr as Deno.NetAddr).port };
}
