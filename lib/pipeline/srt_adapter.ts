/**
 * Wires the SRT listener to the stream layer (a StreamOpener, lib/stream/ports.ts):
 * admission (allowlist and per-stream passphrase here; duplicates and max_connections
 * asked of the opener) in the listen callback, one stream per
 * accepted connection, bytes into the stream's MPEG-TS input, link statistics into
 * the stream's transport stats.
 */
import type { StreamOpener, StreamSink } from "../stream/ports.ts";
import { SrtListener } from "../transport/srt/listener.ts";
import type { SrtAdmission } from "../transport/srt/connection.ts";
import type { SrtStats } from "../transport/srt/stats.ts";
import type { AdmitResult } from "../transport/srt/admission.ts";
import { HOUSEKEEPING } from "../core/ticker.ts";

/** Something that turns a connection's bytes into frames (the MPEG-TS input). */
export interface ByteInput {
  push(bytes: Uint8Array, arrivalMs: number): void;
  tick(nowMs: number): void;
  flush(): void;
  /** The connection closed: emit what is pending (unless `emit` is false), then nothing more. */
  close(emit?: boolean): void;
}

/** Reject codes (SRT_REJC_PREDEFINED + HTTP-like status). */
export const REJECT = {
  forbidden: 1403,
  conflict: 1409,
  unavailable: 1503,
} as const;

/** Reject code per refusal reason. */
const REJECT_STATUS: Record<string, number> = {
  not_allowed: REJECT.forbidden,
  name_reserved: REJECT.forbidden,
  duplicate: REJECT.conflict,
  max_connections: REJECT.unavailable,
  max_per_source: REJECT.unavailable,
};

function transport(s: SrtStats): Record<string, number | string> {
  return { ...s } as unknown as Record<string, number | string>;
}

/** The SRT listener as the manager sees it. */
export class SrtAdapter {
  readonly name = "srt" as const;
  readonly listener: SrtListener;
  readonly #inputs = new Set<ByteInput>();
  #untick?: () => void;

  constructor(
    readonly opener: StreamOpener,
    readonly createInput: (sink: StreamSink) => ByteInput,
    opts: { peerIdleTimeoutMs?: number | (() => number) } = {},
  ) {
    const cfg = opener.config;
    const log = opener.log;
    this.listener = new SrtListener({
      host: cfg.ingestion.bind,
      port: cfg.ingestion.srtPort,
      latencyMs: cfg.srt.latency,
      // no listener-wide passphrase: admit() sets one per connection from the running
      // config, so a reloaded srt.passphrase applies to the next caller
      library: cfg.srt.library || undefined,
      socketBufferBytes: cfg.srt.socketBuffer,
      peerIdleTimeoutMs: opts.peerIdleTimeoutMs ?? (() => opener.config.srt.peerIdleTimeout),
      readIntervalMs: () => opener.config.srt.readInterval,
      log: (level, event, fields) =>
        log[level](`srt.${event}`, fields as Record<string, string | number | boolean>),
      admit: (a) => this.admit(a),
      refused: (reason, remote, stream) => opener.refuse("srt", reason, { stream, remote }),
      open: (a, conn) => {
        const r = opener.open(
          { protocol: "srt", name: a.name, remote: a.remote, streamId: a.raw, user: a.user },
          { disconnect: (reason) => conn.close(reason) },
        );
        if (!r.ok) return undefined;
        const stream = r.value;
        // a takeover (lib/stream/takeover.ts) starts a new session: this one then keeps off
        const session = stream.sessions;
        const input = createInput(stream);
        this.#inputs.add(input);
        return {
          data: (chunk, t) => {
            stream.received(chunk.length, Math.floor(chunk.length / 188), t);
            input.push(chunk, t);
          },
          stats: (s) => stream.setTransport(transport(s)),
          closed: (reason, last) => {
            this.#inputs.delete(input);
            // replaced: its unfinished frame goes too
            const replaced = stream.sessions !== session;
            input.close(!replaced);
            if (replaced) return;
            if (last) stream.setTransport(transport(last));
            stream.close(reason);
          },
        };
      },
    });
  }

  /**
   * Admission in the listen callback, per connection from the running config (so a
   * reloaded allowlist or passphrase applies to the next caller): allowlist, the
   * manager's checks (name reserved for RTP, duplicate, max_connections,
   * max_per_source), then the stream's passphrase or `srt.passphrase`. Never throws.
   */
  admit(a: SrtAdmission): AdmitResult {
    const o = this.opener;
    const allow = o.config.srt.streams;
    const entry = Object.hasOwn(allow, a.name) ? allow[a.name] : undefined;
    const who = { stream: a.name, remote: a.remote };
    if (Object.keys(allow).length > 0 && !entry) {
      o.refuse("srt", "not_allowed", who);
      return { ok: false, status: REJECT.forbidden, reason: "not_allowed" };
    }
    const r = o.admit("srt", who); // counted there
    if (!r.ok) {
      return { ok: false, status: REJECT_STATUS[r.reason] ?? REJECT.forbidden, reason: r.reason };
    }
    const passphrase = entry?.passphrase || o.config.srt.passphrase;
    return passphrase ? { ok: true, passphrase } : { ok: true };
  }

  /** Starts listening; a failure (no libsrt, port taken) leaves SRT disabled with a reason. */
  start(): void {
    const r = this.listener.start();
    if (!r.ok) return;
    this.#untick = HOUSEKEEPING.every(250, () => {
      const now = performance.now();
      for (const i of this.#inputs) i.tick(now);
    });
  }

  health(): Record<string, unknown> {
    return { ...this.listener.health() };
  }

  async stop(): Promise<void> {
    this.#untick?.();
    this.#untick = undefined;
    await this.listener.stop();
  }
}
