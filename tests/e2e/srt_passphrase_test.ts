/**
 * SRT encryption (SRTO_PASSPHRASE, AES-128 via pbkeylen=16) with ffmpeg as the caller:
 * the listener-wide passphrase, a per-stream passphrase returned by admit (set on the
 * pending socket in the listen callback), and wrong or missing passphrases, which
 * libsrt rejects in its handshake (the listener counts them as passphrase_mismatch).
 */

import assert from "node:assert/strict";
import { fixture, missing } from "@tests/_helpers.ts";
import { ffmpegSend, finish, joined, spawn, startListener, within } from "./srt_harness.ts";

const SRC = fixture("ts/h264_aac.ts");
const GLOBAL = "listener-secret-1";
const PER_STREAM = "stream-secret-22";

function url(port: number, sid: string, pass?: string): string {
  const p = pass === undefined ? "" : `&passphrase=${pass}&pbkeylen=16`;
  return `srt://127.0.0.1:${port}?streamid=${sid}&pkt_size=1316&linger=2${p}`;
}

Deno.test({
  name: "srt e2e: passphrases: right ones deliver (secured), wrong and missing are refused",
  ignore: missing("ffmpeg"),
  async fn() {
    const h = startListener({
      passphrase: GLOBAL,
      admit: (a) => a.name === "vip" ? { ok: true, passphrase: PER_STREAM } : { ok: true },
    });
    const peers = [
      spawn("ffmpeg", ffmpegSend(SRC, url(h.port, "cam1", GLOBAL))),
      spawn("ffmpeg", ffmpegSend(SRC, url(h.port, "vip", PER_STREAM))),
      spawn("ffmpeg", ffmpegSend(SRC, url(h.port, "wrong", "not-the-secret-9"))),
      spawn("ffmpeg", ffmpegSend(SRC, url(h.port, "nopass"))),
      spawn("ffmpeg", ffmpegSend(SRC, url(h.port, "vip", GLOBAL))),
    ];
    try {
      const rs = [];
      for (const p of peers) rs.push(await finish(p, 12_000));
      assert.deepEqual(rs.map((r) => r.code === 0), [true, true, false, false, false]);
      const names = h.captured.map((c) => c.admission.name).sort();
      assert.deepEqual(names, ["cam1", "vip"]);
      for (const c of h.captured) {
        assert.notEqual(await within(c.done, 3000), "timeout");
        assert.equal(joined(c).length % 188, 0);
        assert.ok(joined(c).length > 100_000);
        assert.equal(c.closed?.last?.keyState, "secured");
        assert.equal(c.closed?.last?.packetsUndecrypted, 0);
      }
      // The three refused callers passed admission, then failed libsrt's key check:
      // counted once their pending admission expires unaccepted.
      const deadline = Date.now() + 5000;
      while ((h.listener.health().refused.passphrase_mismatch ?? 0) < 3 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(h.listener.health().refused.passphrase_mismatch, 3);
      // one log line for the three failures of 127.0.0.1 (then once a minute at most)
      assert.equal(h.logs.filter((l) => l.includes("srt_handshake_failures")).length, 1);
      assert.equal(h.listener.health().accepted, 2);
    } finally {
      for (const p of peers) p.kill();
      await Promise.all(peers.map((p) => p.status));
      await h.listener.stop();
    }
  },
});
