/**
 * Fleet on NATS end to end, against a real nats-server (JetStream) on loopback: two sluice
 * boxes publish into one server; the fleet view (scripts/fleet.ts) and a plain subscriber
 * see both; a JetStream consumer gets a stream's frames (compared with the oracle: ffmpeg's
 * own reassembly of the same RTP capture, es/oracle_h264.h264 and its ffprobe table) and
 * replays the last GOP; a NATS control request pauses a stream and answers exactly what
 * the REST API answers; the service is discoverable with $SRV.PING.
 */
import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { connect, type Msg, type NatsConnection } from "nats";
import { headers as natsHeaders } from "nats";
import { concatBytes } from "@lib/core/bits.ts";
import { BoxNames, EVENTS_STREAM, REGISTRY_BUCKET } from "@lib/fleet/names.ts";
import { missing, readFixture, readPacketsCsv } from "@tests/_helpers.ts";
import { parseCapture, replay } from "@tests/support/replay.ts";
import { startTestServer, type TestServer, until } from "./_server.ts";
import { type NatsServer, readStream, startNats, stopNats } from "./_nats.ts";

const opts = { sanitizeOps: false, sanitizeResources: false, ignore: missing("nats-server") };
type Json = Record<string, unknown>;
const TOKEN = "fleet-test-token-1";
const FLEET = new URL("../../scripts/fleet.ts", import.meta.url).pathname;

/** YAML of a box publishing into `url`. */
function boxYaml(url: string, box: string, extra = ""): string {
  return `nats:\n  servers: ["${url}"]\n  box: ${box}\n  registry: { interval: 1s, ttl: 10s }\n${extra}`;
}

/** Sends an RTP capture to a box (as fast as possible). */
async function send(ts: TestServer, name: string): Promise<void> {
  const cap = parseCapture(readFixture(`rtp/${name}.bin`));
  await replay(cap, { hostname: "127.0.0.1", port: ts.rtpPort }, { pace: "fast" });
}

/** A control request to a box; the reply's JSON and its service error code (if any). */
async function control(
  nc: NatsConnection,
  box: string,
  op: string,
  body: Json,
  token?: string,
): Promise<{ json: Json; code?: string }> {
  const h = natsHeaders();
  if (token) h.set("Authorization", `Bearer ${token}`);
  const m: Msg = await nc.request(new BoxNames(box).api(op), JSON.stringify(body), {
    timeout: 5000,
    headers: h,
  });
  return { json: m.json<Json>(), code: m.headers?.get("Nats-Service-Error-Code") || undefined };
}

/** Runs scripts/fleet.ts (killed after 20 s); its stdout lines. */
async function fleetView(url: string, ...args: string[]): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", FLEET, "--server", url, ...args],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(20_000),
  }).output();
  assert.ok(out.success, `fleet.ts ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout).trim().split("\n");
}

/** Stream JSON without the fields that move with the clock. */
function still(j: Json): Json {
  const { uptimeS: _u, bitrateBps: _b, bitrate10sBps: _b10, ...rest } = j;
  return rest;
}

Deno.test({
  name: "fleet: two boxes, one NATS server: registry, events, frames with replay, control",
  ...opts,
  async fn() {
    let nats: NatsServer | undefined;
    let a: TestServer | undefined;
    let b: TestServer | undefined;
    let nc: NatsConnection | undefined;
    try {
      nats = await startNats();
      nc = await connect({ servers: nats.url });
      const seen: Json[] = [];
      const sub = nc.subscribe("sluice.*.events", { callback: (_e, m) => seen.push(m.json()) });
      a = await startTestServer(
        boxYaml(nats.url, "boxa", '  frames: { streams: "cam*", tracks: video }\n') +
          "rtp:\n  streams: [ { ssrc: 0x12345678, name: cam1 } ]\n",
      );
      b = await startTestServer(
        boxYaml(nats.url, "boxb") + `api:\n  tokens: ["${TOKEN}"]\n` +
          "rtp:\n  streams: [ { ssrc: 0x78b5fb98, name: lobby.north } ]\n",
      );
      const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
      const health: Json[] = [];
      for (const ts of [a, b]) {
        const up = await until(async () => {
          const h = await (await fetch(`${ts.url}/api/v1/health`, auth)).json();
          return h.status === "ok" && h.nats?.state === "connected" ? h : undefined;
        });
        assert.ok(up, "both boxes connect and report ok");
        health.push(up);
      }
      // health's nats part is what the OpenAPI document says
      const doc = await (await fetch(`${a.url}/api/v1/openapi.json`)).json();
      const ajv = new Ajv2020({ strict: false, allErrors: true });
      // deno-lint-ignore no-explicit-any
      (addFormats as any)(ajv);
      ajv.addSchema(doc, "api");
      for (const h of health) {
        assert.ok(ajv.validate({ $ref: "api#/components/schemas/Health" }, h), ajv.errorsText());
      }
      const odd = { ...health[0], nats: { ...(health[0].nats as Json), unknownField: 1 } };
      assert.ok(!ajv.validate({ $ref: "api#/components/schemas/Health" }, odd), "schema is closed");
      await send(a, "rtp_h264_ffmpeg");
      await send(b, "rtp_h265_ffmpeg");

      // Registry: both boxes' entries in the KV bucket, read by a plain client.
      const js = nc.jetstream();
      const kv = await js.views.kv(REGISTRY_BUCKET, { bindOnly: true });
      const entryA = await until(async () => {
        const e = await kv.get("boxa.cam1");
        const j = e?.json<Json>();
        return (j?.tracks as Json[] | undefined)?.[0]?.frames === 60 ? j : undefined;
      });
      assert.ok(entryA, "boxa.cam1 in the registry with its 60 frames");
      const entryB = await until(async () => (await kv.get("boxb.lobby=2Enorth"))?.json<Json>());
      assert.equal(entryB?.id, "lobby.north", "a stream id with a dot is escaped in the key");

      // The fleet view, reading only from NATS, sees both boxes.
      const rows = JSON.parse((await fleetView(nats.url, "--json")).join("\n")) as Json[];
      const brief = rows.map((r) => [r.box, r.stream, r.protocol, (r.codecs as string[]).join()]);
      assert.deepEqual(brief, [["boxa", "cam1", "rtp", "h264"], [
        "boxb",
        "lobby.north",
        "rtp",
        "h265",
      ]]);

      // Frames: a JetStream consumer gets cam1's 60 access units, equal to ffmpeg's own
      // reassembly of the same capture (sizes, keyframes, bytes).
      const track = (entryA.tracks as Json[])[0].id as number;
      const names = new BoxNames("boxa");
      const subject = names.frames("cam1", track);
      const oracle = readPacketsCsv("es/oracle_h264.h264.packets.csv");
      const msgs = await until(async () => {
        const m = await readStream(js, names.framesStream, subject);
        return m.length >= oracle.length ? m : undefined;
      });
      assert.ok(msgs, "frames stored in the box's frames stream");
      assert.deepEqual(
        msgs.map((m) => [m.data.length, m.headers?.get("Sluice-Key") === "1"]),
        oracle.map((r) => [r.size, r.key]),
      );
      assert.deepEqual(
        concatBytes(msgs.map((m) => m.data)),
        readFixture("es/oracle_h264.h264"),
        "frame bytes are the oracle's",
      );
      const h0 = msgs[0].headers!;
      assert.equal(h0.get("Sluice-Codec"), "h264");
      assert.equal(h0.get("Sluice-Stream"), "cam1");
      assert.equal(h0.get("Sluice-Clock-Rate"), "90000");
      assert.deepEqual(
        msgs.map((m) => Number(m.headers?.get("Sluice-Gop"))),
        oracle.map((_, i) => (i < 30 ? 0 : 1)),
        "GOP index: a keyframe starts each GOP",
      );
      assert.ok(!subject.includes("boxb") && !msgs.some((m) => m.subject !== subject));

      // Replay the last GOP: its keyframe's sequence is in the newest frame's headers.
      const jsm = await nc.jetstreamManager();
      const last = await jsm.streams.getMessage(names.framesStream, { last_by_subj: subject });
      const gopSeq = Number(last.header.get("Sluice-Gop-Seq"));
      assert.ok(gopSeq > 0, "Sluice-Gop-Seq on the last frame");
      const gop = await readStream(js, names.framesStream, subject, gopSeq);
      const lastKey = oracle.map((r) => r.key).lastIndexOf(true);
      assert.equal(gop.length, oracle.length - lastKey, "the last GOP's frames");
      assert.equal(gop[0].headers?.get("Sluice-Key"), "1");
      assert.deepEqual(gop.map((m) => m.data.length), oracle.slice(lastKey).map((r) => r.size));

      // Control: discovery, then pause on boxb (token required there), replies = REST bodies.
      const pings: string[] = [];
      for await (const p of await nc.services.client().ping("sluice")) {
        pings.push(p.metadata?.box ?? "");
      }
      assert.deepEqual(pings.sort(), ["boxa", "boxb"], "$SRV.PING finds both boxes");
      const denied = await control(nc, "boxb", "streams.pause", { id: "lobby.north" });
      assert.equal(denied.code, "401");
      assert.deepEqual(Object.keys(denied.json), ["error"]);
      const paused = await control(nc, "boxb", "streams.pause", { id: "lobby.north" }, TOKEN);
      assert.equal(paused.code, undefined);
      assert.equal(paused.json.state, "paused");
      const rest = await (await fetch(`${b.url}/api/v1/streams/lobby.north`, auth)).json();
      assert.deepEqual(still(paused.json), still(rest), "the reply is the REST body");
      const again = await control(nc, "boxb", "streams.pause", { id: "lobby.north" }, TOKEN);
      const restAgain = await fetch(`${b.url}/api/v1/streams/lobby.north/pause`, {
        method: "POST",
        ...auth,
      });
      assert.equal(again.code, "409");
      assert.deepEqual(again.json, await restAgain.json(), "errors are the REST error body");
      const list = await control(nc, "boxa", "streams.list", {});
      assert.deepEqual(
        (list.json.streams as Json[]).map((s) => s.id),
        ["cam1"],
      );
      const unknown = await control(nc, "boxa", "streams.get", { id: "nope" });
      assert.equal(unknown.code, "404");
      const bad = await control(nc, "boxa", "streams.get", {});
      assert.equal(bad.code, "400");

      // Events: a plain subscriber saw both boxes open their streams and boxb pause.
      const ok = await until(() =>
        seen.some((e) =>
          e.box === "boxb" && e.type === "stream.state" &&
          (e.data as Json).to === "paused"
        )
      );
      assert.ok(ok, "pause event on sluice.boxb.events");
      for (const box of ["boxa", "boxb"]) {
        assert.ok(
          seen.some((e) => e.box === box && e.type === "stream.opened"),
          `${box} stream.opened`,
        );
      }
      // The fleet view's --watch and --events (replayed from sluice_events) see the pause.
      const watched = (await fleetView(nats.url, "--watch", "--json", "--seconds", "2"))
        .map((l) => JSON.parse(l));
      assert.ok(
        watched.some((w) => w.key === "boxb.lobby=2Enorth" && w.row?.state === "paused"),
        "--watch shows lobby.north paused",
      );
      const followed =
        (await fleetView(nats.url, "--events", "--since", "1m", "--json", "--seconds", "2"))
          .map((l) => JSON.parse(l));
      assert.ok(
        followed.some((e) =>
          e.box === "boxb" && e.type === "stream.state" && e.data.to === "paused"
        ),
        "--events shows the pause",
      );
      assert.ok(followed.some((e) => e.box === "boxa"), "--events follows every box");
      assert.ok(!seen.some((e) => e.type === "stream.stats"), "per-second telemetry stays local");
      const evInfo = await jsm.streams.info(EVENTS_STREAM);
      assert.ok(evInfo.state.messages >= seen.length - 2, "events kept in sluice_events");
      sub.unsubscribe();
    } finally {
      await nc?.close();
      await a?.stop();
      await b?.stop();
      await stopNats(nats);
    }
  },
});
