/**
 * End to end: a second sluice process on the same ports cannot take the traffic. Its RTP
 * and SRT binds fail (no SO_REUSEADDR on UDP, SRTO_REUSEADDR off) with the address in the
 * reason, its /health says `degraded`, RTP datagrams keep reaching the first process; a
 * third one whose API address is taken exits 1 naming that address.
 */
import assert from "node:assert/strict";
import { sluiceCommand, spawnSluice, until } from "./_server.ts";
import { tinyRtp } from "@tests/support/rtp.ts";

type Json = Record<string, unknown>;

Deno.test({
  name: "e2e: a second sluice on the same ports fails its binds (degraded); traffic stays",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const a = await spawnSluice("ingestion:\n  connect_timeout: 60s\n");
    let b: Awaited<ReturnType<typeof spawnSluice>> | undefined;
    try {
      b = await spawnSluice("", { srt: a.srtPort, rtp: a.rtpPort });
      const h = await b.get("/api/v1/health");
      assert.equal(h.status, "degraded");
      const ls = h.listeners as Record<string, Json>;
      assert.equal(ls.rtp.enabled, false);
      assert.match(
        String(ls.rtp.reason),
        new RegExp(`127\\.0\\.0\\.1:${a.rtpPort}.*(EADDRINUSE|in use)`),
      );
      if (!/libsrt_not_found/.test(String(ls.srt.reason))) {
        assert.equal(ls.srt.enabled, false);
        assert.match(String(ls.srt.reason), new RegExp(`127\\.0\\.0\\.1:${a.srtPort}`));
      }
      assert.ok((h.reasons as string[]).some((r) => r.startsWith("rtp: ")));
      assert.equal((await a.get("/api/v1/health")).status, "ok");

      const u = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
      const to = { transport: "udp" as const, hostname: "127.0.0.1", port: a.rtpPort };
      for (let i = 1; i <= 20; i++) await u.send(tinyRtp(i, 0xabc), to);
      u.close();
      const got = await until(async () => {
        const s = (await a.get("/api/v1/streams")).streams as Json[];
        return s.length ? s : undefined;
      }, 5000);
      assert.ok(got, "the first instance still gets the RTP traffic");
      assert.equal(((await b.get("/api/v1/streams")).streams as Json[]).length, 0);

      const cfg = await Deno.makeTempFile({ suffix: ".yaml" });
      try {
        await Deno.writeTextFile(
          cfg,
          `ingestion:\n  bind: 127.0.0.1\n  srt_port: ${a.srtPort + 7}\n  rtp_port: ${
            (a.rtpPort + 10) & ~1
          }\napi:\n  listen: 127.0.0.1:${a.apiPort}\n`,
        );
        const c = await sluiceCommand(["--config", cfg]).output();
        assert.equal(c.code, 1);
        assert.match(
          new TextDecoder().decode(c.stderr),
          new RegExp(`api\\.listen 127\\.0\\.0\\.1:${a.apiPort}: .*(in use|AddrInUse)`, "i"),
        );
      } finally {
        await Deno.remove(cfg);
      }
    } finally {
      await b?.stop();
      await a.stop();
    }
  },
});
