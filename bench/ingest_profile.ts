/**
 * Where the TS ingest path (bench/ingest_bench.ts ingestOnce: TsInput -> Stream ->
 * FrameStore, read as the SRT listener reads, bench/_srt_reads.ts) spends its time, warm: MB per CPU-second over warm passes
 * of the generated 1080p30 8 Mb/s TS, then one pass more under the sampling profiler
 * (bench/_profile.ts), printed as self time per function.
 *
 *   deno run --allow-all bench/ingest_profile.ts [--codec h264|h265] [--passes 8]
 *     [--top 15] [--out FILE.cpuprofile]
 */
import { arg, type BenchCodec, benchTmp, generatedTs } from "./_bench.ts";
import { ingestOnce } from "./ingest_bench.ts";
import { profiled, topSelf } from "./_profile.ts";
import { messagesPerRead, SrtReads } from "./_srt_reads.ts";

const codec = arg("codec", "h264") as BenchCodec;
const passes = Number(arg("passes", "8"));
const tmp = await benchTmp();
try {
  const data = await Deno.readFile(await generatedTs(tmp.dir, codec, 10));
  const reads = new SrtReads(data, messagesPerRead(data.length, 10));
  ingestOnce(reads);
  let cpu = 0;
  for (let i = 1; i < passes; i++) cpu += ingestOnce(reads).cpu;
  const mb = (data.length * (passes - 1)) / 1e6;
  console.log(
    `${codec}: ${(mb / cpu).toFixed(0)} MB per CPU-second over ${passes - 1} warm passes`,
  );
  const profile = await profiled(() => {
    for (let i = 0; i < Number(arg("profiled", "3")); i++) ingestOnce(reads);
  });
  const out = arg("out", "");
  if (out) await Deno.writeTextFile(out, JSON.stringify(profile));
  console.log("| self % | function | where |\n| --- | --- | --- |");
  for (const t of topSelf(profile, Number(arg("top", "15")))) {
    console.log(`| ${t.pct.toFixed(1)} | ${t.name} | ${t.where} |`);
  }
} finally {
  await tmp.cleanup();
}
