/**
 * The scale ladder's rows (bench/scale_bench.ts): one per step and receiver, and the one
 * table they are printed as.
 */
import { fmt } from "../_bench.ts";
import { bytesSent, type Window } from "./step.ts";

/** One row of the table. */
export interface Row {
  step: string;
  receiver: string;
  mbps: number;
  kernelDrops: number;
  lost: number | null;
  recovered: number | null;
  framesExact: string;
  cpuPct: number;
  senderPct: number;
  rssMb: number;
  lagP99Ms: number | null;
  apiP99Ms: number | null;
  /** p99 of sluice_frame_latency_seconds over the step, ms. */
  frameP99Ms: number | null;
  note: string;
}

export function rowOf(step: string, receiver: string, w: Window, extra: Partial<Row>): Row {
  return {
    step,
    receiver,
    mbps: (bytesSent(w.report) * 8) / 1e6 / w.report.elapsedSec,
    kernelDrops: 0,
    lost: null,
    recovered: null,
    framesExact: "-",
    cpuPct: (100 * w.cpuS) / w.wallS,
    senderPct: (100 * w.report.cpuSec) / w.report.elapsedSec,
    rssMb: w.rssMaxBytes / 2 ** 20,
    lagP99Ms: null,
    apiP99Ms: null,
    frameP99Ms: null,
    note: "",
    ...extra,
  };
}

export function printTable(rows: Row[]): void {
  const head = [
    "step",
    "receiver",
    "Mb/s",
    "kernel drops",
    "lost",
    "SRT recovered",
    "frames exact",
    "recv CPU %",
    "sender CPU %",
    "RSS MB",
    "lag p99 ms",
    "API p99 ms",
    "frame latency p99 ms",
    "note",
  ];
  const cells = rows.map((r) => [
    r.step,
    r.receiver,
    fmt(r.mbps),
    fmt(r.kernelDrops),
    fmt(r.lost),
    fmt(r.recovered),
    r.framesExact,
    fmt(r.cpuPct),
    fmt(r.senderPct),
    fmt(r.rssMb),
    fmt(r.lagP99Ms),
    fmt(r.apiP99Ms),
    fmt(r.frameP99Ms),
    r.note,
  ]);
  console.log(`| ${head.join(" | ")} |`);
  console.log(`| ${head.map(() => "---").join(" | ")} |`);
  for (const c of cells) console.log(`| ${c.join(" | ")} |`);
}
