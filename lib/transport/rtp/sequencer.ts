/**
 * RTP sequence validation and receive statistics (RFC 3550 appendix A.1, A.3, A.8).
 * Probation: a new source is valid after MIN_SEQUENTIAL sequential packets (the packets
 * on probation are reported as SEQ_PROBATION and become valid retroactively, so the
 * caller can hold and release them). Extended sequence numbers count 16-bit cycles;
 * a jump larger than MAX_DROPOUT (or a step back larger than MAX_MISORDER)
 * re-synchronises after two sequential packets. Counters are cumulative across re-syncs.
 */
import { seqDiff16 } from "../../core/bits.ts";

/** RFC 3550 A.1: sequential packets needed before a source is valid. */
export const MIN_SEQUENTIAL = 2;
/** RFC 3550 A.1: largest forward jump accepted as a gap. */
export const MAX_DROPOUT = 3000;
/** RFC 3550 A.1: largest step back accepted as reordering. */
export const MAX_MISORDER = 100;
/** Duplicate-detection window, packets (a power of two > MAX_DROPOUT + MAX_MISORDER). */
export const SEQ_HISTORY = 4096;

/** Packet is valid and new; `lastExtSeq` is its extended sequence number. */
export const SEQ_VALID = 0;
/** Source on probation: hold the packet; it becomes valid when probation ends. */
export const SEQ_PROBATION = 1;
/** Already received: drop. */
export const SEQ_DUPLICATE = 2;
/** Older than MAX_MISORDER behind the highest: drop (counted late). */
export const SEQ_LATE = 3;
/** Large jump: dropped until the next packet confirms it (RFC 3550 A.1 bad_seq). */
export const SEQ_BAD = 4;
/** Large jump confirmed: the sequence re-synchronised; this packet is valid. */
export const SEQ_RESYNC = 5;
/** Verdict of {@link Sequencer.update}. */
export type SeqVerdict = 0 | 1 | 2 | 3 | 4 | 5;

/** Cumulative receive counters of one source (RFC 3550 6.4.1, A.3). */
export interface SeqStats {
  /** Unique valid packets. */
  received: number;
  /** Packets expected from the extended sequence range(s). */
  expected: number;
  /** expected - received (never negative). */
  lost: number;
  duplicated: number;
  /** Valid packets that arrived after a higher sequence number. */
  reordered: number;
  /** Packets more than MAX_MISORDER behind, dropped. */
  late: number;
  /** Re-synchronisations after large jumps. */
  resyncs: number;
  /** Highest extended sequence number (RFC 3550 6.4.1). */
  extHighestSeq: number;
  /** Interarrival jitter, RTP timestamp units (RFC 3550 6.4.1). */
  jitter: number;
  /** Interarrival jitter, ms. */
  jitterMs: number;
}

/** Sequence state of one source (RFC 3550 A.1 `source` struct plus A.8 jitter). */
export class Sequencer {
  /** Extended sequence number of the last packet given SEQ_VALID or SEQ_RESYNC. */
  lastExtSeq = -1;
  #clockRate: number;
  #probation = MIN_SEQUENTIAL;
  #started = false;
  #maxSeq = 0;
  #maxExt = 0;
  #baseExt = 0;
  #badSeq = -1;
  #priorExpected = 0; // expected in epochs before the last re-sync
  #received = 0;
  #duplicated = 0;
  #reordered = 0;
  #late = 0;
  #resyncs = 0;
  #seen = new Float64Array(SEQ_HISTORY).fill(-1); // extended numbers outgrow int32
  #transit = 0;
  #haveTransit = false;
  #jitter = 0;
  #rrExpected = 0;
  #rrReceived = 0;

  readonly #minSequential: number;

  /**
   * `clockRate` in Hz converts arrival ms to timestamp units for jitter. `minSequential`
   * is 1 when the caller already ran probation (the RTP demux's source gate): the first
   * packet is then valid at once.
   */
  constructor(clockRate = 90000, minSequential = MIN_SEQUENTIAL) {
    this.#clockRate = clockRate;
    this.#minSequential = Math.max(1, minSequential);
    this.#probation = this.#minSequential;
  }

  /** Sets the clock rate once the codec is known (resets jitter). */
  setClockRate(hz: number): void {
    if (hz !== this.#clockRate) {
      this.#clockRate = hz;
      this.#haveTransit = false;
      this.#jitter = 0;
    }
  }

  /** Starts a new sequence space (e.g. SSRC change), keeping cumulative counters. */
  restart(): void {
    if (this.#started && this.#probation === 0) {
      this.#priorExpected += this.#maxExt - this.#baseExt + 1;
    }
    this.#started = false;
    this.#probation = this.#minSequential;
    this.#badSeq = -1;
    this.#haveTransit = false;
    this.#seen.fill(-1);
  }

  #init(seq: number, ext: number): void {
    if (this.#started && this.#probation === 0) {
      this.#priorExpected += this.#maxExt - this.#baseExt + 1;
    }
    this.#started = true;
    this.#maxSeq = seq;
    this.#maxExt = ext;
    this.#baseExt = ext;
    this.#badSeq = -1;
    this.#seen.fill(-1);
  }

  #accept(ext: number, ts: number, arrivalMs: number): void {
    this.#seen[ext & (SEQ_HISTORY - 1)] = ext;
    this.#received++;
    this.lastExtSeq = ext;
    this.#updateJitter(ts, arrivalMs);
  }

  /** RFC 3550 6.4.1 / A.8: J += (|D| - J) / 16, D from transit time differences. */
  #updateJitter(ts: number, arrivalMs: number): void {
    const transit = (arrivalMs * this.#clockRate) / 1000 - ts;
    if (this.#haveTransit) {
      let d = transit - this.#transit;
      // timestamps wrap at 2^32: take the nearest representative
      if (d > 2147483648) d -= 4294967296;
      else if (d < -2147483648) d += 4294967296;
      this.#jitter += (Math.abs(d) - this.#jitter) / 16;
    }
    this.#transit = transit;
    this.#haveTransit = true;
  }

  /** Updates with one packet (16-bit `seq`, 32-bit `ts`, arrival ms). RFC 3550 A.1 update_seq. */
  update(seq: number, ts: number, arrivalMs: number): SeqVerdict {
    if (this.#probation > 0) {
      if (this.#started && seq === ((this.#maxSeq + 1) & 0xffff)) {
        this.#probation--;
        this.#maxSeq = seq;
        this.#maxExt++;
        if (this.#probation === 0) {
          const first = this.#maxExt - (MIN_SEQUENTIAL - 1);
          for (let e = first; e < this.#maxExt; e++) this.#seen[e & (SEQ_HISTORY - 1)] = e;
          this.#received += MIN_SEQUENTIAL - 1;
          this.#accept(this.#maxExt, ts, arrivalMs);
          return SEQ_VALID;
        }
        this.#updateJitter(ts, arrivalMs);
        return SEQ_PROBATION;
      }
      // (re)start probation at this packet; extended numbers continue the old space
      const ext = this.#started ? this.#maxExt + seqDiff16(seq, this.#maxSeq) : seq;
      this.#init(seq, ext < 0 ? seq : ext);
      this.#probation = this.#minSequential - 1;
      this.#haveTransit = false;
      if (this.#probation === 0) {
        this.#accept(this.#maxExt, ts, arrivalMs);
        return SEQ_VALID;
      }
      this.#updateJitter(ts, arrivalMs);
      return SEQ_PROBATION;
    }
    const delta = seqDiff16(seq, this.#maxSeq);
    const ext = this.#maxExt + delta;
    if (delta > 0 && delta <= MAX_DROPOUT) {
      this.#maxSeq = seq;
      this.#maxExt = ext;
      this.#accept(ext, ts, arrivalMs);
      return SEQ_VALID;
    }
    if (delta <= 0 && delta >= -MAX_MISORDER) {
      if (ext < this.#baseExt) {
        this.#late++;
        return SEQ_LATE;
      }
      if (this.#seen[ext & (SEQ_HISTORY - 1)] === ext) {
        this.#duplicated++;
        return SEQ_DUPLICATE;
      }
      this.#reordered++;
      this.#accept(ext, ts, arrivalMs);
      return SEQ_VALID;
    }
    if (seq === this.#badSeq) {
      // two sequential packets after a large jump: re-synchronise (RFC 3550 A.1)
      const newExt = this.#maxExt + ((seq - this.#maxSeq) & 0xffff); // stays above, same low 16 bits
      this.#init(seq, newExt);
      this.#resyncs++;
      this.#haveTransit = false;
      this.#accept(newExt, ts, arrivalMs);
      return SEQ_RESYNC;
    }
    this.#badSeq = (seq + 1) & 0xffff;
    if (delta < 0) {
      this.#late++;
      return SEQ_LATE;
    }
    return SEQ_BAD;
  }

  /** Current cumulative counters. */
  stats(): SeqStats {
    const expected = this.#expected();
    const lost = Math.max(0, expected - this.#received);
    return {
      received: this.#received,
      expected,
      lost,
      duplicated: this.#duplicated,
      reordered: this.#reordered,
      late: this.#late,
      resyncs: this.#resyncs,
      extHighestSeq: this.#started ? this.#maxExt : 0,
      jitter: this.#jitter,
      jitterMs: (this.#jitter * 1000) / this.#clockRate,
    };
  }

  #expected(): number {
    const cur = this.#started && this.#probation === 0 ? this.#maxExt - this.#baseExt + 1 : 0;
    return this.#priorExpected + cur;
  }

  /**
   * Report-block figures for one RTCP interval (RFC 3550 6.4.1, A.3): fraction lost
   * since the previous call (8-bit fixed point), cumulative lost (clamped to 24-bit
   * signed), extended highest sequence number (32-bit) and jitter (timestamp units).
   */
  reportInterval(): {
    fractionLost: number;
    cumulativeLost: number;
    extHighestSeq: number;
    jitter: number;
  } {
    const expected = this.#expected();
    const expInt = expected - this.#rrExpected;
    const recInt = this.#received - this.#rrReceived;
    this.#rrExpected = expected;
    this.#rrReceived = this.#received;
    const lostInt = expInt - recInt;
    const fractionLost = expInt === 0 || lostInt <= 0 ? 0 : Math.floor((lostInt * 256) / expInt);
    const cum = Math.min(0x7fffff, Math.max(-0x800000, expected - this.#received));
    return {
      fractionLost: Math.min(255, fractionLost),
      cumulativeLost: cum,
      extHighestSeq: (this.#started ? this.#maxExt : 0) % 0x100000000,
      jitter: Math.floor(this.#jitter),
    };
  }
}
