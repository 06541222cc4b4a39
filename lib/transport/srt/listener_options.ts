/**
 * What an SrtListener (listener.ts) is built with and what its health reports: options,
 * the log sink, the /api/v1/health section.
 */
import type { SrtAdmission, SrtConnection, SrtConnectionSink } from "./connection.ts";
import type { AdmitResult, RefusalReport } from "./admission.ts";
import type { RefusalReason } from "../../core/reasons/catalogue.ts";

/** Log sink: level, event name, structured fields. */
export type SrtLog = (
  level: "debug" | "info" | "warn" | "error",
  event: string,
  fields: Record<string, unknown>,
) => void;

/** SrtListener options. */
export interface SrtListenerOptions {
  host: string;
  port: number;
  /** SRTO_LATENCY (receiver and peer latency), ms. */
  latencyMs: number;
  /** Default SRTO_PASSPHRASE (10..79 chars) for streams without their own; "" = none. */
  passphrase?: string;
  /** Explicit libsrt path (config `srt.library`). */
  library?: string;
  /** Kernel receive buffer of sluice's own UDP socket under libsrt, bytes (listen_socket.ts);
   * undefined or 0: libsrt binds its own. */
  socketBufferBytes?: number;
  /** SRTO_PEERIDLETIMEO on accepted sockets, ms (libsrt default 5000), or a function read
   * per connection (config reload). Values under ~4800 change little: libsrt also waits
   * 16 expiry periods of >= 300 ms. */
  peerIdleTimeoutMs?: number | (() => number);
  /** Least time between two reads while data flows, ms (0: from the latency, see wakeMs). */
  readIntervalMs?: number | (() => number);
  log: SrtLog;
  /** Called from the listen callback: O(1), must not block. Exceptions reject (1500). */
  admit(a: SrtAdmission): AdmitResult;
  /** Called after srt_accept; undefined closes the socket. */
  open(a: SrtAdmission, conn: SrtConnection): SrtConnectionSink | undefined;
  /**
   * Refusals `admit` did not decide (stream id, handshake/passphrase failures, back-off),
   * for the owner's counters.
   */
  refused?: RefusalReport;
}

/** Listener health for /api/v1/health. */
export interface SrtHealth {
  enabled: boolean;
  library?: string;
  reason?: string;
  port: number;
  connections: number;
  /** Refused admissions by reason (stream id, admit, handshake_failed). */
  refused: Partial<Record<RefusalReason, number>>;
  accepted: number;
  /** Who made the UDP socket libsrt reads: "sluice" (srt_bind_acquire) or "libsrt". */
  socket?: "sluice" | "libsrt";
  /** Why sluice's own socket is not used although asked for (IPv6 bind, no libc). */
  socketReason?: string;
  /** Effective kernel receive buffer of that socket, bytes (sluice's socket only). */
  socketBufferBytes?: number;
  /** Datagrams the kernel dropped on it (receive buffer full), from /proc/net/udp. */
  kernelDrops?: number | null;
}
