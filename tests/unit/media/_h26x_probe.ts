/**
 * Test-only helpers for the H.264/H.265 depacketizer tests: run a depacketizer over
 * packets and collect units and counters; decode an Annex B stream with ffprobe.
 */
import type {
  DepacketizerOptions,
  RtpDepacketizer,
  RtpPacket,
  RtpUnit,
} from "../../../lib/media/types.ts";

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
  const units: RtpUnit[] = [];
  const counts: Record<string, number> = {};
  const d = make({
    onUnit: (u) => units.push(u),
    count: (r, n = 1) => void (counts[r] = (counts[r] ?? 0) + n),
    ...opts,
  });
  packets.forEach((p, i) => d.push(p, lostBefore(i)));
  d.flush();
  return { units, counts };
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
