/**
 * MPEG-TS muxer (ISO/IEC 13818-1): access units in, 188-byte transport packets out, one
 * program (number 1, PMT on PID 0x1000, elementary streams from PID 0x100 in order of
 * appearance). Codec rules live in mux_codecs.ts, packet writing in ts_writer.ts.
 *
 * - PAT/PMT before the first packet, before every video keyframe and at least every
 *   100 ms of stream time; the PMT version goes up when the track set or a track's
 *   carriage changes.
 * - PES with PTS (and DTS when it differs) in 90 kHz: the access unit's `ptsMs`/`dtsMs`
 *   when present (the stream's output timeline, lib/sync; plus the PCR lead, so the first
 *   PCR is 0), else its unwrapped source timestamps
 *   converted to 90 kHz. With `alignTracks` (sources whose tracks have unrelated clocks,
 *   RTP without sender reports) each track is placed on the first track's clock by the
 *   arrival time of its first access unit.
 * - PCR on the PCR PID (first video track, else the first track): in the first packet of
 *   each of its PES, `pcrDelayMs` behind the DTS, never going back, and in PCR-only
 *   packets so that consecutive PCRs are at most 40 ms apart (TR 101 290 1.1).
 * - Continuity counters per PID, adaptation-field stuffing, random_access_indicator on
 *   keyframes.
 */
import type { AccessUnit, Counter, TrackInfo } from "../../core/types.ts";
import { type Carriage, carriage, EsPreparer, muxable, type ParamSets } from "./mux_codecs.ts";
import { PAT_PID } from "./packet.ts";
import { crc32Mpeg } from "./psi.ts";
import { pesHeader, TsWriter } from "./ts_writer.ts";

/** PID of the PMT. */
export const PMT_PID = 0x1000;
/** First elementary PID. */
export const FIRST_ES_PID = 0x100;
/** Most elementary streams in one program (the PMT stays in one packet). */
export const MAX_MUX_TRACKS = 8;
/** PSI repetition, 90 kHz ticks (100 ms). */
const PSI_EVERY = 9000;
/** Longest PCR gap, 90 kHz ticks (40 ms). */
const PCR_EVERY = 3600;
/** A jump beyond this many PCR gaps is a discontinuity, not filled with PCR packets. */
const PCR_FILL_MAX = 50;

/** Default PCR lead before DTS, ms. */
export const DEFAULT_PCR_DELAY_MS = 500;

/** Options of TsMuxer. */
export interface TsMuxerOptions {
  /** Place each track on the first track's clock by first arrival (see module doc). */
  alignTracks?: boolean;
  /** Out-of-band parameter sets of a video track (SDP sprop), as the stream keeps them. */
  paramSets?: (trackId: number) => ParamSets | undefined;
  /** Counts access units that could not be muxed ("mux_unsupported_codec" ...). */
  count?: Counter;
  /** PCR lead before DTS, ms (default 500). */
  pcrDelayMs?: number;
}

interface Track {
  trackId: number;
  pid: number;
  info: TrackInfo;
  carriage: Carriage;
  prep: EsPreparer;
  streamId: number;
  refined: boolean;
  offset?: number;
}

/** A time-stamped view of access units the A/V sync stage may add (ms on the output timeline). */
type Timed = AccessUnit & { ptsMs?: number; dtsMs?: number };

/** The muxer: one instance per output (continuity counters are per output). */
export class TsMuxer {
  readonly #w = new TsWriter();
  readonly #tracks = new Map<number, Track>();
  #list: Track[] = [];
  #pmtVersion = -1;
  #psiDirty = true;
  #lastPsi = -Infinity;
  #lastPcr: number | undefined;
  #pcrPid = -1;
  #firstArrival: number | undefined;
  #firstDts: number | undefined;
  readonly #delay: number;
  /** Packets written. */
  packets = 0;

  constructor(private readonly o: TsMuxerOptions = {}) {
    this.#delay = Math.round((o.pcrDelayMs ?? DEFAULT_PCR_DELAY_MS) * 90);
  }

  /** PMT version in use (-1 before the first PMT). */
  get pmtVersion(): number {
    return this.#pmtVersion;
  }

  /** Tracks in the PMT: track id, PID, codec, stream_type. */
  get tracks(): { trackId: number; pid: number; codec: string; streamType: number }[] {
    return this.#list.map((t) => ({
      trackId: t.trackId,
      pid: t.pid,
      codec: t.info.codec,
      streamType: t.carriage.streamType,
    }));
  }

  /** Declares tracks known before their first access unit (one PMT version for all). */
  declare(infos: Iterable<TrackInfo>): void {
    for (const i of infos) if (i.supported) this.#track(i, undefined);
  }

  #track(info: TrackInfo, au: AccessUnit | undefined): Track | undefined {
    const old = this.#tracks.get(info.id);
    if (old && old.info.codec === info.codec) {
      if (old.refined || !au) return old;
      old.refined = true;
      const c = carriage(old.info, au);
      if (c && !same(c, old.carriage)) this.#setCarriage(old, c);
      return old;
    }
    if (!muxable(info.codec)) return undefined;
    const c = carriage(info, au);
    if (!c) return undefined;
    if (!old && this.#list.length >= MAX_MUX_TRACKS) return undefined;
    const pid = old?.pid ?? FIRST_ES_PID + this.#list.length;
    const t: Track = {
      trackId: info.id,
      pid,
      info,
      carriage: c,
      prep: new EsPreparer(info, c.streamType, () => this.o.paramSets?.(info.id)),
      streamId: c.streamId,
      refined: au !== undefined,
    };
    this.#tracks.set(info.id, t);
    this.#list = old ? this.#list.map((x) => (x === old ? t : x)) : [...this.#list, t];
    this.#psiDirty = true;
    this.#pmtVersion = (this.#pmtVersion + 1) & 31;
    return t;
  }

  #setCarriage(t: Track, c: Carriage): void {
    t.carriage = c;
    t.prep = new EsPreparer(t.info, c.streamType, () => this.o.paramSets?.(t.trackId));
    this.#psiDirty = true;
    this.#pmtVersion = (this.#pmtVersion + 1) & 31;
  }

  /** 90 kHz PTS/DTS of an access unit on the output timeline. */
  #times(au: Timed, t: Track): [number, number] {
    if (typeof au.dtsMs === "number" && typeof au.ptsMs === "number") {
      // the timeline starts near 0: moved by the PCR lead so the first PCR is 0, not negative
      return [Math.round(au.ptsMs * 90) + this.#delay, Math.round(au.dtsMs * 90) + this.#delay];
    }
    const k = 90000 / au.clockRate;
    let pts = Math.round(au.pts * k);
    let dts = Math.round(au.dts * k);
    if (this.o.alignTracks) {
      if (this.#firstArrival === undefined) {
        this.#firstArrival = au.arrivalMs;
        this.#firstDts = dts;
      }
      t.offset ??= this.#firstDts! + Math.round((au.arrivalMs - this.#firstArrival) * 90) - dts;
      pts += t.offset;
      dts += t.offset;
    }
    return [pts, dts];
  }

  /**
   * Muxes one access unit; returns its transport packets (with any PSI and PCR packets
   * due), possibly none for a codec without a TS mapping.
   */
  mux(au: AccessUnit, info?: TrackInfo): Uint8Array {
    const t = this.#track(
      info ?? this.#tracks.get(au.trackId)?.info ??
        {
          id: au.trackId,
          kind: au.kind,
          codec: au.codec,
          clockRate: au.clockRate,
          supported: true,
        },
      au,
    );
    if (!t) {
      this.o.count?.(muxable(au.codec) ? "mux_too_many_tracks" : "mux_unsupported_codec");
      return this.#w.take();
    }
    const [pts, dts] = this.#times(au as Timed, t);
    const parts = t.prep.prepare(au, pts);
    if (typeof parts === "string") {
      this.o.count?.(parts);
      return this.#w.take();
    }
    const videoKey = au.key && au.kind === "video";
    if (this.#psiDirty || videoKey || dts - this.#lastPsi >= PSI_EVERY || dts < this.#lastPsi) {
      this.#psi();
      this.#lastPsi = dts;
    }
    const target = dts - this.#delay;
    let pcr27: number | undefined;
    if (this.#lastPcr === undefined || target - this.#lastPcr > PCR_EVERY * PCR_FILL_MAX) {
      this.#lastPcr = target; // start or discontinuity
      if (t.pid !== this.#pcrPid) this.#w.pcrOnly(this.#pcrPid, target * 300);
    } else {
      while (target - this.#lastPcr > PCR_EVERY) {
        this.#lastPcr += PCR_EVERY;
        this.#w.pcrOnly(this.#pcrPid, this.#lastPcr * 300);
      }
    }
    if (t.pid === this.#pcrPid) {
      this.#lastPcr = Math.max(this.#lastPcr, target);
      pcr27 = this.#lastPcr * 300;
    }
    let bytes = 0;
    for (const p of parts) bytes += p.length;
    const hdr = pesHeader(t.streamId, bytes, pts, au.kind === "video" ? dts : undefined);
    this.#w.pes(t.pid, hdr, parts, { rai: au.key, pcr27 });
    const out = this.#w.take();
    this.packets += out.length / 188;
    return out;
  }

  /** Writes PAT and PMT. */
  #psi(): void {
    this.#psiDirty = false;
    const video = this.#list.find((t) => t.info.kind === "video") ?? this.#list[0];
    this.#pcrPid = video?.pid ?? 0x1fff;
    const v = Math.max(0, this.#pmtVersion);
    this.#w.section(PAT_PID, section(0x00, 1, v, [0, 1, 0xe0 | (PMT_PID >> 8), PMT_PID & 0xff]));
    const body: number[] = [0xe0 | (this.#pcrPid >> 8), this.#pcrPid & 0xff, 0xf0, 0];
    for (const t of this.#list) {
      const d = t.carriage.descriptors;
      body.push(
        t.carriage.streamType,
        0xe0 | (t.pid >> 8),
        t.pid & 0xff,
        0xf0 | (d.length >> 8),
        d.length & 0xff,
        ...d,
      );
    }
    this.#w.section(PMT_PID, section(0x02, 1, v, body));
  }
}

function same(a: Carriage, b: Carriage): boolean {
  if (a.streamType !== b.streamType || a.streamId !== b.streamId) return false;
  if (a.descriptors.length !== b.descriptors.length) return false;
  return a.descriptors.every((x, i) => x === b.descriptors[i]);
}

/** A long-form PSI section with CRC_32 (2.4.4.1): table_id, id, version, body. */
function section(tableId: number, id: number, version: number, body: number[]): Uint8Array {
  const len = 5 + body.length + 4;
  const s = new Uint8Array(3 + len);
  s[0] = tableId;
  s[1] = 0xb0 | (len >> 8);
  s[2] = len & 0xff;
  s[3] = id >> 8;
  s[4] = id & 0xff;
  s[5] = 0xc1 | ((version & 31) << 1);
  s[6] = 0;
  s[7] = 0;
  s.set(body, 8);
  const crc = crc32Mpeg(s.subarray(0, s.length - 4));
  new DataView(s.buffer).setUint32(s.length - 4, crc);
  return s;
}
