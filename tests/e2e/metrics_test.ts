/**
 * /metrics on a live sluice with real peers: an SRT publisher (ffmpeg, H.264 + AAC), an RTP
 * publisher (ffmpeg, H.264), a recorded-pace replay of a GStreamer H.265 RTP capture and a
 * UDP output, all at once. Oracles: `promtool check metrics` (zero problems on every
 * scrape), counters that never decrease between two scrapes while the streams run,
 * histogram buckets cumulative with +Inf = `_count`, `sluice_frame_latency_seconds_count`
 * equal to the frames the same scrape says were assembled (per protocol and codec), and a
 * closed stream's series gone once `ingestion.closed_retention` has passed.
 */
import assert from "node:assert/strict";
import { freePort, missing, readFixture } from "@tests/_helpers.ts";
import { parseCapture, replay } from "@tests/support/replay.ts";
import {
  parseExposition,
  promtoolCheck,
  type Sample,
  select,
  seriesKey,
  sum,
} from "@tests/support/exposition.ts";
import { startTestServer, type TestServer, until } from "./_server.ts";
import { finish, type Peer, sleep, spawn } from "./srt_harness.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
type Json = Record<string, unknown>;

/** ffmpeg making `seconds` of test pattern (and a tone) in real time, to `out` args. */
function ffmpegLive(seconds: number, audio: boolean, out: string[]): string[] {
  return [
    "-hide_banner",
    "-loglevel",
    "error",
    "-re",
    "-f",
    "lavfi",
    "-i",
    `testsrc=size=320x240:rate=25:duration=${seconds}`,
    ...(audio ? ["-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`] : []),
    "-c:v",
    "libx264",
    "-g",
    "25",
    "-bf",
    "0",
    ...(audio ? ["-c:a", "aac"] : []),
    ...out,
  ];
}

async function scrape(ts: TestServer): Promise<{ text: string; samples: Sample[] }> {
  const r = await fetch(`${ts.url}/metrics`);
  const text = await r.text();
  return { text, samples: parseExposition(text) };
}

/** Family name -> TYPE, from the exposition's comments. */
function types(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out.set(m[1], m[2]);
  return out;
}

/** True for samples that must never decrease: counters and every histogram line. */
function monotonic(s: Sample, t: Map<string, string>): boolean {
  if (t.get(s.name) === "counter") return true;
  const base = s.name.replace(/_(bucket|sum|count)$/, "");
  return base !== s.name && t.get(base) === "histogram";
}

async function streamsById(ts: TestServer): Promise<Map<string, Json>> {
  const list = (await ts.get("/api/v1/streams")).streams as Json[];
  return new Map(list.map((s) => [s.id as string, s]));
}

function videoFrames(s: Json | undefined): number {
  const t = (s?.tracks as Json[] | undefined)?.find((t) => t.kind === "video");
  return (t?.frames as number | undefined) ?? 0;
}

const LATENCY = "sluice_frame_latency_seconds";
const MEDIA = [["srt", "h264"], ["srt", "aac"], ["rtp", "h264"], ["rtp", "h265"]] as const;

Deno.test({
  name: "metrics e2e: live scrape with SRT, RTP, a replay and an output passes promtool; " +
    "counters rise, histograms add up, closed streams' series expire",
  ignore: missing("ffmpeg", "promtool"),
  ...opts,
  async fn() {
    const outPort = freePort("udp");
    const ts = await startTestServer(
      `ingestion:\n  closed_retention: 300ms\n` +
        `rtp:\n  streams:\n    - { ssrc: 0x5151, name: rtpcam, payload_types: { 96: "H264/90000" } }\n` +
        `outputs:\n  - { name: lan, stream: cam1, url: "udp://127.0.0.1:${outPort}?ttl=1" }\n`,
    );
    const peers: Peer[] = [];
    try {
      const base = (await scrape(ts)).samples; // the latency histogram is process-wide
      peers.push(spawn(
        "ffmpeg",
        ffmpegLive(30, true, [
          "-f",
          "mpegts",
          `srt://127.0.0.1:${ts.srtPort}?pkt_size=1316&streamid=cam1`,
        ]),
      ));
      peers.push(spawn(
        "ffmpeg",
        ffmpegLive(30, false, [
          "-ssrc",
          String(0x5151),
          "-payload_type",
          "96",
          "-f",
          "rtp",
          `rtp://127.0.0.1:${ts.rtpPort}`,
        ]),
      ));
      const up = await until(async () => {
        const s = await streamsById(ts);
        return videoFrames(s.get("cam1")) > 10 && videoFrames(s.get("rtpcam")) > 10;
      }, 20_000);
      assert.ok(up, "SRT and RTP streams have frames");
      const capture = parseCapture(readFixture("rtp/rtp_h265_gst.bin"));
      const ssrc = new DataView(capture[0].data.buffer, capture[0].data.byteOffset).getUint32(8);
      const replayed = `ssrc-${ssrc.toString(16).padStart(8, "0")}`;
      const replaying = replay(capture, { hostname: "127.0.0.1", port: ts.rtpPort }, {
        pace: "recorded",
      });
      assert.ok(
        await until(async () => videoFrames((await streamsById(ts)).get(replayed)) > 0, 5000),
        "replayed stream has frames",
      );

      const a = await scrape(ts);
      await sleep(800);
      const b = await scrape(ts);
      await replaying;

      // promtool: not one problem, on either scrape
      for (const s of [a, b]) {
        const r = await promtoolCheck(s.text);
        assert.deepEqual(r.problems, [], r.problems.join("\n"));
        assert.equal(r.code, 0);
      }

      // counters (and histogram lines) never decrease; the streams' counters did rise
      const t = types(b.text);
      const before = new Map(a.samples.map((s) => [seriesKey(s), s.value]));
      let compared = 0;
      for (const s of b.samples) {
        const old = before.get(seriesKey(s));
        if (old === undefined || !monotonic(s, t)) continue;
        compared++;
        assert.ok(s.value >= old, `${seriesKey(s)} went from ${old} to ${s.value}`);
      }
      assert.ok(compared > 50, `${compared} counter series compared`);
      for (const stream of ["cam1", "rtpcam"]) {
        const pa = sum(a.samples, "sluice_stream_packets_total", { stream });
        const pb = sum(b.samples, "sluice_stream_packets_total", { stream });
        assert.ok(pb > pa && pa > 0, `${stream} packets ${pa} -> ${pb}`);
      }
      for (const f of ["sluice_srt_received_packets_total", "sluice_rtp_packets_total"]) {
        assert.ok(select(b.samples, f).length > 0, `${f} present`);
      }
      assert.equal(
        select(b.samples, "sluice_rtp_ssrc_info", { stream: "rtpcam" })[0]?.labels.ssrc,
        "20817",
      );
      assert.ok(select(b.samples, "sluice_output_state", { output: "lan" }).length > 0);
      // the SRT stream's H.264 PES were collected into at least one slab
      assert.ok(sum(b.samples, "sluice_pes_slabs_total", { source: "fresh" }) >= 1);
      assert.equal(select(b.samples, "sluice_pes_slabs_spare").length, 1);

      // histograms: buckets cumulative in le order, +Inf = _count
      for (const [name, type] of t) {
        if (type !== "histogram") continue;
        const counts = select(b.samples, `${name}_count`);
        assert.ok(counts.length > 0, `${name} has series`);
        for (const c of counts) {
          const buckets = select(b.samples, `${name}_bucket`, c.labels)
            .filter((x) => Object.keys(x.labels).length === Object.keys(c.labels).length + 1)
            .sort((x, y) => Number(x.labels.le) - Number(y.labels.le));
          for (let i = 1; i < buckets.length; i++) {
            assert.ok(buckets[i].value >= buckets[i - 1].value, `${seriesKey(buckets[i])}`);
          }
          assert.equal(buckets.at(-1)?.labels.le, "+Inf");
          assert.equal(buckets.at(-1)?.value, c.value, `${seriesKey(c)} = +Inf bucket`);
        }
      }

      // frame latency _count = frames handed on, per protocol and codec, in the same scrape
      for (const reason of ["paused", "await_keyframe"]) {
        assert.equal(sum(b.samples, "sluice_stream_drops_total", { reason }), 0, reason);
      }
      for (const [protocol, codec] of MEDIA) {
        const frames = sum(b.samples, "sluice_track_frames_total", { protocol, codec });
        const observed = sum(b.samples, `${LATENCY}_count`, { protocol, codec }) -
          sum(base, `${LATENCY}_count`, { protocol, codec });
        assert.ok(frames > 0, `${protocol}/${codec} frames`);
        assert.equal(observed, frames, `${protocol}/${codec}: latency count vs frames`);
      }
      assert.ok(
        select(b.samples, "sluice_api_request_duration_seconds_count", {
          route: "/api/v1/streams",
          status: "200",
        }).length === 1,
        "API requests by route pattern",
      );

      // publishers stop: the streams close, and their series go after the retention
      for (const p of peers) p.kill("SIGINT");
      for (const p of peers) await finish(p, 10_000);
      const gone = await until(async () => {
        const { samples } = await scrape(ts);
        const left = samples.filter((s) =>
          s.labels.stream === "cam1" || s.labels.stream === "rtpcam"
        );
        return left.length === 0 ? samples : undefined;
      }, 30_000); // a publisher that does not say goodbye is noticed after libsrt's idle timeout
      const listed = [...(await streamsById(ts)).values()].map((s) => `${s.id}:${s.state}`);
      assert.ok(gone, `cam1 and rtpcam series gone after closed_retention (listed: ${listed})`);
      assert.ok(!(await streamsById(ts)).has("cam1"), "cam1 no longer listed");
      assert.ok(select(gone, `${LATENCY}_count`, { protocol: "srt", codec: "h264" }).length === 1);
      const r = await promtoolCheck((await scrape(ts)).text);
      assert.deepEqual(r.problems, []);
    } finally {
      for (const p of peers) p.kill();
      await Promise.all(peers.map((p) => p.status));
      await ts.stop();
    }
  },
});
