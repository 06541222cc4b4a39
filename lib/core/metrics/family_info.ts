/** The shape of one metric family declaration (lib/core/metrics/families.ts). */

/** Prometheus metric types sluice uses. */
export type MetricType = "counter" | "gauge" | "histogram";

/** What one family is. */
export interface FamilyInfo {
  readonly type: MetricType;
  /** The quantity's unit as shown in the README ("seconds", "bytes", "packets", "1" ...). */
  readonly unit: string;
  /** Label names in exposition order. */
  readonly labels: readonly string[];
  /** One line: what the series means. */
  readonly help: string;
  /** Histogram bucket upper bounds, ascending (+Inf is implied). */
  readonly buckets?: readonly number[];
}
