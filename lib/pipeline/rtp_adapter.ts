/**
 * Wires RTP to the stream layer (a StreamOpener, lib/stream/ports.ts): one UDP receiver on `rtp_port` (RTP, and RTCP
 * multiplexed per RFC 5761) and one on `rtp_port + 1` (RTCP); sources demultiplexed by
 * SSRC + address become streams (named from `rtp.streams`, else `ssrc-<hex>`), or tracks
 * of a live stream when config, SDP or CNAME join them (lib/pipeline/rtp_join.ts), each with a
 * session (sequencing, jitter buffer, SR) feeding its media input. Sender reports go on to
 * the stream's A/V sync (lib/sync) as the `rtcp` reference of their track.
 */
import type { StreamOpener, StreamSink } from "../stream/ports.ts";
import { openUdpReceiver } from "../transport/udp/receiver.ts";
import { isRtcp, RtpDemux } from "../transport/rtp/demux.ts";
import type { SourceKey } from "../transport/rtp/source_identity.ts";
import { PayloadMap } from "../transport/rtp/payload_map.ts";
import { buildReceiverReport } from "../transport/rtp/rtcp_report.ts";
import { parseSdp, type SdpSession } from "../transport/rtp/sdp.ts";
import { RtpSession } from "../transport/rtp/session.ts";
import type { RtpPacket } from "../core/types.ts";
import type { RtcpPacket } from "../transport/rtp/rtcp.ts";
import { RtpInput, streamCounter } from "./rtp_input.ts";
import type { PayloadDescription } from "./rtp_depacketizers.ts";
import type { UdpReceiver } from "../transport/udp/types.ts";
import { JoinTable } from "./rtp_join.ts";
import { TrackSink } from "./rtp_track_sink.ts";

/** How often jitter buffers are polled, ms (well under the smallest useful jitter_latency). */
export const POLL_MS = 5;
/**
 * Poll period while there is no source, ms: only admission and RTCP bookkeeping expire
 * then. An idle 5 ms timer costs ~0.7% of a core (bench/README.md, "One SRT stream").
 */
export const IDLE_POLL_MS = 250;
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
  session!: RtpSession;
  cname?: string;
  /** Payload type of the latest RTP packet (-1 before the first). */
  #pt = -1;
  constructor(
    public key: SourceKey,
    readonly sink: TrackSink,
    readonly onCname: (s: Source) => void,
  ) {}
  get stream(): StreamSink {
    return this.sink.stream;
  }
  pushRtp(pkt: RtpPacket, nowMs: number): void {
    this.sink.received(pkt.payload.length, 1, nowMs);
    if (pkt.payloadType !== this.#pt) {
      this.#pt = pkt.payloadType;
      this.#forwardSr();
    }
    this.session.pushRtp(pkt, nowMs);
  }
  pushRtcp(p: RtcpPacket, nowMs: number): void {
    this.session.pushRtcp(p, nowMs);
    if (p.type === "sr" && p.ssrc === this.session.ssrc) this.#forwardSr();
    if (this.session.cname !== undefined && this.session.cname !== this.cname) {
      this.cname = this.session.cname;
      this.onCname(this);
    }
  }
  /** The session's latest SR to the stream's sync, as the reference of this source's track. */
  #forwardSr(): void {
    const sr = this.session.lastSr;
    if (this.#pt < 0 || !sr) return;
    this.sink.senderReport(this.#pt, { ntpUnixMs: sr.ntpUnixMs, rtpTimestamp: sr.rtpTimestamp });
  }
  changeSsrc(ssrc: number): void {
    const old = this.session.ssrc;
    this.session.changeSsrc(ssrc);
    if (this.#pt >= 0) this.sink.senderReport(this.#pt, undefined);
    const s = this.stream;
    s.ssrcs = (s.ssrcs ?? []).map((x) => (x === old ? ssrc : x));
    if (s.ssrc === old) s.ssrc = ssrc;
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
  #pollTimer?: ReturnType<typeof setInterval>;
  /** Current poll period, ms; 0 before start, -1 after stop. */
  #pollEvery = 0;
  #byes = new Set<ReturnType<typeof setTimeout>>();
  readonly #ourSsrc = (Math.random() * 0xffffffff) >>> 0;
  readonly demux: RtpDemux<Source>;
  readonly #global: PayloadMap;
  /** Parsed `rtp.sdp` files (SDP joins). */
  readonly #sdps: SdpSession[] = [];
  /** Streams and the sources feeding them. */
  readonly joins: JoinTable<Source> = new JoinTable();

  constructor(readonly opener: StreamOpener) {
    const cfg = opener.config.rtp;
    this.#global = new PayloadMap().addConfig(cfg.payloadTypes, "rtp.payload_types");
    for (const f of cfg.sdp) {
      const r = readSdp(f);
      if (r.ok) {
        this.#global.addSdp(r.value);
        this.#sdps.push(r.value);
      }
    }
    this.demux = new RtpDemux<Source>({
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

  /** Payload map, name and SDP of a configured SSRC (`rtp.streams`). */
  mapFor(
    ssrc: number,
  ): { map: PayloadMap; name?: string; sdp?: SdpSession; several?: boolean } {
    const entry = this.opener.config.rtp.streams.find((s) => (s.ssrcs ?? [s.ssrc]).includes(ssrc));
    if (!entry) return { map: this.#global };
    const map = this.#global.clone();
    let sdp: SdpSession | undefined;
    if (entry.sdp) {
      const r = readSdp(entry.sdp);
      if (r.ok) {
        map.addSdp(r.value);
        sdp = r.value;
      }
    }
    map.addConfig(entry.payloadTypes, `rtp.streams[${entry.name}].payload_types`);
    return { map, name: entry.name, sdp, several: (entry.ssrcs ?? []).length > 1 };
  }

  #open(key: SourceKey, first: RtpPacket): Source | undefined {
    const m = this.opener;
    let mapped: ReturnType<RtpAdapter["mapFor"]>;
    try {
      mapped = this.mapFor(key.ssrc);
    } catch (e) {
      m.log.error("rtp.stream_config", { ssrc: key.ssrc, error: (e as Error).message });
      mapped = { map: this.#global };
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
    const sdp = mapped.sdp ??
      this.#sdps.find((x) => x.media.some((md) => md.payloadTypes.includes(pt)));
    this.joins.open(r.value, src, sdp, pt);
    return src;
  }

  /** A source's session and media input writing into `stream`. */
  #source(key: SourceKey, first: RtpPacket, stream: StreamSink, map: PayloadMap): Source {
    const m = this.opener;
    const sink = new TrackSink(stream, (self) => {
      const ids: number[] = [];
      for (const x of this.joins.of(self.stream)?.members ?? []) {
        if (x.sink !== self) ids.push(...x.sink.ids());
      }
      return ids;
    });
    const lookup = (pt: number): PayloadDescription | undefined => map.lookup(pt);
    const input = new RtpInput(sink, { lookup, emitAfterLoss: m.config.rtp.emitAfterLoss });
    const src = new Source(key, sink, (s) => this.#onCname(s));
    src.session = new RtpSession({
      ssrc: key.ssrc,
      clockRate: lookup(first.payloadType)?.clockRate ?? 90000,
      jitterLatencyMs: m.config.rtp.jitterLatency,
      maxJitterBytes: Math.max(m.config.ingestion.bufferSize, 64 * 1024),
      createDepacketizer: (pt, p) => input.create(pt, p),
      count: streamCounter(sink),
      minSequential: 1, // the demux's source gate ran probation and delivers in order
    });
    return src;
  }

  /** A source told its CNAME: a live stream with that CNAME from its host absorbs the younger. */
  #onCname(src: Source): void {
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
        this.#laterIfBye(d, t, (d, t) => this.demux.onDatagram(d, from, t));
      } else this.demux.onDatagram(d, remote, t);
    });
    this.#rtcp.start((d, remote, t) => {
      const from = { ...remote }; // the receiver's object may be reused; a BYE waits
      this.#laterIfBye(d, t, (d, t) => this.demux.onRtcpDatagram(d, from, t));
    });
    this.#pollAt(POLL_MS);
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

  /** (Re)starts the poll timer at `ms` unless it already runs at that period or RTP stopped. */
  #pollAt(ms: number): void {
    if (this.#pollEvery === ms || this.#pollEvery < 0) return;
    clearInterval(this.#pollTimer);
    this.#pollEvery = ms;
    this.#pollTimer = setInterval(() => this.#poll(), ms);
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
    clearInterval(this.#pollTimer);
    this.#pollEvery = -1;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    for (const t of this.#byes) clearTimeout(t);
    this.#byes.clear();
    for (const [, s] of this.demux.sources()) s.flush();
    await this.#rtp?.close();
    await this.#rtcp?.close();
  }
}
