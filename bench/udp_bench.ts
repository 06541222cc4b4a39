/**
 * Loopback UDP receive load run (bench/README.md, udp): scripts/loadgen.ts sends
 * 1200-byte RTP-looking packets at 10k, 50k, 100k and 200k packets/s for a bounded time
 * into each receiver (recvmmsg via FFI, Deno.listenDatagram); reports loss and this
 * process's CPU (user + system from getrusage) per receiver and rate.
 *
 *   deno run --unstable-net --allow-all bench/udp_bench.ts [--seconds 2]
 *     [--rates 10000,50000,100000,200000] [--kinds recvmmsg,deno] [--json]
 */
import { openUdpReceiver } from "../lib/transport/udp/receiver.ts";
import { arg, cpuSelf, emit } from "./_bench.ts";

const LOADGEN = new URL("../scripts/loadgen.ts", import.meta.url).pathname;
/** Cap on one run's send time, seconds. */
const MAX_SECONDS = 30;
/** Time allowed for the receiver to drain after the sender exits, ms. */
const DRAIN_MS = 300;

interface Row {
  kind: string;
  rate: number;
  sent: number;
  received: number;
  lossPct: number;
  kernelDrops?: number;
  cpuPct: number;
  usPerPacket: number;
  socketBufferBytes: number;
}

async function run(kind: "recvmmsg" | "deno", rate: number, seconds: number): Promise<Row> {
  const rx = await openUdpReceiver({ hostname: "127.0.0.1", port: 0, kind });
  let first = 0, cpu0 = 0;
  rx.start((_d, _r, arrivalMs) => {
    if (first === 0) {
      first = arrivalMs;
      cpu0 = cpuSelf();
    }
  });
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      LOADGEN,
      "--port",
      `${rx.port}`,
      "--rate",
      `${rate}`,
      "--seconds",
      `${seconds}`,
      "--size",
      "1200",
    ],
    stdout: "piped",
  }).output();
  await new Promise((r) => setTimeout(r, DRAIN_MS));
  const cpu1 = cpuSelf();
  const wall = (performance.now() - first) / 1000;
  const st = rx.stats();
  await rx.close();
  const sent = JSON.parse(new TextDecoder().decode(out.stdout)).sent as number;
  const cpu = cpu1 - cpu0;
  return {
    kind,
    rate,
    sent,
    received: st.datagrams,
    lossPct: Number((100 * (sent - st.datagrams) / sent).toFixed(3)),
    kernelDrops: st.kernelDrops,
    cpuPct: Number((100 * cpu / wall).toFixed(1)),
    usPerPacket: Number((1e6 * cpu / Math.max(1, st.datagrams)).toFixed(2)),
    socketBufferBytes: rx.socketBufferBytes,
  };
}

if (import.meta.main) {
  const seconds = Math.min(MAX_SECONDS, Number(arg("seconds", "2")));
  const rates = arg("rates", "10000,50000,100000,200000").split(",").map(Number);
  const kinds = arg("kinds", "recvmmsg,deno").split(",") as ("recvmmsg" | "deno")[];
  const rows: Row[] = [];
  for (const kind of kinds) for (const rate of rates) rows.push(await run(kind, rate, seconds));
  for (const r of rows) {
    const note = `${r.sent} sent, 1200-byte packets, no peer (receive only)`;
    emit({ name: `udp ${r.kind} ${r.rate}/s loss`, unit: "loss %", sluice: r.lossPct, note });
    emit({ name: `udp ${r.kind} ${r.rate}/s cpu`, unit: "us/packet", sluice: r.usPerPacket, note }); // deno-fmt-ignore
  }
  if (Deno.args.includes("--json")) console.log(JSON.stringify(rows));
  else {
    console.log(
      `UDP receive, loopback, 1200-byte packets, ${seconds} s per run (CPU = this process)`,
    );
    console.log("receiver   rate/s    sent    received  loss%   kdrops  cpu%   us/pkt  rcvbuf");
    for (const r of rows) {
      console.log(
        [
          r.kind.padEnd(9),
          String(r.rate).padStart(7),
          String(r.sent).padStart(7),
          String(r.received).padStart(9),
          String(r.lossPct).padStart(7),
          String(r.kernelDrops ?? "-").padStart(7),
          String(r.cpuPct).padStart(6),
          String(r.usPerPacket).padStart(7),
          String(r.socketBufferBytes).padStart(8),
        ].join(" "),
      );
    }
  }
}
