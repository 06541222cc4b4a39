/**
 * End to end: spoofed RTCP through real sockets into a running sluice. A BYE and an SR for
 * a live source's SSRC sent from another port of the same host change nothing and are
 * counted `rtcp_spoofed` (stats portErrors, sluice_port_errors_total); the sender's own
 * SR (from RTP port + 1) sets the NTP mapping and its BYE closes the stream.
 */
import assert from "node:assert/strict";
import { senderPorts, startTestServer, until } from "./_server.ts";
import { tinyRtp } from "@tests/support/rtp.ts";

type Json = Record<string, unknown>;
const SSRC = 0x5eed;

function sr(ntpSec: number): Uint8Array {
  const b = new Uint8Array(28);
  b.set([0x80, 200, 0, 6]);
  const v = new DataView(b.buffer);
  v.setUint32(4, SSRC);
  v.setUint32(8, ntpSec);
  return b;
}

const BYE = new Uint8Array([
  0x80,
  201,
  0,
  1,
  0,
  0,
  0,
  9, // empty RR (a compound starts with SR/RR)
  0x81,
  203,
  0,
  1,
  0,
  0,
  (SSRC >> 8) & 0xff,
  SSRC & 0xff,
]);

Deno.test({
  name: "e2e rtp: spoofed RTCP from another port neither closes nor re-times a stream",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const ts = await startTestServer("ingestion:\n  connect_timeout: 60s\n");
    const [media, control] = senderPorts();
    const evil = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    const rtpTo = { transport: "udp" as const, hostname: "127.0.0.1", port: ts.rtpPort };
    const rtcpTo = { ...rtpTo, port: ts.rtpPort + 1 };
    const id = `ssrc-${SSRC.toString(16).padStart(8, "0")}`;
    try {
      for (let i = 1; i <= 5; i++) await media.send(tinyRtp(i, SSRC), rtpTo);
      assert.ok(await until(async () => (await fetch(`${ts.url}/api/v1/streams/${id}`)).ok));
      await control.send(sr(1000), rtcpTo); // the sender's own SR: NTP 1000 s
      await evil.send(sr(2_000_000_000), rtcpTo); // another port: ignored
      await evil.send(sr(2_000_000_000), rtpTo); // muxed, another port: ignored
      await evil.send(BYE, rtcpTo); // must not close the stream
      await new Promise((r) => setTimeout(r, 1600)); // past the BYE grace and a stats tick
      const s = await ts.get(`/api/v1/streams/${id}`);
      assert.notEqual(s.state, "closed", "a spoofed BYE closed the stream");
      // NTP 1000 s (epoch 1900) in Unix ms: the sender's SR, not the spoofed one
      assert.equal((s.transport as Json).srNtpUnixMs, (1000 - 2_208_988_800) * 1000);
      const pe = (await ts.get("/api/v1/stats")).portErrors as Record<string, number>;
      assert.equal(pe.rtp_rtcp_spoofed, 3);
      const metrics = await (await fetch(`${ts.url}/metrics`)).text();
      assert.match(metrics, /sluice_port_errors_total\{listener="rtp",reason="rtcp_spoofed"\} 3/);
      await control.send(BYE, rtcpTo); // the sender's BYE closes it
      const closed = await until(async () => {
        const x = await ts.get(`/api/v1/streams/${id}`);
        return x.state === "closed" ? x : undefined;
      }, 5000);
      assert.equal(closed?.closeReason, "rtp_bye");
    } finally {
      media.close();
      control.close();
      evil.close();
      await ts.stop();
    }
  },
});
