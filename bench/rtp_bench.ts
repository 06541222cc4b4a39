/**
 * RTP receive path throughput from memory, warm, in-process: header parse (RFC 3550
 * 5.1) + sequencing (A.1) + jitter buffer, over every capture in tests/fixtures/rtp.
 * Run by hand (not part of the tests):
 *
 *   deno run --allow-read bench/rtp_bench.ts [passes]
 *
 * The captures' datagrams are concatenated into one stream (one SSRC, sequence
 * numbers rewritten to run on, the payloads untouched) and replayed `passes` times
 * (default 200) after one warm-up pass; best of 3. Prints packets/s and payload MB/s
 * (10^6 bytes) for: parse only; parse + session (sequencer + jitter buffer, no-op
 * depacketizer); the demux path (RTCP check, parse, SSRC lookup, datagram copy, session).
 */
import { parseRtp } from "../lib/net/rtp/packet.ts";
import { RtpSession } from "../lib/net/rtp/session.ts";
import { RtpDemux } from "../lib/net/rtp/demux.ts";
import { readCapture } from "../tests/_helpers.ts";

const FILES = [...Deno.readDirSync(new URL("../tests/fixtures/rtp/", import.meta.url))]
  .map((e) => e.name)
  .filter((n) => n.endsWith(".bin") && n !== "av_rtp_15005.bin" && n !== "av_rtp_15009.bin")
  .sort();

/** Owned copies of every RTP datagram, rewritten to SSRC 0x5eed. */
function datagrams(): Uint8Array[] {
  return FILES.flatMap((f) =>
    readCapture(`rtp/${f}`).map((d) => {
      const c = d.data.slice();
      new DataView(c.buffer).setUint32(8, 0x5eed);
      return c;
    })
  );
}

type Step = (d: Uint8Array, now: number) => void;

function time(dgs: Uint8Array[], passes: number, make: () => Step): number {
  let best = Infinity;
  for (let round = 0; round < 4; round++) {
    const step = make();
    let seq = 0;
    let now = 0;
    const n = round === 0 ? 1 : passes; // round 0 warms up
    const t0 = performance.now();
    for (let p = 0; p < n; p++) {
      for (const d of dgs) {
        d[2] = (seq >> 8) & 0xff;
        d[3] = seq & 0xff;
        seq = (seq + 1) & 0xffff;
        now += 0.01;
        step(d, now);
      }
    }
    const dt = performance.now() - t0;
    if (round > 0) best = Math.min(best, dt);
  }
  return best;
}

const noop = { push: () => {}, flush: () => {} };

function main() {
  const passes = Number(Deno.args[0] ?? 200);
  const dgs = datagrams();
  const bytes = dgs.reduce((a, d) => a + d.length, 0);
  const variants: [string, () => Step][] = [
    ["parse", () => (d, now) => void parseRtp(d, now)],
    ["parse+sequencer+jitter", () => {
      const s = new RtpSession({ ssrc: 0x5eed, createDepacketizer: () => noop });
      return (d, now) => {
        const r = parseRtp(d, now);
        if (r.ok) s.pushRtp(r.value, now);
      };
    }],
    ["demux(copy)+session", () => {
      const remote = { hostname: "127.0.0.1", port: 5000 };
      const demux = new RtpDemux<RtpSession>({
        onNewSource: (k) => new RtpSession({ ssrc: k.ssrc, createDepacketizer: () => noop }),
      });
      return (d, now) => demux.onDatagram(d, remote, now);
    }],
  ];
  console.log(`rtp_bench: ${dgs.length} packets from ${FILES.length} captures x ${passes} passes`);
  for (const [name, make] of variants) {
    const ms = time(dgs, passes, make);
    const pps = (dgs.length * passes) / (ms / 1000);
    const mbps = (bytes * passes) / (ms / 1000) / 1e6;
    console.log(
      `${name.padEnd(24)} ${Math.round(pps).toLocaleString("en").padStart(12)} packets/s ${
        mbps.toFixed(0).padStart(6)
      } MB/s`,
    );
  }
}

if (import.meta.main) main();
