/**
 * Admission of new RTP sources for the demux (demux.ts): refusals remembered for
 * `refuseTtlMs` (so a refused sender is not offered again on every packet), a cap on live
 * sources, optional probation (RFC 3550 A.1, MIN_SEQUENTIAL = 2: two packets in sequence
 * before a source is believed) and a token bucket on new sources ("new_source_rate",
 * config `rtp.new_stream_rate`). Every refusal is counted by reason, once per packet.
 */
import type { Counter, RtpPacket } from "../../media/types.ts";

/** Cap on remembered refusals. */
export const MAX_REFUSED = 1024;
/** Cap on new sources held on probation (first packet kept until the next one). */
export const MAX_PROBATION = 1024;

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

/** A first packet held on probation, with its arrival time (ms). */
export interface HeldRtp {
  pkt: RtpPacket;
  ms: number;
}

/** Decides whether a new source may be offered to the owner now; see the module doc. */
export class SourceGate {
  readonly #o: SourceGateOptions;
  readonly #count: Counter;
  readonly #ttl: number;
  readonly #refused = new Map<string, number>();
  readonly #probation = new Map<string, HeldRtp>();
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
   * "source_probation" or "new_source_rate"); else `{ held }`, the packet held on
   * probation (to deliver before `pkt`), if any.
   */
  admit(key: string, pkt: RtpPacket, live: number, now: number): { held?: HeldRtp } | undefined {
    const until = this.#refused.get(key);
    if (until !== undefined && until > now) return this.#no("source_refused");
    if (live >= this.#o.maxSources) return this.#no("max_sources");
    let held: HeldRtp | undefined;
    if (this.#o.probation) {
      held = this.#probation.get(key);
      if (held) this.#probation.delete(key);
      if (!held || ((held.pkt.seq + 1) & 0xffff) !== pkt.seq) {
        if (held) this.#count("source_probation");
        else if (this.#probation.size >= MAX_PROBATION) {
          this.#probation.delete(this.#probation.keys().next().value!);
          this.#count("source_probation");
        }
        this.#probation.set(key, { pkt, ms: now });
        return undefined;
      }
    }
    if (this.#tokensAt >= 0) {
      const rate = this.#rate;
      this.#tokens = Math.min(
        this.#burst,
        this.#tokens + ((now - this.#tokensAt) * rate) / 1000,
      );
    }
    this.#tokensAt = now;
    if (this.#tokens < 1) return this.#no("new_source_rate", held ? 2 : 1);
    this.#tokens -= 1;
    return held ? { held } : {};
  }

  /**
   * The owner refused `key`: remembered for refuseTtlMs (the oldest forgotten past
   * MAX_REFUSED), counted "source_refused" for the packet and any held one.
   */
  refuse(key: string, now: number, held: HeldRtp | undefined): void {
    if (this.#refused.size >= MAX_REFUSED) this.#refused.delete(this.#refused.keys().next().value!);
    this.#refused.set(key, now + this.#ttl);
    this.#count("source_refused", held ? 2 : 1);
  }

  /** Forgets refusals that ran out; counts and drops packets held past refuseTtlMs. */
  expire(now: number): void {
    for (const [k, until] of this.#refused) if (until <= now) this.#refused.delete(k);
    for (const [k, p] of this.#probation) {
      if (now - p.ms < this.#ttl) break; // insertion order = arrival order
      this.#probation.delete(k);
      this.#count("source_probation");
    }
  }

  #no(reason: string, n = 1): undefined {
    this.#count(reason, n);
    return undefined;
  }
}
