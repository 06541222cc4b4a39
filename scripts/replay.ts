/**
 * Replays an RTP capture (`u32 len | u64 ns | payload` per datagram, the format of
 * tests/fixtures/rtp/*.bin) to a UDP port, at the recorded pace or as fast as
 * possible, with seeded loss, duplication and reordering. Usable as a module (tests)
 * and as a command:
 *
 *   deno run --allow-all --unstable-net scripts/replay.ts FILE --port P [--host 127.0.0.1]
 *     [--pace recorded|fast] [--loss 0.01] [--dup 0.01] [--reorder 0.01] [--seed 1]
 *
 * Prints one JSON line: what was sent, lost, duplicated and reordered (by index).
 */

/** One datagram of a capture. */
export interface CapturedDatagram {
  arrivalNs: bigint;
  data: Uint8Array;
}

/** Impairments applied before sending, decided by a seeded PRNG. */
export interface Impairment {
  loss?: number;
  dup?: number;
  reorder?: number;
  seed?: number;
}

/** What a replay did. */
export interface ReplayReport {
  sent: number;
  lost: number[];
  duplicated: number[];
  reordered: number[];
}

/** Parses a capture file's bytes. */
export function parseCapture(buf: Uint8Array): CapturedDatagram[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: CapturedDatagram[] = [];
  let o = 0;
  while (o + 12 <= buf.length) {
    const len = dv.getUint32(o);
    if (o + 12 + len > buf.length) break;
    out.push({ arrivalNs: dv.getBigUint64(o + 4), data: buf.subarray(o + 12, o + 12 + len) });
    o += 12 + len;
  }
  return out;
}

/** Mulberry32: a small seeded PRNG, so impairments repeat exactly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Plans the send order: indexes of datagrams, with lost ones left out, duplicated ones
 * repeated, and reordered ones swapped with their successor.
 */
export function plan(n: number, imp: Impairment): { order: number[]; report: ReplayReport } {
  const rnd = prng(imp.seed ?? 1);
  const report: ReplayReport = { sent: 0, lost: [], duplicated: [], reordered: [] };
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    if (rnd() < (imp.loss ?? 0)) {
      report.lost.push(i);
      continue;
    }
    order.push(i);
    if (rnd() < (imp.dup ?? 0)) {
      order.push(i);
      report.duplicated.push(i);
    }
  }
  for (let k = 0; k + 1 < order.length; k++) {
    if (order[k] !== order[k + 1] && rnd() < (imp.reorder ?? 0)) {
      report.reordered.push(order[k]);
      [order[k], order[k + 1]] = [order[k + 1], order[k]];
      k++;
    }
  }
  report.sent = order.length;
  return { order, report };
}

/** Sends a capture to host:port. `pace` "recorded" keeps the capture's timing (capped gaps). */
export async function replay(
  dgrams: CapturedDatagram[],
  to: { hostname: string; port: number },
  opts: Impairment & {
    pace?: "recorded" | "fast";
    maxGapMs?: number;
    /** Send from this socket (left open) instead of a new one on a free port. */
    socket?: Deno.DatagramConn;
  } = {},
): Promise<ReplayReport> {
  const { order, report } = plan(dgrams.length, opts);
  const sock = opts.socket ??
    Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const addr: Deno.NetAddr = { transport: "udp", hostname: to.hostname, port: to.port };
  try {
    const t0 = performance.now();
    const base = dgrams[0]?.arrivalNs ?? 0n;
    let sentInBurst = 0;
    for (const i of order) {
      const d = dgrams[i];
      if (opts.pace === "recorded") {
        const due = Number((d.arrivalNs - base) / 1_000_000n);
        const wait = Math.min(due - (performance.now() - t0), opts.maxGapMs ?? 1000);
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      } else if (++sentInBurst % 64 === 0) {
        // yield so a receiver in the same process (tests) can drain its socket
        await new Promise((r) => setTimeout(r, 1));
      }
      await sock.send(d.data, addr);
    }
  } finally {
    if (!opts.socket) sock.close();
  }
  return report;
}

function arg(name: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

if (import.meta.main) {
  const file = Deno.args[0];
  const port = Number(arg("port"));
  if (!file || !Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(
      "usage: replay.ts FILE --port P [--pace recorded|fast] [--loss p] [--dup p] [--reorder p] [--seed n]",
    );
    Deno.exit(2);
  }
  const report = await replay(parseCapture(Deno.readFileSync(file)), {
    hostname: arg("host") ?? "127.0.0.1",
    port,
  }, {
    pace: arg("pace") === "fast" ? "fast" : "recorded",
    loss: Number(arg("loss") ?? 0),
    dup: Number(arg("dup") ?? 0),
    reorder: Number(arg("reorder") ?? 0),
    seed: Number(arg("seed") ?? 1),
  });
  console.log(JSON.stringify(report));
}
