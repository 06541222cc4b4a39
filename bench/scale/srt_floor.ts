/**
 * The least a Deno receiver of one live SRT stream does, for bench/scale_bench.ts's one-stream
 * comparison (goal 6 of issue 12): the runtime's floor, as bench/ingest_stages.ts's "floor" is
 * the TS path's. It listens on one port, accepts one caller and, every `--interval-ms` (the read
 * interval sluice uses by default, 10 ms), reads what libsrt has due with the calls sluice's
 * listener makes per message (lib/transport/srt/connection.ts: the socket's own epoll set asked
 * before each srt_recvmsg) and drops the bytes. No demuxer, frames, API, metrics or other
 * timers: what is left is the runtime's timer wake-up and the FFI calls.
 *
 *   deno run --allow-ffi --allow-env --allow-read bench/scale/srt_floor.ts PORT [INTERVAL_MS]
 *
 * Prints one line to stderr when the caller has gone (bytes, messages, wake-ups) and exits
 * LINGER_MS later (the bench reads its CPU after the caller is done).
 */
import { encodeSockaddr, openSrt, SRT_EPOLL, SRTO, SRTS } from "../../ffi/srt.ts";

const port = Number(Deno.args[0]);
const intervalMs = Number(Deno.args[1] ?? 10);
/** Largest live-mode message, bytes (SRTO_PAYLOADSIZE at most 1456). */
const MESSAGE_MAX = 1500;
/** The listener gives up when no caller came within this, ms. */
const ACCEPT_TIMEOUT_MS = 20_000;
/** Time the process stays after the caller has gone, ms. */
const LINGER_MS = 3000;

const opened = openSrt();
if (!opened.ok) throw new Error(`libsrt: ${opened.reason}`);
const sym = opened.value.sym;
sym.srt_setloglevel(3);
sym.srt_startup();
const i32 = new Int32Array(1);
const setInt = (s: number, opt: number, v: number) => {
  i32[0] = v;
  return sym.srt_setsockflag(s, opt, i32, 4) === 0;
};
const lsn = sym.srt_create_socket();
const addr = encodeSockaddr("127.0.0.1", port);
if (!addr.ok) throw new Error(addr.reason);
setInt(lsn, SRTO.RCVSYN, 0);
setInt(lsn, SRTO.LATENCY, 120);
if (sym.srt_bind(lsn, addr.value, addr.value.length) !== 0 || sym.srt_listen(lsn, 1) !== 0) {
  throw new Error(`cannot listen on 127.0.0.1:${port}`);
}
const flags = new Int32Array([SRT_EPOLL.IN | SRT_EPOLL.ERR]);
const eid = sym.srt_epoll_create();
sym.srt_epoll_add_usock(eid, lsn, flags);
const events = new Int32Array(2);
let sock = -1;
for (let waited = 0; sock < 0 && waited < ACCEPT_TIMEOUT_MS; waited += 500) {
  if (await sym.srt_epoll_uwait(eid, events, 1, 500n) > 0) {
    sock = sym.srt_accept(lsn, new Uint8Array(128), new Int32Array([128]));
  }
}
if (sock < 0) throw new Error("no caller");
// the accepted socket's own epoll set, asked before each read (as sluice does)
const ready = sym.srt_epoll_create();
sym.srt_epoll_add_usock(ready, sock, flags);
const ev = new Int32Array(2);
const buf = new Uint8Array(MESSAGE_MAX);
const bufAt = Deno.UnsafePointer.of(buf);
let bytes = 0, messages = 0, wakes = 0;
await new Promise<void>((done) => {
  const id = setInterval(() => {
    wakes++;
    while (sym.srt_epoll_uwait_now(ready, ev, 1, 0n) > 0) {
      const n = sym.srt_recvmsg(sock, bufAt, MESSAGE_MAX);
      if (n <= 0) {
        if (n < 0 && sym.srt_getsockstate(sock) >= SRTS.BROKEN) { // broken, closing, closed
          clearInterval(id);
          done();
        }
        return;
      }
      bytes += n;
      messages++;
    }
  }, intervalMs);
});
console.error(JSON.stringify({ bytes, messages, wakes }));
sym.srt_close(sock);
sym.srt_close(lsn);
sym.srt_epoll_release(ready);
sym.srt_epoll_release(eid);
await new Promise((r) => setTimeout(r, LINGER_MS));
