/**
 * Wires RTP to the stream layer (a StreamOpener, lib/stream/ports.ts): one UDP receiver on `rtp_port` (RTP, and RTCP
 * multiplexed per RFC 5761) and one on `rtp_port + 1` (RTCP); sources demultiplexed by
 * SSRC + address become streams (named from `rtp.streams`, else `ssrc-<hex>`), each
 * with a session (sequencing, jitter buffer, SR) feeding its media input.
 */
import type { StreamOpener, StreamSink } from "../stream/ports.ts";
import { openUdpReceiver } from "../transport/udp/receiver.ts";
import { isRtcp, RtpDemux, type SourceKey } from "../transport/rtp/demux.ts";
import { PayloadMap } from "../transport/rtp/payload_map.ts";
import { buildReceiverReport } from "../transport/rtp/rtcp_report.ts";
import { parseSdp } from "../transport/rtp/sdp.ts";
import { RtpSession } from "../transport/rtp/session.ts";
import type { RtpPacket } from "../core/types.ts";
import type { RtcpPacket } from "../transport/rtp/rtcp.ts";
import { RtpInput, streamCounter } from "./rtp_input.ts";
import type { PayloadDescription } from "./rtp_depacketizers.ts";
import type { UdpReceiver } from "../transport/udp/types.ts";

/** How often jitter buffers are polled, ms (well under the smallest useful jitter_latency). */
export const POLL_MS = 5;
/** How often transport stats are published (and RRs sent), ms. */
export const STATS_MS = 1000;
/**
 * How long an RTCP datagram carrying a BYE waits before it closes its source, ms. RFC
 * 3550 6.2.1: straggler data packets may arrive after the BYE, so the entry SHOULD be
 * deleted after an appropriate delay; here the BYE also races the data still queued on
 * the other socket (ffmpeg sends its last RTP packet and SR + BYE back to back).
 */
export const BYE_GRACE_MS = 500;
/** Cap on BYE datagrams waiting out BYE_GRACE_MS; beyond it a BYE is handled at once. */
export const MAX_PENDING_BYES = 64;

/** True when an RTCP compound datagram holds a BYE (RFC 3550 6.6, PT 203). */
function hasBye(d: Uint8Array): boolean {
  for (let o = 0; o + 4 <= d.length; o += (((d[o + 2] << 8) | d[o + 3]) + 1) * 4) {
    if (d[o + 1] === 203) return true;
  }
  return false;
}

/** One source as the demux sees it. */
class Source {
  constructor(
    public key: SourceKey,
    readonly stream: StreamSink,
    readonly session: RtpSession,
  ) {}
  pushRtp(pkt: RtpPacket, nowMs: number): void {
    this.stream.received(pkt.payload.length, 1, nowMs);
    this.session.pushRtp(pkt, nowMs);
  }
  pushRtcp(p: RtcpPacket, nowMs: number): void {
    this.session.pushRtcp(p, nowMs);
  }
  changeSsrc(ssrc: number): void {
    this.session.changeSsrc(ssrc);
    this.stream.ssrc = ssrc;
  }
  restart(): void {
    this.session.restart();
  }
  flush(): void {
    this.stream.inputAt(performance.now());
    this.session.flush();
  }
}

function readSdp(path: string): ReturnType<typeof parseSdp> {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    throw new TypeError(`Cannot read SDP file ${path}: ${(e as Error).message}`);
  }
  const r = parseSdp(text);
  if (!r.ok) throw new TypeError(`Cannot parse SDP file ${path}: ${r.reason}`);
  return r;
}

/** The RTP listener as the manager sees it. */
export class RtpAdapter {
  readonly name = "rtp" as const;
  #rtp?: UdpReceiver;
  #rtcp?: UdpReceiver;
  #reason?: string;
  #timers: ReturnType<typeof setInterval>[] = [];
  #byes = new Set<ReturnType<typeof setTimeout>>();
  readonly #ourSsrc = (Math.random() * 0xffffffff) >>> 0;
  readonly demux: RtpDemux<Source>;
  #global!: PayloadMap;
  /** The `rtp` config `#global` was built from (rebuilt for new streams after a reload). */
  #globalOf?: StreamOpener["config"]["rtp"];

  constructor(readonly opener: StreamOpener) {
    this.#globalMap();
    this.demux = new RtpDemux<Source>({
      newSourcesPerSec: () => opener.config.rtp.newStreamRate, // live on reload
      probation: true, // random datagrams never become streams
      count: (reason, n = 1) => opener.portError("rtp", reason, n),
      onNewSource: (key, first) => this.#open(key, first),
      onSourceClosed: (_key, src, reason) => src.stream.close(`rtp_${reason}`),
      onSsrcChange: (_old, _key, src) => src.stream.drop("ssrc_change"),
      onSenderRestart: (old, key, src, silent) => this.#restarted(old, key, src, silent),
    });
  }

  /**
   * A sender restarted (a new SSRC or a new source port, lib/transport/rtp/demux.ts): its
   * stream continues with a new session, counted as a takeover.
   */
  #restarted(old: SourceKey, key: SourceKey, src: Source, silentMs: number): void {
    src.key = key;
    this.opener.continueSession(src.stream, {
      reason: old.remote.port !== key.remote.port ? "new_port" : "new_ssrc",
      remote: `${key.remote.hostname}:${key.remote.port}`,
      ssrc: key.ssrc,
      silentMs,
    });
  }

  /** `rtp.payload_types` and `rtp.sdp` of the running config as one map. */
  #globalMap(): PayloadMap {
    const cfg = this.opener.config.rtp;
    if (this.#globalOf === cfg) return this.#global;
    const map = new PayloadMap().addConfig(cfg.payloadTypes, "rtp.payload_types");
    for (const f of cfg.sdp) {
      const r = readSdp(f);
      if (r.ok) map.addSdp(r.value);
    }
    this.#globalOf = cfg;
    return this.#global = map;
  }

  #mapFor(ssrc: number): { map: PayloadMap; name?: string } {
    const entry = this.opener.config.rtp.streams.find((s) => s.ssrc === ssrc);
    const global = this.#globalMap();
    if (!entry) return { map: global };
    const map = global.clone();
    if (entry.sdp) {
      const r = readSdp(entry.sdp);
      if (r.ok) map.addSdp(r.value);
    }
    map.addConfig(entry.payloadTypes, `rtp.streams[${entry.name}].payload_types`);
    return { map, name: entry.name };
  }

  #open(key: SourceKey, first: RtpPacket): Source | undefined {
    const m = this.opener;
    let mapped: { map: PayloadMap; name?: string };
    try {
      mapped = this.#mapFor(key.ssrc);
    } catch (e) {
      m.log.error("rtp.stream_config", { ssrc: key.ssrc, error: (e as Error).message });
      mapped = { map: this.#global };
    }
    let name = mapped.name ?? `ssrc-${key.ssrc.toString(16).padStart(8, "0")}`;
    if (!mapped.name && m.isLive(name)) {
      // Two senders chose the same SSRC: keep both visible, told apart by source port.
      name = `${name}-${key.remote.port}`;
    }
    const ref: { src?: Source } = {};
    const r = m.open(
      {
        protocol: "rtp",
        name,
        remote: `${key.remote.hostname}:${key.remote.port}`,
        ssrc: key.ssrc,
      },
      { disconnect: () => ref.src && this.demux.remove(ref.src.key.key) },
    );
    if (!r.ok) return undefined;
    const stream = r.value;
    const lookup = (pt: number): PayloadDescription | undefined => mapped.map.lookup(pt);
    const input = new RtpInput(stream, {
      lookup,
      emitAfterLoss: m.config.rtp.emitAfterLoss,
    });
    const session = new RtpSession({
      ssrc: key.ssrc,
      clockRate: lookup(first.payloadType)?.clockRate ?? 90000,
      jitterLatencyMs: m.config.rtp.jitterLatency,
      maxJitterBytes: Math.max(m.config.ingestion.bufferSize, 64 * 1024),
      createDepacketizer: (pt, p) => input.create(pt, p),
      count: streamCounter(stream),
      minSequential: 1, // the demux's source gate ran probation and delivers in order
    });
    return ref.src = new Source(key, stream, session);
  }

  /** Binds the RTP and RTCP ports; a failure disables RTP with a reason. */
  async start(): Promise<void> {
    const m = this.opener;
    const c = m.config;
    const opts = {
      hostname: c.ingestion.bind,
      kind: c.rtp.receiver,
      socketBufferBytes: c.rtp.socketBuffer,
      log: (msg: string) => m.log.info("rtp.receiver", { msg }),
    };
    try {
      this.#rtp = await openUdpReceiver({ ...opts, port: c.ingestion.rtpPort });
      this.#rtcp = await openUdpReceiver({ ...opts, port: c.ingestion.rtpPort + 1 });
    } catch (e) {
      this.#reason = (e as Error).message;
      m.log.error("rtp.disabled", { reason: this.#reason });
      await this.#rtp?.close();
      this.#rtp = undefined;
      return;
    }
    this.#rtp.start((d, remote, t) => {
      if (isRtcp(d)) {
        const from = { ...remote };
        this.#laterIfBye(d, t, (d, t) => this.demux.onDatagram(d, from, t));
      } else this.demux.onDatagram(d, remote, t);
    });
    this.#rtcp.start((d, remote, t) => {
      const from = { ...remote }; // the receiver's object may be reused; a BYE waits
      this.#laterIfBye(d, t, (d, t) => this.demux.onRtcpDatagram(d, from, t));
    });
    this.#timers.push(setInterval(() => this.#poll(), POLL_MS));
    this.#timers.push(setInterval(() => this.#report(), STATS_MS));
    m.log.info("rtp.listening", {
      port: this.#rtp.port,
      rtcpPort: this.#rtcp.port,
      receiver: this.#rtp.kind,
      socketBufferBytes: this.#rtp.socketBufferBytes,
    });
  }

  /** Hands RTCP on now, or after BYE_GRACE_MS if it holds a BYE (copied: buffers are reused). */
  #laterIfBye(d: Uint8Array, t: number, handle: (d: Uint8Array, t: number) => void): void {
    if (!hasBye(d) || this.#byes.size >= MAX_PENDING_BYES) return handle(d, t);
    const copy = d.slice();
    const id = setTimeout(() => {
      this.#byes.delete(id);
      handle(copy, performance.now());
    }, BYE_GRACE_MS);
    this.#byes.add(id);
  }

  #poll(): void {
    const now = performance.now();
    for (const [, s] of this.demux.sources()) {
      const d = s.session.nextDeadline();
      if (d !== undefined && d <= now) {
        s.stream.inputAt(now);
        s.session.poll(now);
      }
    }
    this.demux.expire(now);
  }

  #report(): void {
    const now = performance.now();
    const sendRr = this.opener.config.rtp.sendRr;
    for (const [, s] of this.demux.sources()) {
      const st = s.session.stats();
      const sr = s.session.lastSr;
      s.stream.setTransport({
        ...st,
        cname: st.cname ?? null,
        srNtpUnixMs: sr?.ntpUnixMs ?? null,
        srRtpTimestamp: sr?.rtpTimestamp ?? null,
        srPacketCount: sr?.packetCount ?? null,
      } as Record<string, number | string | null>);
      if (sendRr && this.#rtcp) {
        const to = this.demux.rtcpRemote(s.key.key) ??
          { hostname: s.key.remote.hostname, port: s.key.remote.port + 1 };
        this.#rtcp.send(buildReceiverReport(this.#ourSsrc, [s.session.reportBlock()], now), to);
      }
    }
  }

  health(): Record<string, unknown> {
    if (!this.#rtp) return { enabled: false, reason: this.#reason ?? "not started" };
    const st = this.#rtp.stats();
    return {
      enabled: true,
      port: this.#rtp.port,
      rtcpPort: this.#rtcp?.port,
      receiver: this.#rtp.kind,
      socketBufferBytes: this.#rtp.socketBufferBytes,
      datagrams: st.datagrams,
      bytes: st.bytes,
      kernelDrops: st.kernelDrops ?? null,
      truncated: st.truncated,
      sources: this.demux.size,
    };
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    for (const t of this.#byes) clearTimeout(t);
    this.#byes.clear();
    for (const [, s] of this.demux.sources()) s.flush();
    await this.#rtp?.close();
    await this.#rtcp?.close();
  }
}
