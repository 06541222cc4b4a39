/**
 * RTP captures (`u32 len | u64 ns | payload` per datagram, the format of
 * tests/fixtures/rtp/*.bin, tests/fixtures/README.md): the one reader, and a replayer
 * that sends one to a UDP port at the recorded pace or as fast as possible, with seeded
 * loss, duplication and reordering (prng.ts). Used by tests, benches and the command
 * scripts/replay.ts.
 */
import { prng } from "./prng.ts";
import { fixture } from "../_helpers.ts";

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

/** Reads a capture under tests/fixtures/ (e.g. "rtp/rtp_h264_gst.bin"). */
export function readCapture(rel: string): CapturedDatagram[] {
  return parseCapture(Deno.readFileSync(fixture(rel)));
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
    signal?: AbortSignal;
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
      if (opts.signal?.aborted) break;
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
