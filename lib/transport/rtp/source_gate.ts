/**
 * Admission of new RTP sources for the demux (demux.ts): refusals remembered for
 * `refuseTtlMs` (so a refused sender is not offered again on every packet), a cap on live
 * sources, optional probation and a token bucket on new sources ("new_source_rate",
 * config `rtp.new_stream_rate`). Every refusal is counted by reason, once per packet.
 *
 * Probation (after RFC 3550 A.1, MIN_SEQUENTIAL = 2, made tolerant of a reordered start):
 * every packet of a source on probation is held (at most PROBATION_MAX_PACKETS and
 * PROBATION_MAX_BYTES per source, PROBATION_TOTAL_BYTES over all), and the source is
 * believed once two distinct packets lie within PROBATION_WINDOW sequence numbers of each
 * other, not only when they are strictly consecutive. Then the held packets near the
 * admitting one are handed over in sequence order without duplicates, so a sender whose
 * first packets arrive swapped, twice, or between garbage keeps its first keyframe.
 */
import { seqDiff16 } from "../../core/bits.ts";
import type { Counter, RtpPacket } from "../../core/types.ts";
import type { DataReason } from "../../core/reasons/catalogue.ts";

/** Cap on remembered refusals. */
export const MAX_REFUSED = 1024;
/** Cap on new sources held on probation. */
export const MAX_PROBATION = 1024;
/** Two packets at most this far apart in sequence admit a source on probation. */
export const PROBATION_WINDOW = 16;
/** Held packets further than this from the admitting one are dropped (counted). */
export const PROBATION_SPAN = 64;
/** Packets held per source on probation (the oldest go first). */
export const PROBATION_MAX_PACKETS = 48;
/** Bytes held per source on probation. */
export const PROBATION_MAX_BYTES = 256 * 1024;
/** Bytes held on probation over all sources (the oldest source goes first). */
export const PROBATION_TOTAL_BYTES = 4 * 1024 * 1024;

/** Limits of {@link SourceGate} (the demux options of the same names). */
export interface SourceGateOptions {
  /** New sources admitted per second (default 10); a function is read on every use (reload). */
  newSourcesPerSec?: number | (() => number);
  /** Bucket depth, sources (default = newSourcesPerSec). */
  newSourceBurst?: number;
  /** How long a refusal, or a packet on probation, is remembered (default 1000 ms). */
  refuseTtlMs?: number;
  /** Cap on live sources. */
  maxSources: number;
  /** Admit a new source only after two packets in sequence (default false). */
  probation?: boolean;
}

/** A packet held on probation, with its arrival time (ms). */
export interface HeldRtp {
  pkt: RtpPacket;
  ms: number;
}

/** The packets of one source on probation. */
interface Probation {
  pkts: HeldRtp[];
  bytes: number;
  /** Arrival of the first packet (the hold expires refuseTtlMs after the last one). */
  lastMs: number;
}

/** Decides whether a new source may be offered to the owner now; see the module doc. */
export class SourceGate {
  readonly #o: SourceGateOptions;
  readonly #count: Counter;
  readonly #ttl: number;
  readonly #refused = new Map<string, number>();
  readonly #probation = new Map<string, Probation>();
  #probationBytes = 0;
  #tokens: number;
  #tokensAt = -1;

  constructor(o: SourceGateOptions, count: Counter) {
    this.#o = o;
    this.#count = count;
    this.#tokens = this.#burst;
    this.#ttl = o.refuseTtlMs ?? 1000;
  }

  /** New sources per second now. */
  get #rate(): number {
    const r = this.#o.newSourcesPerSec;
    return (typeof r === "function" ? r() : r) ?? 10;
  }

  /** Bucket depth now. */
  get #burst(): number {
    return this.#o.newSourceBurst ?? this.#rate;
  }

  /**
   * Whether the source `key`, whose packet `pkt` arrived at `now` with `live` sources
   * open, may be offered now. Undefined when not (counted "source_refused", "max_sources",
   * "source_probation" or "new_source_rate"); else `{ pkts }`: what to deliver, `pkt`
   * included, in sequence order (without probation: `pkt` alone).
   */
  admit(key: string, pkt: RtpPacket, live: number, now: number): { pkts: HeldRtp[] } | undefined {
    const until = this.#refused.get(key);
    if (until !== undefined && until > now) return this.#no("source_refused");
    if (live >= this.#o.maxSources) return this.#no("max_sources");
    let pkts: HeldRtp[] = [{ pkt, ms: now }];
    if (this.#o.probation) {
      const p = this.#probation.get(key);
      if (!p || !p.pkts.some((h) => near(h.pkt.seq, pkt.seq))) {
        this.#hold(key, p, pkt, now);
        return undefined;
      }
      this.#release(key, p);
      pkts = this.#ordered(p.pkts, pkt, now);
    }
    if (this.#tokensAt >= 0) {
      const rate = this.#rate;
      this.#tokens = Math.min(
        this.#burst,
        this.#tokens + ((now - this.#tokensAt) * rate) / 1000,
      );
    }
    this.#tokensAt = now;
    if (this.#tokens < 1) return this.#no("new_source_rate", pkts.length);
    this.#tokens -= 1;
    return { pkts };
  }

  /** Holds `pkt` for `key` within the per-source and total caps (evictions counted). */
  #hold(key: string, p: Probation | undefined, pkt: RtpPacket, now: number): void {
    if (!p) {
      if (this.#probation.size >= MAX_PROBATION) this.#evictOldest();
      p = { pkts: [], bytes: 0, lastMs: now };
      this.#probation.set(key, p);
    } else {
      // re-insert: the map stays in order of last arrival (expire walks it oldest first)
      this.#probation.delete(key);
      this.#probation.set(key, p);
    }
    const size = pkt.payload.length + 12;
    while (
      p.pkts.length > 0 &&
      (p.pkts.length >= PROBATION_MAX_PACKETS || p.bytes + size > PROBATION_MAX_BYTES)
    ) {
      const old = p.pkts.shift()!;
      const n = old.pkt.payload.length + 12;
      p.bytes -= n;
      this.#probationBytes -= n;
      this.#count("source_probation");
    }
    p.pkts.push({ pkt, ms: now });
    p.bytes += size;
    p.lastMs = now;
    this.#probationBytes += size;
    while (this.#probationBytes > PROBATION_TOTAL_BYTES && this.#probation.size > 1) {
      this.#evictOldest();
    }
  }

  #evictOldest(): void {
    const k = this.#probation.keys().next().value;
    if (k === undefined) return;
    const p = this.#probation.get(k)!;
    this.#release(k, p);
    this.#count("source_probation", p.pkts.length);
  }

  #release(key: string, p: Probation): void {
    this.#probation.delete(key);
    this.#probationBytes -= p.bytes;
  }

  /**
   * Held packets plus `pkt`, within PROBATION_SPAN of `pkt`, sorted by sequence number,
   * duplicates dropped; the rest counted "source_probation".
   */
  #ordered(held: HeldRtp[], pkt: RtpPacket, now: number): HeldRtp[] {
    const all = [...held, { pkt, ms: now }];
    const keep: HeldRtp[] = [];
    const seen = new Set<number>();
    let dropped = 0;
    for (const h of all) {
      const d = seqDiff16(h.pkt.seq, pkt.seq);
      if (d < -PROBATION_SPAN || d > PROBATION_SPAN || seen.has(h.pkt.seq)) {
        dropped++;
        continue;
      }
      seen.add(h.pkt.seq);
      keep.push(h);
    }
    if (dropped) this.#count("source_probation", dropped);
    return keep.sort((a, b) => seqDiff16(a.pkt.seq, pkt.seq) - seqDiff16(b.pkt.seq, pkt.seq));
  }

  /**
   * The owner refused `key`: remembered for refuseTtlMs (the oldest forgotten past
   * MAX_REFUSED), counted "source_refused" for the packet and any held one.
   */
  refuse(key: string, now: number, pkts: number): void {
    if (this.#refused.size >= MAX_REFUSED) this.#refused.delete(this.#refused.keys().next().value!);
    this.#refused.set(key, now + this.#ttl);
    this.#count("source_refused", pkts);
  }

  /** Forgets refusals that ran out; counts and drops packets held past refuseTtlMs. */
  expire(now: number): void {
    for (const [k, until] of this.#refused) if (until <= now) this.#refused.delete(k);
    for (const [k, p] of this.#probation) {
      if (now - p.lastMs < this.#ttl) break; // map order = order of last arrival
      this.#release(k, p);
      this.#count("source_probation", p.pkts.length);
    }
  }

  #no(reason: DataReason, n = 1): undefined {
    this.#count(reason, n);
    return undefined;
  }
}

/** Two distinct sequence numbers within PROBATION_WINDOW of each other. */
function near(a: number, b: number): boolean {
  const d = seqDiff16(a, b);
  return d !== 0 && d >= -PROBATION_WINDOW && d <= PROBATION_WINDOW;
}
