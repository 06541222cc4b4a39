/**
 * Wires RTP to the stream layer (a StreamOpener, lib/stream/ports.ts): one UDP receiver on
 * `rtp_port` (RTP, and RTCP multiplexed per RFC 5761) and one on `rtp_port + 1` (RTCP, a
 * BYE after a grace: rtp_bye.ts); sources demultiplexed by SSRC + address become streams
 * (named from `rtp.streams`, else `ssrc-<hex>`; payload types from rtp_payloads.ts), or
 * tracks of a live stream when config, SDP or CNAME join them (lib/pipeline/rtp_join.ts),
 * each a source (rtp_source.ts: session, jitter buffer, SR to the stream's A/V sync)
 * feeding its media input. Here: the streams' lifecycle (open, join, restart, close), the
 * poll and stats timers and the receiver reports.
 */
import type { StreamOpener, StreamSink } from "../stream/ports.ts";
import { openUdpReceiver } from "../transport/udp/receiver.ts";
import { isRtcp, RtpDemux } from "../transport/rtp/demux.ts";
import type { SourceKey } from "../transport/rtp/source_identity.ts";
import type { PayloadMap } from "../transport/rtp/payload_map.ts";
import { buildReceiverReport } from "../transport/rtp/rtcp_report.ts";
import type { RtpPacket } from "../core/types.ts";
import type { UdpReceiver } from "../transport/udp/types.ts";
import { ByeGrace } from "./rtp_bye.ts";
import { JoinTable } from "./rtp_join.ts";
import { type MappedSource, RtpPayloads } from "./rtp_payloads.ts";
import { openRtpSource, type RtpSource } from "./rtp_source.ts";
import { HOUSEKEEPING } from "../core/ticker.ts";

/** How often jitter buffers are polled, ms (well under the smallest useful jitter_latency). */
export const POLL_MS = 5;
/**
 * Poll period while there is no source, ms: only admission and RTCP bookkeeping expire
 * then. An idle 5 ms timer costs ~0.7% of a core (bench/README.md, "One SRT stream").
 */
export const IDLE_POLL_MS = 250;
/** How often transport stats are published (and RRs sent), ms. */
export const STATS_MS = 1000;

/** The RTP listener as the manager sees it. */
export class RtpAdapter {
  readonly name = "rtp" as const;
  #rtp?: UdpReceiver;
  #rtcp?: UdpReceiver;
  #reason?: string;
  #untick?: () => void;
  /** Stops the current poll on the process clock (POLL_MS, or IDLE_POLL_MS when idle). */
  #unpoll?: () => void;
  /** Current poll period, ms; 0 before start, -1 after stop. */
  #pollEvery = 0;
  #byes = new ByeGrace();
  readonly #ourSsrc = (Math.random() * 0xffffffff) >>> 0;
  readonly demux: RtpDemux<RtpSource>;
  readonly #payloads: RtpPayloads;
  /** Streams and the sources feeding them. */
  readonly joins: JoinTable<RtpSource> = new JoinTable();

  constructor(readonly opener: StreamOpener) {
    this.#payloads = new RtpPayloads(opener.config.rtp);
    this.demux = new RtpDemux<RtpSource>({
      newSourcesPerSec: () => opener.config.rtp.newStreamRate, // live on reload
      probation: true, // random datagrams never become streams
      count: (reason, n = 1) => opener.portError("rtp", reason, n),
      onNewSource: (key, first) => this.#open(key, first),
      onSourceClosed: (_key, src, reason) => {
        // a stream closes with its last source; a joined source leaves its track behind
        if (this.joins.leave(src).last) src.stream.close(`rtp_${reason}`);
      },
      onSsrcChange: (_old, _key, src) => src.stream.drop("ssrc_change"),
      onSenderRestart: (old, key, src, silent) => this.#restarted(old, key, src, silent),
    });
  }

  /**
   * A sender restarted (a new SSRC or a new source port,
   * lib/transport/rtp/source_identity.ts): its stream continues with a new session,
   * counted as a takeover.
   */
  #restarted(old: SourceKey, key: SourceKey, src: RtpSource, silentMs: number): void {
    src.key = key;
    this.opener.continueSession(src.stream, {
      reason: old.remote.port !== key.remote.port ? "new_port" : "new_ssrc",
      remote: `${key.remote.hostname}:${key.remote.port}`,
      ssrc: key.ssrc,
      silentMs,
    });
  }

  #open(key: SourceKey, first: RtpPacket): RtpSource | undefined {
    const m = this.opener;
    let mapped: MappedSource;
    try {
      mapped = this.#payloads.mapFor(key.ssrc, m.config.rtp.streams);
    } catch (e) {
      m.log.error("rtp.stream_config", { ssrc: key.ssrc, error: (e as Error).message });
      mapped = { map: this.#payloads.global };
    }
    const pt = first.payloadType;
    // Joined as tracks of a live stream: by config name, else by a multi-m= SDP.
    const named = mapped.name && mapped.several ? this.joins.byName(mapped.name) : undefined;
    const group = named && !named.members.some((x) => x.key.ssrc === key.ssrc)
      ? named
      : this.joins.bySdp(key.remote.hostname, pt);
    if (group) {
      const by = group === named ? "config" : "sdp";
      const src = this.#source(key, first, group.stream, mapped.map);
      this.joins.join(group, src, pt);
      m.log.info("rtp.joined", { stream: group.stream.id, ssrc: key.ssrc, by });
      return src;
    }
    let name = mapped.name ?? `ssrc-${key.ssrc.toString(16).padStart(8, "0")}`;
    if (!mapped.name && m.isLive(name)) {
      // Two senders chose the same SSRC: keep both visible, told apart by source port.
      name = `${name}-${key.remote.port}`;
    }
    const ref: { stream?: StreamSink } = {};
    const r = m.open(
      {
        protocol: "rtp",
        name,
        remote: `${key.remote.hostname}:${key.remote.port}`,
        ssrc: key.ssrc,
      },
      {
        disconnect: () => {
          const g = ref.stream && this.joins.of(ref.stream);
          for (const x of [...(g?.members ?? [])]) this.demux.remove(x.key.key);
        },
      },
    );
    if (!r.ok) return undefined;
    this.#pollAt(POLL_MS);
    ref.stream = r.value;
    const src = this.#source(key, first, r.value, mapped.map);
    const sdp = mapped.sdp ?? this.#payloads.sdpFor(pt);
    this.joins.open(r.value, src, sdp, pt);
    return src;
  }

  /** A source's session and media input writing into `stream` (rtp_source.ts). */
  #source(key: SourceKey, first: RtpPacket, stream: StreamSink, map: PayloadMap): RtpSource {
    const c = this.opener.config;
    return openRtpSource(key, first, stream, map, {
      emitAfterLoss: c.rtp.emitAfterLoss,
      jitterLatencyMs: c.rtp.jitterLatency,
      maxJitterBytes: Math.max(c.ingestion.bufferSize, 64 * 1024),
      others: (self) => {
        const ids: number[] = [];
        for (const x of this.joins.of(self.stream)?.members ?? []) {
          if (x.sink !== self) ids.push(...x.sink.ids());
        }
        return ids;
      },
      onCname: (s) => this.#onCname(s),
    });
  }

  /** A source told its CNAME: a live stream with that CNAME from its host absorbs the younger. */
  #onCname(src: RtpSource): void {
    const other = this.joins.byCname(src);
    const mine = this.joins.of(src.stream);
    if (!other || !mine || other === mine) return;
    const [from, into] = mine.order > other.order ? [mine, other] : [other, mine];
    const closed = from.stream;
    const ssrcs = from.members.map((x) => x.key.ssrc);
    this.joins.merge(from, into);
    // the bus carries it as stream.closed with reason "joined"
    closed.close("joined");
    this.opener.log.info("rtp.joined", {
      stream: closed.id,
      into: into.stream.id,
      ssrcs: ssrcs.join(","),
      by: "cname",
      cname: src.cname ?? "",
    });
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
        this.#byes.later(d, t, (d, t) => this.demux.onDatagram(d, from, t));
      } else this.demux.onDatagram(d, remote, t);
    });
    this.#rtcp.start((d, remote, t) => {
      const from = { ...remote }; // the receiver's object may be reused; a BYE waits
      this.#byes.later(d, t, (d, t) => this.demux.onRtcpDatagram(d, from, t));
    });
    this.#pollAt(POLL_MS);
    this.#untick = HOUSEKEEPING.every(STATS_MS, () => this.#report());
    m.log.info("rtp.listening", {
      port: this.#rtp.port,
      rtcpPort: this.#rtcp.port,
      receiver: this.#rtp.kind,
      socketBufferBytes: this.#rtp.socketBufferBytes,
    });
  }

  /** (Re)starts the poll timer at `ms` unless it already runs at that period or RTP stopped. */
  #pollAt(ms: number): void {
    if (this.#pollEvery === ms || this.#pollEvery < 0) return;
    this.#unpoll?.();
    this.#pollEvery = ms;
    this.#unpoll = HOUSEKEEPING.every(ms, () => this.#poll());
  }

  #poll(): void {
    if (this.demux.size === 0) this.#pollAt(IDLE_POLL_MS);
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
      // a stream fed by several sources shows its first source's transport
      if (this.joins.of(s.stream)?.members[0] === s) {
        s.stream.setTransport({
          ...st,
          cname: st.cname ?? null,
          srNtpUnixMs: sr?.ntpUnixMs ?? null,
          srRtpTimestamp: sr?.rtpTimestamp ?? null,
          srPacketCount: sr?.packetCount ?? null,
        } as Record<string, number | string | null>);
      }
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
    this.#unpoll?.();
    this.#unpoll = undefined;
    this.#pollEvery = -1;
    this.#untick?.();
    this.#untick = undefined;
    this.#byes.clear();
    for (const [, s] of this.demux.sources()) s.flush();
    await this.#rtp?.close();
    await this.#rtcp?.close();
  }
}
