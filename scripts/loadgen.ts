/**
 * UDP load generator: sends RTP-looking packets (RFC 3550 5.1 header) to a loopback
 * port at a paced rate and prints what it sent as one JSON line.
 *
 *   deno run --allow-all scripts/loadgen.ts --port P [--host 127.0.0.1] --rate 50000
 *     --seconds 3 --size 1200 [--capture tests/fixtures/rtp/x.bin] [--ssrc-count N]
 *
 * With --capture, the capture's datagrams (`u32 len | u64 ns | payload`) are replayed
 * in a loop; each of the N streams gets its own SSRC and continuous sequence numbers.
 * Sends through libc sendto(2) (FFI) when it loads, else Deno.listenDatagram.
 * Pacing: every ~1 ms the packets owed by the elapsed time are sent in one burst.
 */
import { AF_INET, loadLibc, SOCK_DGRAM, SOCKADDR_IN_BYTES, writeSockaddrIn } from "../ffi/libc.ts";
import { parseCapture } from "../tests/support/replay.ts";

/** Cap on datagram size, bytes (IPv4 UDP payload maximum). */
export const MAX_SIZE = 65507;
/** Cap on run time, seconds. */
export const MAX_SECONDS = 600;

function arg(name: string, def?: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : def;
}

function num(name: string, def: number, min: number, max: number): number {
  const v = Number(arg(name, String(def)));
  if (!Number.isFinite(v) || v < min || v > max) {
    throw new RangeError(`--${name} must be ${min}-${max}, got ${arg(name)}`);
  }
  return v;
}

/** The datagrams of a capture (tests/support/replay.ts parseCapture) that can be RTP. */
function readCaptureFile(path: string): Uint8Array[] {
  const out = parseCapture(Deno.readFileSync(path)).map((d) => d.data)
    .filter((d) => d.length >= 12 && d.length <= MAX_SIZE);
  if (out.length === 0) throw new Error(`no datagrams in ${path}`);
  return out;
}

async function main(): Promise<void> {
  const host = arg("host", "127.0.0.1")!;
  const port = num("port", 0, 1, 65535);
  const rate = num("rate", 50000, 1, 10_000_000);
  const seconds = num("seconds", 3, 0.01, MAX_SECONDS);
  const size = num("size", 1200, 12, MAX_SIZE);
  const ssrcCount = num("ssrc-count", 1, 1, 65536);
  const capture = arg("capture");
  const templates = capture ? readCaptureFile(capture) : undefined;

  const buf = new Uint8Array(templates ? Math.max(...templates.map((t) => t.length)) : size);
  const dv = new DataView(buf.buffer);
  if (!templates) { for (let i = 12; i < size; i++) buf[i] = i & 255; }
  const seqs = new Uint16Array(ssrcCount);
  const tsOf = (t: Uint8Array) => new DataView(t.buffer, t.byteOffset).getUint32(4);
  const firstTs = templates ? tsOf(templates[0]) : 0;
  // One loop of the capture spans its timestamps plus one packet's step.
  const span = templates && templates.length > 1
    ? (2 * tsOf(templates[templates.length - 1]) - tsOf(templates[templates.length - 2]) -
      firstTs) >>> 0
    : 0;

  /** Fills `buf` with packet n and returns its length. */
  const fill = (n: number): number => {
    const s = n % ssrcCount;
    let len = size;
    let ts = (n * 3000) >>> 0;
    if (templates) {
      const t = templates[n % templates.length];
      buf.set(t);
      len = t.length;
      const loop = Math.floor(n / templates.length);
      ts = (dv.getUint32(4) - firstTs + loop * span) >>> 0;
    } else {
      buf[0] = 0x80;
      buf[1] = 96;
    }
    dv.setUint16(2, seqs[s]++);
    dv.setUint32(4, ts);
    dv.setUint32(8, 0x5100_0000 + s);
    return len;
  };

  const libc = loadLibc();
  let send: (len: number) => boolean;
  let closer = () => {};
  let sender: "libc" | "deno";
  if (libc.ok) {
    const s = libc.value.sym;
    const fd = s.socket(AF_INET, SOCK_DGRAM, 0);
    const addr = new Uint8Array(SOCKADDR_IN_BYTES);
    if (fd < 0 || !writeSockaddrIn(addr, host, port)) throw new Error("cannot open socket");
    send = (len) =>
      Number(s.sendto(fd, buf.subarray(0, len), BigInt(len), 0, addr, SOCKADDR_IN_BYTES)) === len;
    closer = () => s.close(fd);
    sender = "libc";
  } else {
    const sock = Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port: 0 });
    const to = { transport: "udp" as const, hostname: host, port };
    send = (len) => {
      sock.send(buf.slice(0, len), to).catch(() => {});
      return true;
    };
    closer = () => sock.close();
    sender = "deno";
  }

  let sent = 0, bytes = 0, sendErrors = 0;
  const total = Math.round(rate * seconds);
  const start = performance.now();
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
    while (sent < due) {
      const len = fill(sent);
      if (send(len)) bytes += len;
      else sendErrors++;
      sent++;
    }
    if (sent < total) await new Promise((r) => setTimeout(r, 1));
  }
  const elapsedSec = (performance.now() - start) / 1000;
  closer();
  console.log(JSON.stringify({
    host,
    port,
    sender,
    rate,
    seconds,
    size: templates ? undefined : size,
    capture,
    ssrcCount,
    sent,
    bytes,
    sendErrors,
    elapsedSec: Number(elapsedSec.toFixed(3)),
    actualRate: Math.round(sent / elapsedSec),
  }));
}

if (import.meta.main) await main();
