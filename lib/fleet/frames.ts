/**
 * Frames to NATS: for each stream matching `nats.frames.streams`, one consumer of the
 * stream's output queue (lib/buffer/output.ts) and one pump that publishes each access unit
 * of the selected tracks to `sluice.<box>.frames.<stream>.<track>` (captured by the box's
 * JetStream frames stream, lib/fleet/jetstream_setup.ts).
 *
 * Ingest never waits: the output queue hands frames over in O(1); the pump runs on its
 * own. Frames are dropped by whole GOPs and counted per stream and reason:
 * - `queue_overflow`: the pump fell behind by more than `nats.frames.queue` bytes (the
 *   queue drops up to its next keyframe);
 * - `link_down`: NATS unreachable; after it comes back each track resumes at its next
 *   keyframe (audio at once: every audio frame is a keyframe);
 * - `too_large`: a frame over the server's max_payload (the rest of its GOP goes too).
 *
 * Messages: the frame's bytes as received, headers (README "Fleet on NATS"): Sluice-Stream,
 * Sluice-Track, Sluice-Kind, Sluice-Codec, Sluice-Clock-Rate, Sluice-Pts, Sluice-Dts (source
 * ticks), Sluice-Pts-Ms, Sluice-Dts-Ms (output timeline, when the pipeline sets it),
 * Sluice-Key (1/0), Sluice-Gop (per-track GOP index from 0; every keyframe starts a GOP),
 * Sluice-Gop-Seq (frames stream sequence of this GOP's keyframe: start a consumer there to
 * replay the GOP). Video keyframes are published with a JetStream acknowledgement (one
 * round trip per GOP, to learn that sequence); every other frame is a plain publish, and
 * the pump waits for the server (a flush: one PING/PONG) after each `FLUSH_BYTES` and
 * whenever its queue runs empty, which bounds the bytes in flight per stream and batches
 * adaptively when the server is far away.
 */
import { headers, type MsgHdrs } from "nats";
import type { Consumer, OutputQueue } from "../buffer/output.ts";
import type { Manager } from "../stream/manager.ts";
import type { AccessUnit } from "../core/types.ts";
import type { Stream } from "../stream/stream.ts";
import { type FrameSession as Session, JS_TIMEOUT_MS } from "./jetstream_setup.ts";
import type { BoxNames } from "./names.ts";

/** The pump waits for the server after this many published bytes. */
export const FLUSH_BYTES = 1024 * 1024;
/** Room kept for headers and the protocol line within max_payload, bytes. */
const HEADER_ROOM = 512;

/** Why frames were not published. */
export type FrameDropReason = "link_down" | "queue_overflow" | "too_large";

/** Counters of one pump (or the sum of retired ones). */
export interface FrameCounts {
  frames: number;
  bytes: number;
  errors: number;
  dropped: Record<FrameDropReason, number>;
}

/** What pumps share. */
export interface PumpContext {
  names: BoxNames;
  /** The live session, or undefined while the link is not connected. */
  session: () => Session | undefined;
  tracks: "video" | "audio" | "all";
  queueBytes: number;
}

/** A frame with the output-timeline times the A/V sync stage adds (when present). */
type TimedUnit = AccessUnit & { ptsMs?: number; dtsMs?: number };

function zero(): FrameCounts {
  return {
    frames: 0,
    bytes: 0,
    errors: 0,
    dropped: { link_down: 0, queue_overflow: 0, too_large: 0 },
  };
}

/** Adds `b` into `a`. */
export function addCounts(a: FrameCounts, b: FrameCounts): void {
  a.frames += b.frames;
  a.bytes += b.bytes;
  a.errors += b.errors;
  for (const k of Object.keys(a.dropped) as FrameDropReason[]) a.dropped[k] += b.dropped[k];
}

interface TrackPub {
  subject: string;
  gop: number;
  gopSeq: number | undefined;
  needKey: boolean;
}

/** Publishes one stream's frames. */
export class FramePump {
  readonly counts: FrameCounts = zero();
  #consumer: Consumer;
  #tracks = new Map<number, TrackPub>();
  #inflight = 0;
  #done: Promise<void>;

  constructor(readonly stream: Stream, queue: OutputQueue, private ctx: PumpContext) {
    this.#consumer = queue.subscribe({
      maxBytes: ctx.queueBytes,
      maxFrames: 1 << 16,
      count: (_reason, n = 1) => this.counts.dropped.queue_overflow += n,
    });
    this.#done = this.#run();
  }

  /** Bytes queued for this pump plus bytes published but not yet confirmed by a flush. */
  get pendingBytes(): number {
    return this.#consumer.stats.queuedBytes + this.#inflight;
  }

  /** Stops the pump (its consumer leaves the queue). */
  async close(): Promise<void> {
    this.#consumer.close();
    await this.#done;
  }

  #wants(au: AccessUnit): boolean {
    return this.ctx.tracks === "all" || au.kind === this.ctx.tracks;
  }

  async #run(): Promise<void> {
    // wait for a frame, then take everything queued without a promise per frame
    for await (const first of this.#consumer) {
      for (let au: AccessUnit | undefined = first; au; au = this.#consumer.next()) {
        if (!this.#wants(au)) continue;
        try {
          const wait = this.#send(au);
          if (wait) await wait;
        } catch {
          this.counts.errors++;
        }
      }
      // queue drained: confirm the tail so pendingBytes says what is still on its way
      const s = this.ctx.session();
      if (this.#inflight > 0 && s) await this.#flush(s);
    }
  }

  #track(au: AccessUnit): TrackPub {
    let t = this.#tracks.get(au.trackId);
    if (!t) {
      const subject = this.ctx.names.frames(this.stream.id, au.trackId);
      this.#tracks.set(au.trackId, t = { subject, gop: -1, gopSeq: undefined, needKey: false });
    }
    return t;
  }

  /** Publishes one frame; returns a promise only when the pump must wait (ack or flush). */
  #send(au: TimedUnit): Promise<void> | undefined {
    const t = this.#track(au);
    if (au.key) {
      t.gop++;
      t.gopSeq = undefined;
    }
    const s = this.ctx.session();
    if (!s) {
      t.needKey = true;
      this.counts.dropped.link_down++;
      return;
    }
    if (t.needKey) {
      if (!au.key) {
        this.counts.dropped.link_down++;
        return;
      }
      t.needKey = false;
    }
    if (au.data.length + HEADER_ROOM > s.nc.info!.max_payload) {
      t.needKey = true;
      this.counts.dropped.too_large++;
      return;
    }
    const h = this.#headers(au, t);
    if (au.key && au.kind === "video") return this.#keyframe(s, t, au, h);
    s.nc.publish(t.subject, au.data, { headers: h });
    this.#published(au);
    this.#inflight += au.data.length;
    if (this.#inflight >= FLUSH_BYTES) return this.#flush(s);
  }

  #published(au: AccessUnit): void {
    this.counts.frames++;
    this.counts.bytes += au.data.length;
  }

  async #keyframe(s: Session, t: TrackPub, au: AccessUnit, h: MsgHdrs): Promise<void> {
    try {
      const ack = await s.js.publish(t.subject, au.data, { headers: h, timeout: JS_TIMEOUT_MS });
      t.gopSeq = ack.seq;
      this.#published(au);
    } catch {
      this.counts.errors++; // it may still have been stored: no drop counted
    }
    this.#inflight = 0; // the acknowledgement came after everything published before it
  }

  async #flush(s: Session): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        s.nc.flush(),
        new Promise((_, reject) =>
          timer = setTimeout(() => reject(new Error("flush timeout")), JS_TIMEOUT_MS)
        ),
      ]);
    } catch {
      this.counts.errors++;
    } finally {
      clearTimeout(timer);
      this.#inflight = 0;
    }
  }

  #headers(au: TimedUnit, t: TrackPub): MsgHdrs {
    const h = headers();
    h.set("Sluice-Stream", this.stream.id);
    h.set("Sluice-Track", String(au.trackId));
    h.set("Sluice-Kind", au.kind);
    h.set("Sluice-Codec", au.codec);
    h.set("Sluice-Clock-Rate", String(au.clockRate));
    h.set("Sluice-Pts", String(au.pts));
    h.set("Sluice-Dts", String(au.dts));
    if (au.ptsMs !== undefined) h.set("Sluice-Pts-Ms", String(au.ptsMs));
    if (au.dtsMs !== undefined) h.set("Sluice-Dts-Ms", String(au.dtsMs));
    h.set("Sluice-Key", au.key ? "1" : "0");
    h.set("Sluice-Gop", String(Math.max(0, t.gop)));
    if (t.gopSeq !== undefined) h.set("Sluice-Gop-Seq", String(t.gopSeq));
    return h;
  }
}

/** One pump per matching stream; retired pumps' counts are kept in `retired`. */
export class FramePublisher {
  readonly pumps: Map<string, FramePump> = new Map();
  readonly retired: FrameCounts = zero();

  constructor(
    private manager: Manager,
    private ctx: PumpContext,
    private match: (id: string) => boolean,
  ) {}

  /** Starts publishing a stream's frames when it matches and has an output queue. */
  attach(id: string): void {
    if (!this.match(id)) return;
    const s = this.manager.get(id);
    const queue = (s?.frameSink as { output?: OutputQueue } | undefined)?.output;
    if (!s || !queue) return;
    const old = this.pumps.get(id);
    if (old?.stream === s) return;
    if (old) this.#retire(id, old);
    this.pumps.set(id, new FramePump(s, queue, this.ctx));
  }

  /** Pumps of streams that left the manager are retired. */
  sweep(): void {
    for (const [id, p] of this.pumps) if (this.manager.get(id) !== p.stream) this.#retire(id, p);
  }

  #retire(id: string, p: FramePump): void {
    this.pumps.delete(id);
    addCounts(this.retired, p.counts);
    void p.close();
  }

  /** Totals over live and retired pumps. */
  totals(): FrameCounts {
    const t = zero();
    addCounts(t, this.retired);
    for (const p of this.pumps.values()) addCounts(t, p.counts);
    return t;
  }

  /** Bytes waiting in every pump. */
  get pendingBytes(): number {
    let n = 0;
    for (const p of this.pumps.values()) n += p.pendingBytes;
    return n;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pumps.values()].map((p) => p.close()));
  }
}
