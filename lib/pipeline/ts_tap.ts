/**
 * The passthrough tap of an MPEG-TS input: the input's own transport packets, whole and
 * untouched (SCTE-35, subtitles and data PIDs included; packets with transport errors or
 * a broken adaptation field left out), published as chunks into an OutputQueue so
 * passthrough outputs get the same GOP-aware dropping as remuxed ones. A chunk is a
 * resync point ("key") when a video keyframe starts in it: PUSI on a video PID with
 * random_access_indicator, or an IDR/IRAP or SPS NAL unit (H.264/H.265), or any JPEG XS
 * picture. The chunk is cut there, and the PSI/SI packets right before the keyframe go
 * with it, so a consumer that starts at a keyframe also gets the PAT/PMT in front of it.
 * Nothing is copied while no consumer is subscribed.
 */
import { OutputQueue } from "../buffer/output.ts";
import type { AccessUnit, TrackInfo } from "../core/types.ts";
import { TS_PACKET_SIZE, type TsHeader } from "../container/mpegts/packet.ts";

/** True when the PES payload start in this packet begins a keyframe (see module doc). */
function startsKey(pkt: Uint8Array, h: TsHeader, info: TrackInfo): boolean {
  if (h.randomAccess || info.codec === "jpegxs") return true;
  const p = h.payloadStart;
  if (info.codec !== "h264" && info.codec !== "h265") return false;
  if (p + 9 > TS_PACKET_SIZE || pkt[p] !== 0 || pkt[p + 1] !== 0 || pkt[p + 2] !== 1) return false;
  for (let i = p + 9 + pkt[p + 8]; i + 3 < TS_PACKET_SIZE; i++) {
    if (pkt[i] !== 0 || pkt[i + 1] !== 0 || pkt[i + 2] !== 1) continue;
    const b = pkt[i + 3];
    if (info.codec === "h264") {
      const t = b & 0x1f;
      if (t === 5 || t === 7) return true;
      if (t >= 1 && t <= 4) return false;
    } else {
      const t = (b >> 1) & 0x3f;
      if ((t >= 16 && t <= 21) || t === 32 || t === 33) return true;
      if (t < 16) return false;
    }
  }
  return false;
}

/** Collects one push's packets and publishes them as chunks. */
export class TsTap {
  readonly queue: OutputQueue = new OutputQueue();
  #buf = new Uint8Array(64 * TS_PACKET_SIZE);
  #len = 0;
  /** Offset of the first keyframe packet collected in this push (-1 = none). */
  #cut = -1;
  /** Offset where the run of non-ES packets before the current packet began. */
  #psiRun = 0;
  #video = false;

  /** True while some consumer listens (the demuxer skips the tap otherwise). */
  get active(): boolean {
    return this.queue.consumers > 0;
  }

  /** One whole packet (a view valid during the call); `info` is its PID's track, if any. */
  packet(pkt: Uint8Array, h: TsHeader, info: TrackInfo | undefined): void {
    if (this.#len + TS_PACKET_SIZE > this.#buf.length) {
      const b = new Uint8Array(this.#buf.length * 2);
      b.set(this.#buf.subarray(0, this.#len));
      this.#buf = b;
    }
    if (!info) {
      if (this.#psiRun < 0) this.#psiRun = this.#len;
    } else {
      if (info.kind === "video") {
        this.#video = true;
        if (h.pusi && this.#cut < 0 && startsKey(pkt, h, info)) {
          this.#cut = this.#psiRun >= 0 ? this.#psiRun : this.#len;
        }
      }
      this.#psiRun = -1;
    }
    this.#buf.set(pkt, this.#len);
    this.#len += TS_PACKET_SIZE;
  }

  /** Publishes what this push collected (split at a keyframe start). */
  flush(arrivalMs: number): void {
    const n = this.#len, cut = this.#cut;
    this.#len = 0;
    this.#cut = -1;
    this.#psiRun = 0;
    if (n === 0 || !this.active) return;
    if (cut > 0) this.#publish(this.#buf.slice(0, cut), false, arrivalMs);
    this.#publish(this.#buf.slice(Math.max(0, cut), n), cut >= 0 || !this.#video, arrivalMs);
  }

  #publish(data: Uint8Array, key: boolean, arrivalMs: number): void {
    const au: AccessUnit = {
      trackId: -1,
      codec: "unknown",
      kind: "video",
      pts: 0,
      dts: 0,
      clockRate: 90000,
      key,
      data,
      arrivalMs,
    };
    this.queue.publish(au);
  }
}
