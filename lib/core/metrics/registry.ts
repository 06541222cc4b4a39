/**
 * The metrics registry: what /metrics shows, and the two ways a module reports a value
 * (docs/ARCHITECTURE.md "Metrics"):
 *
 * - a collector, `(emit) => void`, called at every scrape, reads state the module keeps
 *   anyway (a stream's counters, a socket's statistics) and emits counters and gauges by
 *   family name: `emit("sluice_stream_packets_total", { stream, protocol }, n)`. Per-stream
 *   series are collected this way, so they disappear when the stream is removed.
 * - an instrument held here, for what has no other home: histograms
 *   (`METRICS.histogram(name).observe(labels, seconds)`) and counters or gauges of a
 *   component without its own state (`METRICS.scalar(name).inc(labels)`).
 *
 * Families, their types and label names come from the catalogue (lib/core/metrics/
 * families.ts), so the compiler rejects an unknown family or a wrong label set. Rendering
 * writes the families in catalogue order, each once, in the Prometheus text format
 * (lib/core/metrics/exposition.ts).
 */
import {
  FAMILIES,
  type FamilyName,
  type HistogramName,
  type LabelsOf,
  type ScalarName,
} from "./families.ts";
import type { FamilyInfo } from "./family_info.ts";
import { familyHeader, formatValue, labelText } from "./exposition.ts";
import { Histogram } from "./histogram.ts";

/** Reports one counter or gauge sample at scrape time. */
export type Emit = <N extends ScalarName>(name: N, labels: LabelsOf<N>, value: number) => void;

/** A scrape-time source of samples. Must not throw; runs on every scrape. */
export type Collector = (emit: Emit) => void;

const SEP = "\u0000";

function labelValues(info: FamilyInfo, labels: Record<string, string | number>): string[] {
  return info.labels.map((l) => String(labels[l] ?? ""));
}

/** The series of one histogram family, one Histogram per label set. */
export class HistogramFamily<N extends HistogramName = HistogramName> {
  readonly info: FamilyInfo;
  readonly #children = new Map<string, { values: string[]; h: Histogram }>();

  constructor(readonly name: N) {
    this.info = FAMILIES[name];
  }

  /** The series of one label set (created empty on first use); keep it to skip the lookup. */
  child(labels: LabelsOf<N>): Histogram {
    const values = labelValues(this.info, labels as Record<string, string>);
    const key = values.join(SEP);
    let c = this.#children.get(key);
    if (!c) this.#children.set(key, c = { values, h: new Histogram(this.info.buckets ?? []) });
    return c.h;
  }

  observe(labels: LabelsOf<N>, v: number): void {
    this.child(labels).observe(v);
  }

  /** Every series as [label values, histogram]. */
  *series(): IterableIterator<[string[], Histogram]> {
    for (const c of this.#children.values()) yield [c.values, c.h];
  }

  /** All series merged into one (e.g. every codec of a protocol), for reports. */
  merged(where: (values: string[]) => boolean = () => true): Histogram {
    const out = new Histogram(this.info.buckets ?? []);
    for (const [v, h] of this.series()) if (where(v)) out.merge(h);
    return out;
  }

  /** Forgets every series. */
  clear(): void {
    this.#children.clear();
  }

  render(out: string[]): void {
    const names = [...this.info.labels, "le"];
    for (const { values, h } of this.#children.values()) {
      const cum = h.cumulative();
      for (let i = 0; i < cum.length; i++) {
        const le = i < h.bounds.length ? formatValue(h.bounds[i]) : "+Inf";
        out.push(`${this.name}_bucket${labelText(names, [...values, le])} ${cum[i]}`);
      }
      const l = labelText(this.info.labels, values);
      out.push(`${this.name}_sum${l} ${formatValue(h.sum)}`, `${this.name}_count${l} ${h.count}`);
    }
  }
}

/** A counter or gauge family whose values the registry holds. */
export class ScalarFamily<N extends ScalarName = ScalarName> {
  readonly info: FamilyInfo;
  readonly #values = new Map<string, { values: string[]; v: number }>();

  constructor(readonly name: N) {
    this.info = FAMILIES[name];
  }

  #slot(labels: LabelsOf<N>): { values: string[]; v: number } {
    const values = labelValues(this.info, labels as Record<string, string>);
    const key = values.join(SEP);
    let s = this.#values.get(key);
    if (!s) this.#values.set(key, s = { values, v: 0 });
    return s;
  }

  /** Adds `n` (>= 0 for a counter). */
  inc(labels: LabelsOf<N>, n = 1): void {
    this.#slot(labels).v += n;
  }

  /** Sets a gauge. */
  set(labels: LabelsOf<N>, v: number): void {
    this.#slot(labels).v = v;
  }

  /** Current value (0 when never set). */
  get(labels: LabelsOf<N>): number {
    return this.#values.get(labelValues(this.info, labels as Record<string, string>).join(SEP))
      ?.v ?? 0;
  }

  /** Drops the series whose labels include all of `match` (e.g. `{ stream }` on removal). */
  remove(match: Partial<LabelsOf<N>>): void {
    const m = Object.entries(match) as [string, string | number][];
    const idx = m.map(([k]) => this.info.labels.indexOf(k));
    for (const [key, s] of this.#values) {
      if (m.every(([, v], i) => s.values[idx[i]] === String(v))) this.#values.delete(key);
    }
  }

  collect(emit: Emit): void {
    for (const s of this.#values.values()) {
      const labels: Record<string, string> = {};
      this.info.labels.forEach((l, i) => labels[l] = s.values[i]);
      emit(this.name, labels as LabelsOf<N>, s.v);
    }
  }
}

/** Families, instruments and collectors of one process. */
export class Registry {
  readonly #histograms = new Map<HistogramName, HistogramFamily>();
  readonly #scalars = new Map<ScalarName, ScalarFamily>();
  readonly #collectors = new Set<Collector>();
  /** Samples dropped because a series was emitted twice in one scrape (a bug; tests assert 0). */
  duplicates = 0;

  /** The histogram family `name` (one instance per registry). */
  histogram<N extends HistogramName>(name: N): HistogramFamily<N> {
    let f = this.#histograms.get(name);
    if (!f) this.#histograms.set(name, f = new HistogramFamily(name));
    return f as unknown as HistogramFamily<N>;
  }

  /** The counter or gauge family `name` held by the registry. */
  scalar<N extends ScalarName>(name: N): ScalarFamily<N> {
    let f = this.#scalars.get(name);
    if (!f) this.#scalars.set(name, f = new ScalarFamily(name));
    return f as unknown as ScalarFamily<N>;
  }

  /** Adds a collector called on every scrape; returns its removal. */
  collect(c: Collector): () => void {
    this.#collectors.add(c);
    return () => this.#collectors.delete(c);
  }

  /** Counter and gauge samples of one scrape, by family: [label values, value][]. */
  gather(...extra: Collector[]): Map<FamilyName, [string[], number][]> {
    const out = new Map<FamilyName, [string[], number][]>();
    const seen = new Set<string>();
    const emit: Emit = (name, labels, value) => {
      const values = labelValues(FAMILIES[name], labels as Record<string, string>);
      const key = name + SEP + values.join(SEP);
      if (seen.has(key)) {
        this.duplicates++;
        return;
      }
      seen.add(key);
      let rows = out.get(name);
      if (!rows) out.set(name, rows = []);
      rows.push([values, value]);
    };
    for (const f of this.#scalars.values()) f.collect(emit);
    for (const c of [...this.#collectors, ...extra]) c(emit);
    return out;
  }

  /** The whole exposition text; `extra` collectors run for this scrape only. */
  render(...extra: Collector[]): string {
    const samples = this.gather(...extra);
    const out: string[] = [];
    for (const name of Object.keys(FAMILIES) as FamilyName[]) {
      const info = FAMILIES[name];
      const lines: string[] = [];
      if (info.type === "histogram") {
        this.#histograms.get(name as HistogramName)?.render(lines);
      } else {
        for (const [values, v] of samples.get(name) ?? []) {
          lines.push(`${name}${labelText(info.labels, values)} ${formatValue(v)}`);
        }
      }
      if (lines.length) out.push(familyHeader(name, info) + lines.join("\n"));
    }
    return out.join("\n") + "\n";
  }
}

/** The process-wide registry /metrics renders. */
export const METRICS: Registry = new Registry();
