/**
 * The RTP side of a load run: N sources (rtp_sources.ts) sending through one shared
 * socket or one socket each (udp_out.ts), ticked by the run loop in scripts/loadgen.ts.
 */
import { packetsPerSource, type ReplayCapture, type RtpPacing, RtpSource } from "./rtp_sources.ts";
import { openUdpOut, type UdpOut } from "./udp_out.ts";

/** Options of an RTP sender set. */
export interface RtpSenderOptions {
  host: string;
  port: number;
  sources: number;
  /** One socket for all sources, or one per source. */
  sockets: "one" | "per-source";
  capture?: ReplayCapture;
  /** Synthetic packet size without a capture, bytes. */
  size: number;
  pacing: RtpPacing;
  loops?: number;
  seconds?: number;
}

/** What an RTP sender set sent. */
export interface RtpSenderReport {
  sender: "libc" | "deno";
  sources: number;
  sockets: "one" | "per-source";
  sent: number;
  bytes: number;
  sendErrors: number;
  /** Packets per source (all equal unless a rate does not divide). */
  perSource: number[];
  /** Frames (distinct timestamps) per source when the capture's loops are whole. */
  framesPerSource?: number;
}

/** N RTP sources and their sockets. */
export class RtpSenders {
  readonly #sources: RtpSource[] = [];
  readonly #out: UdpOut;
  readonly #buf: Uint8Array;
  readonly #perSocket: boolean;
  readonly report: RtpSenderReport;

  constructor(o: RtpSenderOptions) {
    const totals = packetsPerSource(o.capture, o.pacing, o.sources, o);
    for (let s = 0; s < o.sources; s++) {
      this.#sources.push(new RtpSource(s, o.sources, o.capture, o.size, o.pacing, totals[s]));
    }
    this.#perSocket = o.sockets === "per-source";
    this.#out = openUdpOut(o.host, o.port, this.#perSocket ? o.sources : 1);
    const max = o.capture ? Math.max(...o.capture.datagrams.map((d) => d.length)) : o.size;
    this.#buf = new Uint8Array(max);
    this.report = {
      sender: this.#out.sender,
      sources: o.sources,
      sockets: o.sockets,
      sent: 0,
      bytes: 0,
      sendErrors: 0,
      perSource: totals,
      framesPerSource: o.capture && o.loops !== undefined ? o.capture.frames * o.loops : undefined,
    };
  }

  /** Sends what is due at `nowMs` (from the run's start); true when every source is done. */
  tick(nowMs: number): boolean {
    let done = true;
    const r = this.report;
    for (const src of this.#sources) {
      while (src.k < src.total && src.dueMs() <= nowMs) {
        const len = src.fill(this.#buf);
        if (this.#out.send(this.#perSocket ? src.index : 0, this.#buf, len)) {
          r.sent++;
          r.bytes += len;
        } else r.sendErrors++;
        src.k++;
      }
      if (src.k < src.total) done = false;
    }
    return done;
  }

  close(): void {
    this.#out.close();
  }
}
