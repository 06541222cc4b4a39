/**
 * A sender restarting from a new source port of the same host with its SSRC continues its
 * source (lib/transport/rtp/source_identity.ts "new_port"); concurrent senders of one host and a new
 * sender (new port and new SSRC) stay separate.
 */
import assert from "node:assert/strict";
import { RtpDemux, type RtpSourceSink } from "@lib/transport/rtp/demux.ts";
import { RESTART_SILENT_MS } from "@lib/transport/rtp/source_identity.ts";
import type { RtpPacket } from "@lib/core/types.ts";
import { tinyRtp } from "@tests/support/rtp.ts";

const rtp = tinyRtp;

class Sink implements RtpSourceSink {
  pkts: RtpPacket[] = [];
  events: string[] = [];
  pushRtp(p: RtpPacket) {
    this.pkts.push(p);
  }
  restart() {
    this.events.push("restart");
  }
}

function demux() {
  const sinks: Sink[] = [];
  const restarts: string[] = [];
  const d = new RtpDemux<Sink>({
    onNewSource: () => {
      sinks.push(new Sink());
      return sinks[sinks.length - 1];
    },
    onSenderRestart: (a, b, _s, silent) =>
      restarts.push(`${a.ssrc}@${a.remote.port}->${b.ssrc}@${b.remote.port} ${silent}`),
  });
  /** Sends `n` packets from host:port every 20 ms from `t`; returns the time after. */
  const send = (port: number, ssrc: number, seq: number, t: number, n = 3, pt = 96) => {
    for (let i = 0; i < n; i++) {
      d.onDatagram(rtp(seq + i, ssrc, pt), { hostname: "10.2.2.2", port }, t + i * 20);
    }
    return t + n * 20;
  };
  return { d, sinks, restarts, send };
}

Deno.test("rtp restart: the same SSRC from a new port after silence continues the source", () => {
  const { d, sinks, restarts, send } = demux();
  let t = send(7000, 0xaa, 100, 0);
  t = send(7002, 0xaa, 5000, t + 800); // new port: 820 ms after its last packet
  assert.equal(sinks.length, 1);
  assert.deepEqual(sinks[0].events, ["restart"]);
  assert.deepEqual(restarts, [`${0xaa}@7000->${0xaa}@7002 820`]);
  t = send(7004, 0xaa, 9, t + 1900); // again, 1.9 s later
  assert.equal(sinks.length, 1);
  assert.equal(sinks[0].pkts.length, 9, "every packet reached the one session");
  assert.equal(d.size, 1);
  t = send(7006, 0xbb, 1, t + 800); // a new port and a new SSRC: another sender
  assert.equal(sinks.length, 2);
  send(7008, 0xaa, 1, t + 2500); // past the 2 s window: a new source
  assert.equal(sinks.length, 3);
  assert.equal(restarts.length, 2);
});

Deno.test("rtp restart: a source still sending is never swallowed", () => {
  const { sinks, restarts, send } = demux();
  let t = send(7000, 0xaa, 100, 0, 20);
  // a second camera of the host starts while the first keeps sending
  for (let i = 0; i < 10; i++) {
    t = send(7000, 0xaa, 120 + i, t, 1);
    send(7010, 0xdd, 50 + i, t - 10, 1);
  }
  assert.equal(sinks.length, 2);
  // the same SSRC from another port while the first still sends: a collision, not a restart
  send(7020, 0xaa, 1, t - RESTART_SILENT_MS + 100, 2);
  assert.equal(sinks.length, 3);
  assert.deepEqual(restarts, []);
});

Deno.test("rtp restart: two silent sources with the SSRC are ambiguous, a new source", () => {
  const { sinks, restarts, send } = demux();
  const t = send(7000, 0xaa, 100, 0);
  send(7002, 0xaa, 100, 10); // a collision: two sources with one SSRC
  send(7004, 0xaa, 1, t + 1000);
  assert.equal(sinks.length, 3);
  send(7006, 0xee, 1, t + 1100, 2, 97); // another payload type: no candidate either
  assert.equal(sinks.length, 4);
  assert.deepEqual(restarts, []);
});
