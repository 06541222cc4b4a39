/**
 * `sluice_frame_latency_seconds` of one stream: one histogram series per track for its
 * current codec (labels protocol and codec), from the input that completed a frame to the
 * frame handed to the frame store (lib/stream/stream.ts #deliver).
 */
import type { AccessUnit } from "../core/types.ts";
import type { Histogram } from "../core/metrics/histogram.ts";
import { METRICS, type Registry } from "../core/metrics/registry.ts";

/** The latency series of one stream's tracks. */
export class FrameLatency {
  readonly #series = new Map<number, { codec: AccessUnit["codec"]; h: Histogram }>();

  constructor(private readonly protocol: string, private readonly registry: Registry = METRICS) {}

  /** Observes `seconds` for `au`'s track (a new series when the track's codec changed). */
  observe(au: AccessUnit, seconds: number): void {
    this.#of(au).observe(seconds);
  }

  #of(au: AccessUnit): Histogram {
    const l = this.#series.get(au.trackId);
    if (l && l.codec === au.codec) return l.h;
    const h = this.registry.histogram("sluice_frame_latency_seconds")
      .child({ protocol: this.protocol, codec: au.codec });
    this.#series.set(au.trackId, { codec: au.codec, h });
    return h;
  }
}
