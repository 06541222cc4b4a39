/**
 * The dashboard in a real Chromium (tests/e2e/_browser.ts): ffmpeg publishes live H.264
 * (+AAC) over SRT while RTP captures of AV1 and H.265 are replayed in a loop. The wall
 * must show the three tiles; the H.264 and AV1 pictures must be real pictures decoded by
 * the browser's WebCodecs at the track's size (canvas pixels sampled: not uniform, not
 * black); the H.265 tile must say why it has none; the stream page's bitrate graph must
 * gain points; the outputs panel shows cam1's UDP relay; Pause in the page must pause the
 * stream (checked through the API); the
 * page must fit a phone and be keyboard reachable; no console errors anywhere. A box
 * with api.tokens must prompt for the token and then work. Screenshots of the wall, a
 * stream page, the system page and the wall on a phone are taken (see SHOTS).
 */
import assert from "node:assert/strict";
import { freePort, missing } from "../_helpers.ts";
import { readCapture } from "../support/replay.ts";
import { loopCapture } from "../support/rtp.ts";
import { replay } from "../support/replay.ts";
import { chromiumPath, launch } from "./_browser.ts";
import { startTestServer, type TestServer, until } from "./_server.ts";
import { type Peer, spawn } from "./srt_harness.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
type Json = Record<string, unknown>;
/**
 * Where screenshots go: docs/screenshots/ (committed, linked from the README) when
 * SLUICE_SCREENSHOTS=1, else a temporary folder, so a test run leaves the tree clean.
 */
const KEEP_SHOTS = Deno.env.get("SLUICE_SCREENSHOTS") === "1";
const SHOTS = KEEP_SHOTS
  ? new URL("../../docs/screenshots/", import.meta.url)
  : new URL(`file://${Deno.makeTempDirSync({ prefix: "sluice_shots_" })}/`);

/** Skip (not in CI) when Chromium is absent, like missing() does for programs. */
function noChromium(): boolean {
  if (chromiumPath()) return false;
  if (Deno.env.get("CI") === "true") return false;
  console.warn("skipping: chromium not installed");
  return true;
}

/** Replays a capture as one continuous stream (30 copies back to back) until aborted. */
function loopReplay(ts: TestServer, name: string, signal: AbortSignal): Promise<unknown> {
  const dgrams = loopCapture(readCapture(`rtp/${name}.bin`), 30);
  return replay(dgrams, { hostname: "127.0.0.1", port: ts.rtpPort }, { pace: "recorded", signal });
}

/** Live 640x360 H.264 + AAC from ffmpeg's test source, published over SRT as `sid`. */
function publishSrt(ts: TestServer, sid: string): Peer {
  return spawn("ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-re",
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=640x360:rate=25",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:sample_rate=48000",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-tune",
    "zerolatency",
    "-g",
    "25",
    "-b:v",
    "800k",
    "-c:a",
    "aac",
    "-b:a",
    "64k",
    "-f",
    "mpegts",
    `srt://127.0.0.1:${ts.srtPort}?streamid=${sid}&pkt_size=1316`,
  ]);
}

/** Luma statistics of a tile's canvas, sampled in the page. */
interface Pixels {
  width: number;
  height: number;
  min: number;
  max: number;
  mean: number;
  colors: number;
}

const SAMPLE = (c: HTMLCanvasElement): Pixels => {
  const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
  let min = 255, max = 0, sum = 0, n = 0;
  const colors = new Set<number>();
  for (let i = 0; i < d.length; i += 4 * 31) {
    const y = (d[i] * 299 + d[i + 1] * 587 + d[i + 2] * 114) / 1000;
    min = Math.min(min, y);
    max = Math.max(max, y);
    sum += y;
    n++;
    colors.add(((d[i] >> 4) << 8) | ((d[i + 1] >> 4) << 4) | (d[i + 2] >> 4));
  }
  return { width: c.width, height: c.height, min, max, mean: sum / n, colors: colors.size };
};

async function streamByCodec(ts: TestServer, codec: string): Promise<Json | undefined> {
  const list = (await ts.get("/api/v1/streams")).streams as Json[];
  return list.find((s) => (s.codecs as string[]).includes(codec) && s.protocol === "rtp");
}

Deno.test({
  name: "dashboard: wall with pictures decoded by Chromium, stream page, pause, phone, keyboard",
  ignore: missing("ffmpeg") || noChromium(),
  ...opts,
  async fn() {
    // an output taking cam1 (UDP to a free port: sending needs no receiver)
    const ts = await startTestServer(
      `outputs:\n  - name: lan\n    stream: "cam*"\n    url: "udp://127.0.0.1:${
        freePort("udp")
      }"\n`,
    );
    const stop = new AbortController();
    const loops = [
      loopReplay(ts, "rtp_av1_ffmpeg81", stop.signal),
      loopReplay(ts, "rtp_h265_gst", stop.signal),
    ];
    const ff = publishSrt(ts, "cam1");
    const b = await launch(1280, 720);
    const { page, errors } = b;
    try {
      const av1 = await until(() => streamByCodec(ts, "av1"), 15_000);
      const h265 = await until(() => streamByCodec(ts, "h265"), 15_000);
      assert.ok(av1 && h265, "the RTP streams are there");
      await page.goto(ts.url + "/");
      const tile = (id: unknown) => page.locator(`article.tile[data-stream="${id}"]`);
      for (const id of ["cam1", av1.id, h265.id]) await tile(id).waitFor({ timeout: 15_000 });

      // real pictures, at the size the server parsed from the parameter sets
      for (const [id, codec] of [["cam1", "avc1."], [av1.id as string, "av01."]]) {
        const canvas = tile(id).locator(".picture canvas");
        await page.waitForFunction(
          (id) =>
            Number(
              document.querySelector(`[data-stream="${id}"] .picture canvas`)?.getAttribute(
                "data-frames",
              ),
            ) >= 1,
          id,
          { timeout: 15_000 },
        );
        assert.ok((await canvas.getAttribute("data-codec"))?.startsWith(codec), `${id} codec`);
        const px = await canvas.evaluate(SAMPLE);
        const s = await ts.get(`/api/v1/streams/${id}`);
        const v = (s.tracks as Json[]).find((t) => t.kind === "video")!;
        assert.equal(px.width, v.width, `${id}: decoded width`);
        assert.equal(px.height, v.height, `${id}: decoded height`);
        assert.ok(px.max - px.min > 60, `${id}: not uniform ${JSON.stringify(px)}`);
        assert.ok(px.mean > 20 && px.colors > 20, `${id}: not black ${JSON.stringify(px)}`);
      }
      // the live H.264 picture follows new GOPs
      const firstPts = await tile("cam1").locator(".picture canvas").getAttribute("data-pts");
      await page.waitForFunction(
        (pts) =>
          document.querySelector('[data-stream="cam1"] .picture canvas')?.getAttribute(
            "data-pts",
          ) !== pts,
        firstPts,
        { timeout: 10_000 },
      );
      const note = tile(h265.id).locator(".note");
      await note.filter({ hasText: "H.265" }).waitFor({ timeout: 10_000 });
      assert.match(await note.innerText(), /cannot decode H\.265/);
      // the wall refreshes its list every 2 s: the audio's sample rate, parsed from the first
      // ADTS frame, may reach the tile one refresh after the tile first showed the track
      const codecs = tile("cam1").locator(".codecs");
      await codecs.filter({ hasText: /aac 48 kHz/ }).waitFor({ timeout: 10_000 });
      assert.match(await codecs.innerText(), /h264 640x360 .*aac 48 kHz/);
      await page.waitForFunction(
        () =>
          Number(
            document.querySelector('[data-stream="cam1"] .spark')?.getAttribute("data-points"),
          ) >= 2,
        null,
        { timeout: 10_000 },
      );
      await Deno.mkdir(SHOTS, { recursive: true });
      await page.screenshot({ path: new URL("wall.png", SHOTS).pathname });

      // keyboard: Tab reaches the first tile's link, Enter opens the stream page
      let focused = "";
      for (let i = 0; i < 12 && !focused.startsWith("#/stream/"); i++) {
        await page.keyboard.press("Tab");
        focused = await page.evaluate(() => document.activeElement?.getAttribute("href") ?? "");
      }
      assert.ok(focused.startsWith("#/stream/"), `Tab reached a tile link (got ${focused})`);
      await page.goto(`${ts.url}/#/stream/cam1`);
      const chart = page.locator("#bitrate-chart");
      await chart.waitFor();
      const points = async () => Number(await chart.getAttribute("data-points") ?? 0);
      await page.waitForFunction(
        () => Number(document.querySelector("#bitrate-chart")?.getAttribute("data-points")) >= 1,
        null,
        { timeout: 10_000 },
      );
      const before = await points();
      await page.waitForFunction(
        (n) => Number(document.querySelector("#bitrate-chart")?.getAttribute("data-points")) > n,
        before,
        { timeout: 10_000 },
      );
      await page.locator("p.muted", { hasText: "GOPs buffered" }).waitFor({ timeout: 10_000 });
      // the A/V sync panel shows the stream's reference (MPEG-TS over SRT: the PCR)
      await page.locator(".sync-status dd", { hasText: "pcr" }).first()
        .waitFor({ timeout: 10_000 });
      await page.locator("tr[data-output=lan] td", { hasText: "connected" }).first()
        .waitFor({ timeout: 10_000 });
      await page.locator("table td", { hasText: "aac" }).first().waitFor();
      await page.screenshot({ path: new URL("stream.png", SHOTS).pathname, fullPage: true });

      // pause and resume from the page; the API says what happened
      await page.locator("button[data-action=pause]").click();
      assert.ok(
        await until(async () => (await ts.get("/api/v1/streams/cam1")).state === "paused", 5000),
        "paused through the page",
      );
      const drops = async () => ((await ts.get("/api/v1/streams/cam1")).drops as Json).paused ?? 0;
      assert.ok(await until(async () => (await drops()) as number > 0, 5000), "frames dropped");
      await page.locator("button[data-action=resume]:not([disabled])").click();
      assert.ok(
        await until(async () => (await ts.get("/api/v1/streams/cam1")).state === "active", 5000),
        "resumed through the page",
      );

      // system page: memory, listeners, recent events
      await page.goto(`${ts.url}/#/system`);
      await page.locator(".log li", { hasText: "cam1 opened" }).waitFor({ timeout: 10_000 });
      await page.locator("meter").first().waitFor();
      await page.screenshot({ path: new URL("system.png", SHOTS).pathname });

      // a phone: nothing wider than the screen
      await page.setViewportSize({ width: 390, height: 844 });
      for (const hash of ["#/", "#/stream/cam1", "#/system"]) {
        await page.goto(`${ts.url}/${hash}`);
        await page.locator("main *").first().waitFor();
        await page.waitForTimeout(300);
        const w = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(w <= 390, `${hash} fits a phone (scrollWidth ${w})`);
        if (hash === "#/") await page.screenshot({ path: new URL("phone.png", SHOTS).pathname });
      }
      assert.deepEqual(errors, [], "no console errors");
    } finally {
      stop.abort();
      ff.kill();
      await b.close();
      await Promise.allSettled([ff.status, ...loops]);
      await ts.stop();
      if (!KEEP_SHOTS) await Deno.remove(SHOTS, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "dashboard: a token-protected box prompts for the token, then works",
  ignore: noChromium(),
  ...opts,
  async fn() {
    const ts = await startTestServer("api:\n  tokens: [dashboard-token-1]\n");
    const b = await launch(1280, 720);
    const { page, errors } = b;
    try {
      const r = await fetch(`${ts.url}/api/v1/streams`);
      assert.equal(r.status, 401, "the API wants the token");
      await r.body?.cancel();
      await page.goto(ts.url + "/");
      const dlg = page.locator("#token-dialog");
      await dlg.waitFor({ state: "visible" });
      await page.locator("#token-input").fill("dashboard-token-1");
      await page.keyboard.press("Enter");
      await page.locator("p.empty", { hasText: "No streams yet" }).waitFor();
      await page.locator("#conn[data-state=ok]").waitFor({ timeout: 10_000 });
      await page.goto(`${ts.url}/#/system`);
      await page.locator("meter").first().waitFor({ timeout: 10_000 });
      assert.equal(
        await page.evaluate(() => sessionStorage.getItem("sluice.token")),
        "dashboard-token-1",
      );
      assert.deepEqual(errors, [], "no console errors (no request went out without the token)");
    } finally {
      await b.close();
      await ts.stop();
    }
  },
});
