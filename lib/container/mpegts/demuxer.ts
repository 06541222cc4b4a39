/**
 * Tolerant MPEG-TS demuxer (ISO/IEC 13818-1 2.4): bytes in any chunking -> 188-byte
 * packets (re-synced after loss) -> PAT/PMT of one program (CRC-checked, versioned)
 * -> PES reassembly per elementary PID -> EsChunks with unwrapped 90 kHz PTS/DTS.
 * Every anomaly is counted by reason and parsing goes on; nothing here throws on input.
 *
 * Counted reasons: sync_loss, tei, af_invalid, cc_error, ts_scrambled, psi_crc,
 * psi_invalid, pes_invalid, pes_oversize, pes_dropped, pes_excess,
 * pes_length_mismatch, pes_no_pts, adts_invalid, loas_invalid, opus_invalid,
 * pmt_too_many_streams.
 */
import { Unwrapper } from "../../core/bits.ts";
import type { Counter, EsChunk, TrackInfo } from "../../core/types.ts";
import { TsFramer } from "./framer.ts";
import { payloadView, payloadViewsOf } from "./payload_views.ts";
import { NULL_PID, PAT_PID, readTsHeader, TS_PACKET_SIZE, TsHeader } from "./packet.ts";
import { MAX_PES_BYTES } from "./pes.ts";
import { checkSection, parsePat, parsePmt, SectionAssembler } from "./psi.ts";
import { classifyStream } from "./stream_types.ts";
import { TsTrack } from "./track.ts";

/** Cap on elementary streams taken from one PMT. */
export const MAX_TRACKS = 32;

/** Options of `TsDemuxer`. */
export interface TsDemuxerOptions {
  /** Called for each track when its PMT is (re)read, and again when audio params become known. */
  onTrack(info: TrackInfo): void;
  /** Receives elementary-stream chunks; `data` is owned by the receiver (never reused). */
  onChunk(chunk: EsChunk): void;
  /** Counts anomalies by reason (see module doc). */
  count: Counter;
  /** Cap on one reassembled PES packet, bytes (default MAX_PES_BYTES = 16 MiB). */
  maxPesBytes?: number;
  /** program_number to demux (default: the first program in the PAT). */
  program?: number;
  /** Sees every whole, well-formed packet before it is parsed, while active (passthrough). */
  tap?: PacketTap;
}

/**
 * A listener for the input's own packets (lib/pipeline/ts_tap.ts). Asked `active` once
 * per push; while it is, `packet` gets each packet at `buf[off, off + 188)`, valid during
 * the call. An idle tap costs one property read per push, not a view per packet.
 */
export interface PacketTap {
  readonly active: boolean;
  packet(buf: Uint8Array, off: number, h: TsHeader): void;
}

/** Demuxes one program of an MPEG-TS byte stream. `trackId` = elementary PID. */
export class TsDemuxer {
  #o: TsDemuxerOptions;
  #framer: TsFramer;
  #h = new TsHeader();
  /** The track the last payload packet went to (the fast path of #packet). */
  #fast: TsTrack | undefined;
  /** close() was called: pushes are ignored. */
  #closed = false;
  /** The tap listens: asked once per push (consumers join between pushes, never within). */
  #tapOn = false;
  #cc = new Int8Array(8192).fill(-1);
  #tracks: (TsTrack | undefined)[] = new Array(8192);
  #list: TsTrack[] = [];
  #pat: SectionAssembler;
  #patVersion = -1;
  #pmt: SectionAssembler;
  #pmtPid = -1;
  #program = -1;
  #pmtVersion = -1;
  #pcrPid = -1;
  #pcrWrap = new Unwrapper(33);
  #pcr: number | undefined;
  #pcrExt = 0;
  /** TS packets seen, and at the last two PCRs (for pcrNow). */
  #packets = 0;
  #pcrAt = 0;
  #pcrRate = 0;
  #arrivalMs = 0;
  /** The bytes being pushed, and the payload views of their buffer (payload_views.ts). */
  #bytes: Uint8Array | undefined;
  #views: (Uint8Array | undefined)[] | undefined;

  constructor(opts: TsDemuxerOptions) {
    this.#o = {
      ...opts,
      maxPesBytes: opts.maxPesBytes ?? MAX_PES_BYTES,
      clock: () => this.pcrNow,
    } as TsDemuxerOptions;
    const count = opts.count;
    this.#framer = new TsFramer((b, o) => this.#packet(b, o), count);
    this.#pat = new SectionAssembler((s) => this.#onPat(s), count);
    this.#pmt = new SectionAssembler((s) => this.#onPmt(s), count);
  }

  /** Feeds bytes received at `arrivalMs` (monotonic ms). The buffer is not kept or changed. */
  push(bytes: Uint8Array, arrivalMs: number): void {
    if (this.#closed) return;
    this.#arrivalMs = arrivalMs;
    this.#tapOn = this.#o.tap?.active === true;
    this.#bytes = bytes;
    this.#views = payloadViewsOf(bytes);
    this.#framer.push(bytes);
    this.#bytes = undefined;
  }

  /** End of input: emits pending PES packets (e.g. an unbounded video PES). */
  flush(): void {
    this.#tapOn = this.#o.tap?.active === true;
    this.#framer.flush();
    for (const t of this.#list) t.flush();
  }

  /**
   * End of this input for good (flush() first to emit what is pending): nothing pushed
   * later is read, and the tracks' PES slabs may serve other inputs from now on
   * (lib/core/slabs.ts).
   */
  close(): void {
    this.#closed = true;
    for (const t of this.#list) t.close();
  }

  /** Last PCR of the program (ISO/IEC 13818-1 2.4.2.2): unwrapped PCR base, 90 kHz ticks. */
  get pcr(): number | undefined {
    return this.#pcr;
  }

  /**
   * The program clock at the current TS packet, 90 kHz ticks: the last PCR extrapolated by
   * the packets since, at the rate between the last two PCRs (ISO/IEC 13818-1 2.4.2.2, the
   * system clock at a byte position), at most 100 ms past the last PCR.
   */
  get pcrNow(): number | undefined {
    if (this.#pcr === undefined) return undefined;
    return this.#pcr + Math.min(9000, (this.#packets - this.#pcrAt) * this.#pcrRate);
  }

  /** Last PCR in 27 MHz ticks (base * 300 + extension), unwrapped. */
  get pcr27MHz(): number | undefined {
    return this.#pcr === undefined ? undefined : this.#pcr * 300 + this.#pcrExt;
  }

  /** Current tracks of the program. */
  get tracks(): TrackInfo[] {
    return this.#list.map((t) => ({ ...t.info }));
  }

  /** PES slabs of the current H.264/H.265 tracks: allocated fresh, and reused (lib/core/slabs.ts). */
  get slabs(): { fresh: number; reused: number } {
    let fresh = 0, reused = 0;
    for (const t of this.#list) {
      fresh += t.slabs?.fresh ?? 0;
      reused += t.slabs?.reused ?? 0;
    }
    return { fresh, reused };
  }

  /** Bytes held in carry, section and PES buffers (bounded by their caps). */
  get bufferedBytes(): number {
    let n = this.#framer.carriedBytes + this.#pat.bufferedBytes + this.#pmt.bufferedBytes;
    for (const t of this.#list) n += t.bufferedBytes;
    return n;
  }

  /** The packet at `buf[off, off + 188)`. */
  #packet(buf: Uint8Array, off: number): void {
    // Most packets continue the PES of the track the previous payload went to: no error
    // or unit start, payload only (so no PCR), clear, next in continuity. Those go to the
    // track at once; the header walk below would find the same (ISO/IEC 13818-1 2.4.3.2).
    const b1 = buf[off + 1];
    const b3 = buf[off + 3];
    const fast = this.#fast;
    if (
      fast !== undefined && (b1 & 0xc0) === 0 && (b3 & 0xf0) === 0x10 &&
      (((b1 & 0x1f) << 8) | buf[off + 2]) === fast.pid &&
      (b3 & 15) === ((this.#cc[fast.pid] + 1) & 15) && !this.#tapOn
    ) {
      this.#cc[fast.pid] = b3 & 15;
      this.#packets++;
      const views = this.#views;
      if (views !== undefined && buf === this.#bytes) {
        return fast.continued(payloadView(views, buf, off), this.#arrivalMs);
      }
      return fast.payload(buf, false, false, this.#arrivalMs, off + 4, off + TS_PACKET_SIZE);
    }
    const h = this.#h;
    const bad = readTsHeader(buf, h, off);
    const count = this.#o.count;
    if (h.tei) return count("tei");
    if (bad) return count(bad);
    if (this.#tapOn) this.#o.tap!.packet(buf, off, h);
    const pid = h.pid;
    if (pid === NULL_PID) return;
    this.#packets++;
    if (pid === this.#pcrPid && h.pcrBase >= 0) {
      const last = this.#pcr;
      this.#pcr = this.#pcrWrap.unwrap(h.pcrBase);
      const d = last === undefined ? -1 : this.#pcr - last;
      // ticks per packet between PCRs; a discontinuity (jump, step back) keeps the old rate
      if (d > 0 && d <= 9000) this.#pcrRate = d / (this.#packets - this.#pcrAt);
      this.#pcrAt = this.#packets;
      this.#pcrExt = h.pcrExt;
    }
    const track = this.#tracks[pid];
    const psi = pid === PAT_PID ? this.#pat : pid === this.#pmtPid ? this.#pmt : undefined;
    if (!psi && !track) return;
    if (!h.hasPayload) return;
    // Continuity (2.4.3.3): +1 per payload packet; one duplicate allowed; the
    // discontinuity_indicator excuses a jump.
    const last = this.#cc[pid];
    this.#cc[pid] = h.cc;
    if (last >= 0 && !h.discontinuity) {
      if (h.cc === last) return; // duplicate packet
      if (h.cc !== ((last + 1) & 15)) {
        count("cc_error");
        if (psi) psi.reset();
        else track!.lost();
      }
    }
    if (h.scrambling !== 0) return count("ts_scrambled");
    if (psi) psi.push(buf.subarray(off + h.payloadStart, off + TS_PACKET_SIZE), h.pusi);
    else {
      this.#fast = track;
      track!.payload(
        buf,
        h.pusi,
        h.randomAccess,
        this.#arrivalMs,
        off + h.payloadStart,
        off + TS_PACKET_SIZE,
      );
    }
  }

  #onPat(s: Uint8Array): void {
    const c = checkSection(s);
    if (!c.ok) return this.#o.count(c.reason);
    if (c.value.tableId !== 0 || !c.value.currentNext || c.value.version === this.#patVersion) {
      return;
    }
    const pat = parsePat(s);
    if (!pat.ok) return this.#o.count(pat.reason);
    this.#patVersion = c.value.version;
    const want = this.#o.program;
    const prog = pat.value.find((p) => want === undefined || p.number === want);
    if (!prog || (prog.pmtPid === this.#pmtPid && prog.number === this.#program)) return;
    if (prog.pmtPid === PAT_PID || prog.pmtPid === NULL_PID) return this.#o.count("psi_invalid");
    this.#setTracks([]);
    this.#pmt.reset();
    this.#pmtPid = prog.pmtPid;
    this.#program = prog.number;
    this.#pmtVersion = -1;
    this.#pcrPid = -1;
    this.#cc[prog.pmtPid] = -1;
  }

  #onPmt(s: Uint8Array): void {
    const c = checkSection(s);
    if (!c.ok) return this.#o.count(c.reason);
    const v = c.value;
    if (v.tableId !== 2 || !v.currentNext || v.id !== this.#program) return;
    if (v.version === this.#pmtVersion) return;
    const pmt = parsePmt(s);
    if (!pmt.ok) return this.#o.count(pmt.reason);
    this.#pmtVersion = v.version;
    this.#pcrPid = pmt.value.pcrPid;
    const next: TsTrack[] = [];
    for (const es of pmt.value.streams) {
      if (es.pid === PAT_PID || es.pid === NULL_PID || es.pid === this.#pmtPid) continue;
      if (next.some((t) => t.pid === es.pid)) continue;
      if (next.length >= MAX_TRACKS) {
        this.#o.count("pmt_too_many_streams");
        break;
      }
      const cls = classifyStream(es.streamType, es.descriptors, pmt.value.descriptors);
      const old = this.#tracks[es.pid];
      const keep = old && old.info.streamType === es.streamType && old.cls.codec === cls.codec;
      next.push(
        keep ? old : new TsTrack(es.pid, cls, es.streamType, this.#o as Required<TsDemuxerOptions>),
      );
    }
    this.#setTracks(next);
    for (const t of next) this.#o.onTrack({ ...t.info });
  }

  /** Replaces the track set; removed tracks emit what they hold. */
  #setTracks(next: TsTrack[]): void {
    this.#fast = undefined;
    for (const t of this.#list) {
      if (next.includes(t)) continue;
      t.flush();
      t.close();
      this.#tracks[t.pid] = undefined;
      this.#cc[t.pid] = -1;
    }
    for (const t of next) {
      // Unsupported streams are announced but not reassembled.
      this.#tracks[t.pid] = t.cls.supported ? t : undefined;
    }
    this.#list = next;
  }
}
