/**
 * MPEG-TS bytes (an SRT connection's payload) to frames: TsDemuxer -> per-track frame
 * stage (Annex B assembler for codecs with Annex B rules, H.264/H.265; one PES = one frame
 * for other video, its key rule from the codec registry; one chunk = one frame for audio)
 * -> the stream. Anomalies are counted on the stream.
 */
import { AnnexBAssembler } from "../codecs/h26x/annexb_assembler.ts";
import { type PacketTap, TsDemuxer } from "../container/mpegts/demuxer.ts";
import { TS_PACKET_SIZE } from "../container/mpegts/packet.ts";
import type { AccessUnit, Counter, EsChunk, TrackInfo } from "../core/types.ts";
import type { StreamSink } from "../stream/ports.ts";
import { codecSpec } from "../codecs/registry.ts";
import type { CodecSpec } from "../codecs/spec.ts";
import { fromTsObus, isTsObuStream } from "../codecs/av1/ts_obu.ts";
import { jxesSkip } from "../codecs/jpegxs/ts_header.ts";
import type { TsTap } from "./ts_tap.ts";

/**
 * The access unit inside a PES payload: AV1 in the start-code format (lib/codecs/av1/ts_obu.ts) back
 * to OBUs, a JPEG XS jxes box (lib/codecs/jpegxs/ts_header.ts) stripped; other codecs as they are.
 */
function esPayload(codec: string, d: Uint8Array): Uint8Array | undefined {
  if (codec === "av1" && isTsObuStream(d)) return fromTsObus(d);
  if (codec === "jpegxs") return d.subarray(jxesSkip(d));
  return d;
}

/** Options of TsInput. */
export interface TsInputOptions {
  /** `ingestion.frame_timeout`, ms. */
  frameTimeoutMs: number;
  /** Where passthrough outputs read the input's own packets (ts_tap.ts). */
  tap?: TsTap;
}

/** Demuxes and assembles one connection's MPEG-TS. */
export class TsInput {
  readonly #demux: TsDemuxer;
  readonly #tracks = new Map<number, TrackInfo>();
  readonly #specs = new Map<number, CodecSpec | undefined>();
  readonly #asm = new Map<number, AnnexBAssembler>();
  /** The codec each assembler was built for (a PMT version change may keep it). */
  readonly #asmCodec = new Map<number, "h264" | "h265">();

  constructor(private sink: StreamSink, private opts: TsInputOptions) {
    const count: Counter = (reason, n = 1) => sink.count(reason, n);
    this.#demux = new TsDemuxer({
      count,
      onTrack: (info) => this.#onTrack(info, count),
      onChunk: (c) => this.#onChunk(c),
      tap: opts.tap && this.#tapOf(opts.tap),
    });
  }

  /** The demuxer's view of the passthrough tap: a packet with its track, while it listens. */
  #tapOf(tap: TsTap): PacketTap {
    return {
      get active() {
        return tap.active;
      },
      packet: (buf, off, h) =>
        tap.packet(buf.subarray(off, off + TS_PACKET_SIZE), h, this.#tracks.get(h.pid)),
    };
  }

  #onTrack(info: TrackInfo, count: Counter): void {
    this.#tracks.set(info.id, info);
    this.sink.setTrack(info);
    const spec = codecSpec(info.codec);
    this.#specs.set(info.id, spec);
    const codec = spec?.annexB?.codec;
    const old = this.#asm.get(info.id);
    if (codec === undefined) {
      old?.flush();
      this.#asm.delete(info.id);
      this.#asmCodec.delete(info.id);
      return;
    }
    if (old && this.#asmCodec.get(info.id) === codec) return;
    old?.flush();
    this.#asmCodec.set(info.id, codec);
    this.#asm.set(
      info.id,
      new AnnexBAssembler({
        codec,
        trackId: info.id,
        clockRate: 90000,
        frameTimeoutMs: this.opts.frameTimeoutMs,
        count,
        onUnit: (au) => this.#push(au),
      }),
    );
  }

  #onChunk(c: EsChunk): void {
    const info = this.#tracks.get(c.trackId);
    if (!info || !info.supported) return;
    const asm = this.#asm.get(c.trackId);
    if (asm) return asm.push(c);
    if (c.pts === undefined) return;
    const video = info.kind === "video";
    const data = esPayload(info.codec, c.data);
    if (!data) return this.sink.error("av1_ts_invalid");
    const au: AccessUnit = {
      trackId: c.trackId,
      codec: info.codec,
      kind: info.kind,
      pts: c.pts,
      dts: c.dts ?? c.pts,
      clockRate: 90000,
      key: !video || (this.#specs.get(c.trackId)?.isKeyFrame?.(data) ?? false),
      data,
      arrivalMs: c.arrivalMs,
      pcr: c.pcr ?? this.#demux.pcrNow,
    };
    this.sink.pushFrame(au);
  }

  /**
   * Hands an assembled video frame on with the program clock at its completion (the A/V
   * sync reference; other frames carry the clock at their PES's start).
   */
  #push(au: AccessUnit): void {
    au.pcr = this.#demux.pcrNow;
    this.sink.pushFrame(au);
  }

  /** PES slabs allocated fresh and reused (lib/core/slabs.ts). */
  get slabs(): { fresh: number; reused: number } {
    return this.#demux.slabs;
  }

  /** Feeds received bytes (not kept; any chunking). */
  push(bytes: Uint8Array, arrivalMs: number): void {
    this.#demux.push(bytes, arrivalMs);
    this.opts.tap?.flush(arrivalMs);
  }

  /** Frame timeouts. */
  tick(nowMs: number): void {
    this.sink.inputAt(nowMs);
    for (const a of this.#asm.values()) a.tick(nowMs);
  }

  /** End of input: emits what is pending. */
  flush(): void {
    this.sink.inputAt(performance.now());
    this.#demux.flush();
    for (const a of this.#asm.values()) a.flush();
  }

  /**
   * End of this input for good (its connection closed): emits what is pending unless
   * `emit` is false (a replaced session's unfinished frame goes), then ignores later
   * pushes; its PES slabs may serve other inputs once released (lib/core/slabs.ts).
   */
  close(emit = true): void {
    if (emit) this.flush();
    this.#demux.close();
  }
}
