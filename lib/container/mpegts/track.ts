/**
 * One elementary stream of a demuxed program: PES reassembly (ISO/IEC 13818-1 2.4.3.6),
 * PTS/DTS unwrapping, and cutting PES payloads into EsChunks: one per PES for video,
 * one per audio frame for AAC ADTS (ISO/IEC 14496-3 1.A.3.2), AAC LOAS (1.7.2) and
 * Opus (opus_control_header), one per PES for other audio.
 */
import { adtsAudioParams, MAX_ADTS_FRAME_BYTES, splitAdts } from "../../codecs/aac/adts.ts";
import {
  type LatmConfig,
  MAX_LOAS_FRAME_BYTES,
  parseLatmConfig,
  splitLoas,
} from "../../codecs/aac/loas.ts";
import { Unwrapper } from "../../core/bits.ts";
import { SlabPool } from "../../core/slabs.ts";
import type { AudioParams, Counter, EsChunk, TrackInfo } from "../../core/types.ts";
import { MAX_OPUS_AU_BYTES, opusPacketSamples, splitOpusTs } from "./opus_ts.ts";
import { parsePesHeader, PES_SLAB_BYTES, PES_SLAB_SMALL_BYTES, PesBuffer } from "./pes.ts";
import type { StreamClass } from "./stream_types.ts";
import type { DataReason } from "../../core/reasons/catalogue.ts";

/** Callbacks and limits a track reports through. */
export interface TrackSink {
  onTrack(info: TrackInfo): void;
  onChunk(chunk: EsChunk): void;
  count: Counter;
  maxPesBytes: number;
  /** The program clock now (TsDemuxer.pcrNow), stamped on a PES's chunks at its start. */
  clock?(): number | undefined;
}

interface Frames {
  frames: Uint8Array[];
  samples: number[];
  rate: number;
  rest: number;
  resyncs: number;
}

/** Reassembly and chunking state of one PID. */
export class TsTrack {
  /** Last continuity_counter seen on a payload packet, -1 before the first. */
  cc = -1;
  readonly info: TrackInfo;
  /** The pool this track's PES slabs come from (H.264/H.265 video), for statistics. */
  readonly slabs: SlabPool | undefined;
  #pes: PesBuffer;
  #collecting = false;
  /** After a drop: ignore continuation packets until the next unit start. */
  #skipping = true;
  #rai = false;
  #arrivalMs = 0;
  #startPcr: number | undefined;
  #ts = new Unwrapper(33);
  #carry: Uint8Array | undefined;
  #carryPts: number | undefined;
  #latm: LatmConfig | undefined;
  #params = "";

  constructor(
    readonly pid: number,
    readonly cls: StreamClass,
    streamType: number,
    private readonly sink: TrackSink,
  ) {
    this.info = {
      id: pid,
      kind: cls.kind,
      codec: cls.codec,
      codecSource: cls.codecSource,
      clockRate: 90000,
      streamType,
      supported: cls.supported,
    };
    const video = cls.kind === "video";
    // H.264/H.265 frames are views of their PES slab until the GOP buffer drops them, and
    // nothing else keeps them unpinned (lib/core/slabs.ts): their slabs are reused
    this.slabs = video && (cls.codec === "h264" || cls.codec === "h265")
      ? new SlabPool(PES_SLAB_BYTES)
      : undefined;
    this.#pes = new PesBuffer(
      sink.maxPesBytes,
      video ? PES_SLAB_BYTES : PES_SLAB_SMALL_BYTES,
      this.slabs,
    );
  }

  /** Bytes held (PES under reassembly + audio carry). */
  get bufferedBytes(): number {
    return this.#pes.buf.length + (this.#carry?.length ?? 0);
  }

  /** One TS packet payload of this PID: `data[start, end)` (default: all of it). */
  payload(
    data: Uint8Array,
    pusi: boolean,
    rai: boolean,
    arrivalMs: number,
    start = 0,
    end: number = data.length,
  ): void {
    if (!pusi) return this.continued(data.subarray(start, end), arrivalMs);
    if (this.#collecting) this.#finish(true);
    this.#collecting = true;
    this.#skipping = false;
    this.#rai = rai;
    this.#arrivalMs = arrivalMs;
    this.#startPcr = this.sink.clock?.();
    if (!this.#pes.start(data, start, end, rai)) return this.#drop("pes_oversize");
    if (this.#pes.complete) this.#finish(false);
  }

  /**
   * A continuation payload (no unit start) as a view of exactly its bytes (the demuxer's
   * cached payload views, lib/container/mpegts/payload_views.ts, or `payload`'s own).
   */
  continued(payload: Uint8Array, arrivalMs: number): void {
    if (!this.#collecting) {
      if (!this.#skipping) this.sink.count("pes_excess");
      return;
    }
    this.#arrivalMs = arrivalMs;
    if (!this.#pes.appendView(payload)) return this.#drop("pes_oversize");
    if (this.#pes.complete) this.#finish(false);
  }

  /** Packets were lost (continuity error): the PES being collected is dropped. */
  lost(): void {
    if (this.#collecting) this.#drop("pes_dropped");
    this.#skipping = true;
    this.#carry = undefined;
  }

  /** End of input or track removal: emits a pending (unbounded) PES. */
  flush(): void {
    if (this.#collecting) this.#finish(true);
    this.#carry = undefined;
  }

  /**
   * This track's input is over for good (connection closed, track removed; flush() first
   * to emit what is pending): its PES slabs may serve other tracks once released
   * (lib/core/slabs.ts).
   */
  close(): void {
    this.slabs?.close();
  }

  #drop(reason: DataReason): void {
    this.sink.count(reason);
    this.#pes.clear();
    this.#collecting = false;
    this.#skipping = true;
  }

  #finish(early: boolean): void {
    const pes = this.#pes;
    if (early && pes.total > 0 && pes.len < pes.total) this.sink.count("pes_length_mismatch");
    this.#collecting = false;
    const bytes = pes.take();
    const h = parsePesHeader(bytes);
    if (!h.ok) return this.sink.count(h.reason);
    let pts: number | undefined;
    let dts: number | undefined;
    if (h.value.pts === undefined) {
      this.sink.count("pes_no_pts");
    } else {
      dts = this.#ts.unwrap(h.value.dts ?? h.value.pts);
      pts = this.#ts.unwrap(h.value.pts);
    }
    const data = bytes.subarray(h.value.payloadOffset);
    switch (this.cls.framing) {
      case "pes":
        return this.#emit(data, pts, dts, this.cls.kind === "video" ? this.#rai : true);
      case "adts":
        return this.#frames(data, pts, "adts_invalid", MAX_ADTS_FRAME_BYTES, (d) => {
          const s = splitAdts(d);
          const first = s.frames[0]?.header;
          if (first) this.#announce(adtsAudioParams(first));
          return {
            frames: s.frames.map((f) => f.data),
            samples: s.frames.map((f) => f.header.samples),
            rate: first?.sampleRate ?? 48000,
            rest: s.rest,
            resyncs: s.resyncs,
          };
        });
      case "loas":
        return this.#frames(data, pts, "loas_invalid", MAX_LOAS_FRAME_BYTES, (d) => {
          const s = splitLoas(d);
          for (const f of s.frames) {
            const c = parseLatmConfig(f);
            if (c.ok) {
              this.#latm = c.value;
              this.#announce(c.value);
            }
          }
          const n = (this.#latm?.subFrames ?? 1) * (this.#latm?.frameSamples ?? 1024);
          return { ...s, samples: s.frames.map(() => n), rate: this.#latm?.sampleRate ?? 48000 };
        });
      case "opus":
        return this.#frames(data, pts, "opus_invalid", MAX_OPUS_AU_BYTES, (d) => {
          const s = splitOpusTs(d);
          // TOC stereo flag (RFC 6716 3.1); Opus always decodes at 48 kHz.
          if (s.frames[0]) {
            this.#announce({ sampleRate: 48000, channels: s.frames[0][0] & 4 ? 2 : 1 });
          }
          return { ...s, samples: s.frames.map(opusPacketSamples), rate: 48000 };
        });
    }
  }

  /** Emits audio frames with per-frame pts; joins a frame split across PES packets. */
  #frames(
    payload: Uint8Array,
    pts: number | undefined,
    reason: DataReason,
    maxFrame: number,
    split: (d: Uint8Array) => Frames,
  ): void {
    const carry = this.#carry;
    let d = payload;
    if (carry) {
      d = new Uint8Array(carry.length + payload.length);
      d.set(carry);
      d.set(payload, carry.length);
    }
    const carried = carry?.length ?? 0;
    const s = split(d);
    if (s.resyncs) this.sink.count(reason, s.resyncs);
    let cum = 0;
    for (let i = 0; i < s.frames.length; i++) {
      const f = s.frames[i];
      const inCarry = f.byteOffset - d.byteOffset < carried;
      const base = inCarry ? this.#carryPts : pts;
      const t = base === undefined
        ? undefined
        : base + (inCarry ? 0 : Math.round(cum * 90000 / s.rate));
      if (!inCarry) cum += s.samples[i];
      this.#emit(f, t, t, true);
    }
    this.#carry = undefined;
    if (s.rest < d.length) {
      if (d.length - s.rest > maxFrame) return this.sink.count(reason);
      const restInCarry = s.rest < carried;
      this.#carry = d.slice(s.rest);
      if (!restInCarry) {
        this.#carryPts = pts === undefined ? undefined : pts + Math.round(cum * 90000 / s.rate);
      }
    }
  }

  #announce(p: AudioParams): void {
    const key = `${p.sampleRate}/${p.channels}/${p.profile}`;
    if (key === this.#params) return;
    this.#params = key;
    this.info.sampleRate = p.sampleRate;
    this.info.channels = p.channels;
    if (p.profile) this.info.profile = p.profile;
    this.sink.onTrack({ ...this.info });
  }

  #emit(data: Uint8Array, pts: number | undefined, dts: number | undefined, ra: boolean): void {
    this.sink.onChunk({
      trackId: this.pid,
      data,
      pts,
      dts,
      randomAccess: ra,
      unitStart: true,
      arrivalMs: this.#arrivalMs,
      pcr: this.#startPcr,
    });
  }
}
