/**
 * One UDP receiver interface for every RTP stream on `rtp_port` (docs/ARCHITECTURE.md):
 * libc `recvmmsg(2)` through FFI on Linux, `Deno.listenDatagram` as the portable
 * fallback. Both deliver datagrams by callback, batched at the socket, never one
 * promise per packet for recvmmsg (docs/ARCHITECTURE.md, rule 4).
 */
import { loadLibc } from "../../../ffi/libc.ts";
import { openRecvmmsgReceiver } from "./recvmmsg.ts";
import { openDenoReceiver } from "./deno_receiver.ts";
import type { UdpReceiver } from "./types.ts";

/** Options of openUdpReceiver. */
export interface UdpReceiverOptions {
  hostname: string;
  port: number;
  /** "auto" = recvmmsg on Linux when libc loads, else deno. */
  kind?: "auto" | "recvmmsg" | "deno";
  /**
   * Effective kernel receive buffer to ask for, bytes (default DEFAULT_SOCKET_BUFFER_BYTES);
   * recvmmsg only. Without root it is capped at 2 x net.core.rmem_max.
   */
  socketBufferBytes?: number;
  /** Largest datagram delivered, bytes (default DEFAULT_MAX_DATAGRAM_BYTES). */
  maxDatagramBytes?: number;
  log?: (msg: string) => void;
}

/** Default requested socket buffer: 8 MiB (bench/README.md, udp bench). */
export const DEFAULT_SOCKET_BUFFER_BYTES = 8 * 1024 * 1024;
/** Default slot size: RTP over Ethernet fits in 1500; 2048 leaves headroom. */
export const DEFAULT_MAX_DATAGRAM_BYTES = 2048;
/** Cap on one slot (the largest IPv4 UDP payload). */
export const MAX_DATAGRAM_BYTES_CAP = 65507;

/**
 * Opens and binds a UDP receiver. Throws (configuration error) when the port cannot
 * be bound or an explicitly requested kind is unavailable.
 */
export async function openUdpReceiver(opts: UdpReceiverOptions): Promise<UdpReceiver> {
  const kind = opts.kind ?? "auto";
  const maxDatagramBytes = opts.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM_BYTES;
  if (
    !Number.isInteger(maxDatagramBytes) || maxDatagramBytes < 12 ||
    maxDatagramBytes > MAX_DATAGRAM_BYTES_CAP
  ) {
    throw new RangeError(
      `maxDatagramBytes must be 12-${MAX_DATAGRAM_BYTES_CAP}, got ${maxDatagramBytes}`,
    );
  }
  const full = {
    hostname: opts.hostname,
    port: opts.port,
    socketBufferBytes: opts.socketBufferBytes ?? DEFAULT_SOCKET_BUFFER_BYTES,
    maxDatagramBytes,
    log: opts.log ?? (() => {}),
  };
  if (kind === "deno") return await openDenoReceiver(full);
  const libc = loadLibc();
  if (!libc.ok) {
    if (kind === "recvmmsg") throw new Error(`UDP receiver kind recvmmsg: ${libc.reason}`);
    full.log(`udp: recvmmsg unavailable (${libc.reason}), using Deno.listenDatagram`);
    return await openDenoReceiver(full);
  }
  return openRecvmmsgReceiver(libc.value, full);
}
