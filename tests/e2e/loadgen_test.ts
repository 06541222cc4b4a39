/**
 * The load generator against a running sluice: N RTP sources replaying a real capture
 * (each from its own socket) become N streams with the fixture's frame count each
 * (tests/fixtures/README.md: 60), and N SRT callers sending a TS file (paced by its PCR)
 * become N streams with ffprobe's video packet count (the .v.packets.csv oracle) each.
 */
import assert from "node:assert/strict";
import { fixture, missing, readPacketsCsv } from "../_helpers.ts";
import { startTestServer, until } from "./_server.ts";

const LOADGEN = new URL("../../scripts/loadgen.ts", import.meta.url).pathname;
const opts = { sanitizeOps: false, sanitizeResources: false };
type Json = Record<string, unknown>;

async function loadgen(args: string[]): Promise<Json> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", LOADGEN, ...args],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** Video frames per stream of one protocol, once every stream has `want` (or at the deadline). */
async function framesOf(
  get: (p: string) => Promise<Json>,
  protocol: string,
  n: number,
  want: number,
): Promise<number[]> {
  let frames: number[] = [];
  await until(async () => {
    const list = ((await get("/api/v1/streams")).streams as Json[])
      .filter((s) => s.protocol === protocol);
    frames = list.map((s) => {
      const v = (s.tracks as Json[]).find((t) => t.kind === "video");
      return Number(v?.frames ?? 0);
    }).sort((a, b) => a - b);
    return frames.length === n && frames.every((f) => f === want);
  }, 15_000);
  return frames;
}

Deno.test({
  name:
    "loadgen RTP: 6 SSRCs from 6 sockets replaying rtp_h264_gst.bin give 6 streams of 60 frames",
  ...opts,
  fn: async () => {
    const ts = await startTestServer("log:\n  level: error\n");
    try {
      const r = await loadgen([
        "--port",
        `${ts.rtpPort}`,
        "--capture",
        fixture("rtp/rtp_h264_gst.bin"),
        "--ssrc-count",
        "6",
        "--sockets",
        "per-source",
        "--loops",
        "1",
        "--speed",
        "4",
        "--stagger-ms",
        "20",
      ]);
      assert.equal(r.sent, 6 * 242);
      assert.equal(r.framesPerSource, 60);
      assert.equal(r.sendErrors, 0);
      const frames = await framesOf(ts.get, "rtp", 6, 60);
      assert.deepEqual(frames, [60, 60, 60, 60, 60, 60]);
    } finally {
      await ts.stop();
    }
  },
});

Deno.test({
  name: "loadgen SRT: 4 libsrt callers sending h264_aac.ts give 4 streams with ffprobe's frames",
  ...opts,
  ignore: missing("ffprobe"),
  fn: async () => {
    const want = readPacketsCsv("ts/h264_aac.ts.v.packets.csv").length;
    const ts = await startTestServer("log:\n  level: error\n");
    try {
      const r = await loadgen([
        "--mode",
        "srt",
        "--srt-port",
        `${ts.srtPort}`,
        "--ts",
        fixture("ts/h264_aac.ts"),
        "--callers",
        "4",
        "--loops",
        "1",
        "--stagger-ms",
        "50",
      ]);
      assert.equal(r.connected, 4, JSON.stringify(r));
      assert.equal(r.sendErrors, 0);
      const frames = await framesOf(ts.get, "srt", 4, want);
      assert.deepEqual(frames, [want, want, want, want]);
    } finally {
      await ts.stop();
    }
  },
});
