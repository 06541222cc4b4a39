/**
 * What every UDP receiver (recvmmsg.ts, deno_receiver.ts) is and delivers: the receiver
 * interface, the datagram callback, counters and resolved options; receiver.ts opens one.
 */

/** Source address of a datagram (IPv4 dotted quad, UDP port). */
export interface UdpRemote {
  hostname: string;
  port: number;
}

/**
 * Called once per datagram. `data` is a view of the receiver's slot buffer and is
 * valid ONLY during the call: copy it (or finish with it) before returning.
 * `remote` may be a shared, cached object: do not mutate it. `arrivalMs` is
 * performance.now() at the batch's receive.
 */
export type OnDatagram = (data: Uint8Array, remote: UdpRemote, arrivalMs: number) => void;

/** Counters of one receiver (units in the names where not obvious). */
export interface UdpReceiverStats {
  /** Datagrams delivered to the callback. */
  datagrams: number;
  /** Bytes delivered to the callback. */
  bytes: number;
  /** Datagrams the kernel dropped on this socket (socket buffer full); recvmmsg only. */
  kernelDrops?: number;
  /** Receive calls that returned data (recvmmsg: datagrams per batch up to 64). */
  batches: number;
  /** Datagrams larger than the slot, dropped and counted (never delivered cut). */
  truncated: number;
  /** Receive/send errors other than "would block". */
  errors: number;
}

/** A bound UDP socket that delivers datagrams to one callback. */
export interface UdpReceiver {
  readonly kind: "recvmmsg" | "deno";
  /** Bound port (the real one when 0 was asked). */
  readonly port: number;
  /** Effective kernel receive buffer in bytes as the kernel reports it (SO_RCVBUF). */
  readonly socketBufferBytes: number;
  /** Starts delivery; call once. */
  start(onDatagram: OnDatagram): void;
  /** Sends one datagram from this socket (RTCP receiver reports); never throws on I/O. */
  send(data: Uint8Array, remote: UdpRemote): void;
  stats(): UdpReceiverStats;
  /** Stops delivery and releases the port. */
  close(): Promise<void>;
}

/** Resolved options passed to the implementations. */
export interface ResolvedUdpOptions {
  hostname: string;
  port: number;
  socketBufferBytes: number;
  maxDatagramBytes: number;
  log: (msg: string) => void;
}
