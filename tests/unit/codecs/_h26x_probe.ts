/**
 * Test-only helpers for the H.264/H.265 depacketizer tests: run a depacketizer over
 * packets and collect units and counters; decode an Annex B stream with ffprobe.
 */
import assert from "node:assert/strict";
import type { DepacketizerOptions, RtpDepacketizer, RtpPacket, RtpUnit } from "@lib/core/types.ts";
import { collector, concat } from "./_rtp.ts";

/** Units and counters from one run. */
export interface Run {
  units: RtpUnit[];
  counts: Record<string, number>;
}

/** Feed `packets` (with `lost` seq indexes flagged lostBefore on the next one) and flush. */
export function run(
  make: (o: DepacketizerOptions) => RtpDepacketizer,
  packets: RtpPacket[],
  opts: Partial<DepacketizerOptions> = {},
  lostBefore: (i: number) => boolean = () => false,
): Run {
  const c = collector(false);
  const d = make({ onUnit: c.onUnit, count: c.count, ...opts });
  packets.forEach((p, i) => d.push(p, lostBefore(i)));
  d.flush();
  return { units: c.units, counts: c.counts };
}

/** Frames ffprobe decodes from an Annex B file: byte position of the packet and key flag. */
export async function ffprobeFrames(
  path: string,
  format: "h264" | "hevc",
): Promise<{ pos: number; key: boolean }[]> {
  const out = await new Deno.Command("ffprobe", {
    args: [
      "-v",
      "error",
      "-f",
      format,
      "-show_frames",
      "-show_entries",
      "frame=key_frame,pkt_pos",
      "-of",
      "json",
      path,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`ffprobe failed: ${new TextDecoder().decode(out.stderr)}`);
  const j = JSON.parse(new TextDecoder().decode(out.stdout));
  return (j.frames ?? []).map((f: { pkt_pos: string; key_frame: number }) => ({
    pos: Number(f.pkt_pos),
    key: f.key_frame === 1,
  }));
}

/** SHA-256 hex of bytes. */
export async function sha256(data: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Byte equality that reports the first difference (deepEqual's diff of large arrays is slow). */
export function assertBytes(actual: Uint8Array, expected: Uint8Array, what = "bytes"): void {
  const n = Math.min(actual.length, expected.length);
  let i = 0;
  while (i < n && actual[i] === expected[i]) i++;
  if (i === n && actual.length === expected.length) return;
  throw new Error(
    `${what} differ at byte ${i} (lengths ${actual.length} vs ${expected.length}): ` +
      `${[...actual.subarray(i, i + 8)]} vs ${[...expected.subarray(i, i + 8)]}`,
  );
}

/** A depacketizer factory, as the H.264/H.265 tests build them. */
export type MakeDepacketizer = (o: DepacketizerOptions) => RtpDepacketizer;

/**
 * A capture with two GOPs gives 60 clean units with keys at 0 and 30, whose bytes equal
 * ffmpeg's rtpdec reassembly of the same capture (length and SHA-256 recorded).
 */
export async function assertRtpdecUnits(
  make: MakeDepacketizer,
  packets: RtpPacket[],
  bytes: number,
  sha: string,
): Promise<void> {
  const { units, counts } = run(make, packets);
  assert.deepEqual(counts, {});
  assert.equal(units.length, 60);
  assert.deepEqual(units.flatMap((u, i) => (u.key ? [i] : [])), [0, 30]);
  const all = concat(units.map((u) => u.data));
  assert.equal(all.length, bytes);
  assert.equal(await sha256(all), sha);
}

/**
 * Without marker bits a timestamp change ends the unit: the units still equal `oracle`,
 * and the input payloads are untouched.
 */
export function assertWithoutMarkers(
  make: MakeDepacketizer,
  packets: RtpPacket[],
  oracle: Uint8Array,
): void {
  const unmarked = packets.map((p) => ({ ...p, marker: false }));
  const before = unmarked.map((p) => p.payload.slice());
  const { units } = run(make, unmarked);
  assertBytes(concat(units.map((u) => u.data)), oracle);
  unmarked.forEach((p, i) => assert.deepEqual(p.payload, before[i]));
}

/** One packet dropped from a capture whose unit 1 spans several packets. */
export interface LossCase {
  name: string;
  /** Index of the dropped packet. */
  drop: number;
  /** The loss is signalled (`lostBefore`) on the packet after the gap. */
  flag: boolean;
  emitAfterLoss: boolean;
  /** Expected "fu_without_start" count (undefined: none). */
  orphans?: number;
}

/**
 * Each loss drops exactly unit 1 (or, without emitAfterLoss, everything up to the next
 * key at unit 30: 28 counted "await_keyframe"), one "frame_loss", and the kept units
 * equal the clean run's.
 */
export async function assertLossCases(
  t: Deno.TestContext,
  make: MakeDepacketizer,
  packets: RtpPacket[],
  cases: LossCase[],
): Promise<void> {
  const clean = run(make, packets).units;
  for (const c of cases) {
    await t.step(c.name, () => {
      const input = packets.filter((_, i) => i !== c.drop);
      const r = run(make, input, { emitAfterLoss: c.emitAfterLoss }, (i) => c.flag && i === c.drop);
      const kept = c.emitAfterLoss
        ? clean.filter((_, i) => i !== 1)
        : clean.filter((_, i) => i === 0 || i >= 30);
      assert.deepEqual(r.units.map((u) => u.timestamp), kept.map((u) => u.timestamp));
      assertBytes(concat(r.units.map((u) => u.data)), concat(kept.map((u) => u.data)));
      assert.equal(r.counts.frame_loss, 1);
      assert.equal(r.counts.await_keyframe, c.emitAfterLoss ? undefined : 28);
      assert.equal(r.counts.fu_without_start, c.orphans);
    });
  }
}
