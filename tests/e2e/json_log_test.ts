/**
 * End to end: with `log.format: json` every line sluice writes to stderr is one JSON
 * object, libsrt's own lines included (routed through srt_setloghandler,
 * lib/transport/srt/log_bridge.ts): a run with an ffmpeg caller using the wrong passphrase
 * (libsrt logs the rejected handshake), a good one, garbage on the RTP port, a SIGHUP
 * and a SIGTERM.
 */
import assert from "node:assert/strict";
import { fixture, missing } from "@tests/_helpers.ts";
import { spawnSluice, until } from "./_server.ts";
import { ffmpegSend, finish, spawn } from "./srt_harness.ts";

const SECRET = "json-log-secret-1";

Deno.test({
  name: "e2e: log.format json holds for every stderr line, libsrt's included",
  ignore: missing("ffmpeg"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const yaml = `srt:\n  passphrase: ${SECRET}\nlog:\n  format: json\n`;
    const p = await spawnSluice(yaml);
    try {
      const url = (sid: string, pass: string) =>
        `srt://127.0.0.1:${p.srtPort}?streamid=${sid}&pkt_size=1316&linger=2&passphrase=${pass}&pbkeylen=16`;
      const ts = fixture("ts/h264_aac.ts");
      const bad = await finish(
        spawn("ffmpeg", ffmpegSend(ts, url("bad", "not-the-secret-7"))),
        15_000,
      );
      assert.notEqual(bad.code, 0);
      const good = await finish(spawn("ffmpeg", ffmpegSend(ts, url("good", SECRET))), 15_000);
      assert.equal(good.code, 0, good.stderr);
      const u = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
      await u.send(new Uint8Array([1, 2, 3, 4, 5]), {
        transport: "udp",
        hostname: "127.0.0.1",
        port: p.rtpPort,
      });
      u.close();
      await p.reload(yaml);
      assert.ok(await until(() => p.lines().some((l) => l.includes('"srt.libsrt"')), 8000));
    } finally {
      assert.equal(await p.stop(), 0);
    }
    const lines = p.lines().filter((l) => l.length > 0);
    assert.ok(lines.length > 5);
    for (const l of lines) {
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(l);
      } catch {
        throw new Error(`not JSON: ${l}`);
      }
      assert.equal(typeof o.event, "string", l);
      assert.equal(typeof o.time, "string", l);
    }
    const srt = lines.map((l) => JSON.parse(l)).filter((o) => o.event === "srt.libsrt");
    assert.ok(srt.some((o) => /encrypt|KMREQ|passphrase|decrypt/i.test(String(o.message))));
    assert.ok(lines.some((l) => l.includes('"shutdown.done"')));
  },
});
