import assert from "node:assert/strict";
import {
  AF_INET,
  decodeSockaddr,
  encodeSockaddr,
  libraryCandidates,
  openSrt,
  SRT_ERR,
  SRTO,
} from "../../../../ffi/srt.ts";
import { SrtListener } from "@lib/transport/srt/listener.ts";
import { freePort } from "@tests/_helpers.ts";

const HAVE_LIBSRT = openSrt().ok;

Deno.test("ffi: discovery order is env, distro names, sonames, macOS, Windows", () => {
  assert.deepEqual(libraryCandidates(undefined, "/env/libsrt.so"), [
    "/env/libsrt.so",
    "libsrt.so.1.5",
    "libsrt-gnutls.so.1.5",
    "libsrt.so",
    "libsrt.so.1",
    "libsrt.dylib",
    "libsrt.1.5.dylib",
    "srt.dll",
  ]);
});

Deno.test("ffi: an explicit path that does not load is one clear failure", () => {
  const r = openSrt("/nonexistent/libsrt.so.9");
  assert.ok(!r.ok);
  assert.match(r.reason, /^libsrt_not_found \(tried \/nonexistent\/libsrt\.so\.9: /);
});

Deno.test("ffi: sockaddr_in encodes family in host order, port in network order", () => {
  const r = encodeSockaddr("10.1.2.3", 30000);
  assert.ok(r.ok);
  assert.deepEqual([...r.value.subarray(0, 8)], [AF_INET, 0, 0x75, 0x30, 10, 1, 2, 3]);
  assert.equal(decodeSockaddr(new DataView(r.value.buffer)), "10.1.2.3:30000");
  assert.ok(!encodeSockaddr("300.1.1.1", 1).ok);
  assert.ok(!encodeSockaddr("example.com", 1).ok);
});

Deno.test({
  name: "ffi: option numbers and error codes agree with libsrt's srt.h",
  ignore: (() => {
    try {
      Deno.statSync("/usr/include/srt/srt.h");
      return false;
    } catch {
      return true;
    }
  })(),
  fn() {
    const h = Deno.readTextFileSync("/usr/include/srt/srt.h");
    // Enumerate SRT_SOCKOPT as the compiler does (explicit "= n" resets the counter).
    const body = /enum SRT_SOCKOPT\s*\{([\s\S]*?)\};/.exec(h)![1];
    const values = new Map<string, number>();
    let next = 0;
    for (const line of body.split("\n")) {
      const m = /^\s*(SRTO_\w+)\s*(?:=\s*(\d+))?\s*,/.exec(line);
      if (!m) continue;
      const v = m[2] !== undefined ? Number(m[2]) : next;
      values.set(m[1].slice(5), v);
      next = v + 1;
    }
    for (const [k, v] of Object.entries(SRTO)) assert.equal(values.get(k), v, k);
    assert.equal(SRT_ERR.ECONNLOST, 2001);
    assert.equal(SRT_ERR.EASYNCRCV, 6002);
  },
});

const quiet = () => {};

Deno.test("listener: a missing library disables SRT with one reason; stop is idempotent", async () => {
  const l = new SrtListener({
    host: "127.0.0.1",
    port: 1,
    latencyMs: 120,
    library: "/nonexistent/libsrt.so",
    log: quiet,
    admit: () => ({ ok: true }),
    open: () => undefined,
  });
  const r = l.start();
  assert.ok(!r.ok);
  const h = l.health();
  assert.equal(h.enabled, false);
  assert.match(h.reason ?? "", /libsrt_not_found/);
  await l.stop();
  await l.stop();
});

Deno.test({
  name: "listener: a taken port fails start with the bind error; start/stop/stop is clean",
  ignore: !HAVE_LIBSRT,
  async fn() {
    const port = freePort("udp");
    const mk = () =>
      new SrtListener({
        host: "127.0.0.1",
        port,
        latencyMs: 120,
        log: quiet,
        admit: () => ({ ok: true }),
        open: () => undefined,
      });
    const a = mk();
    assert.ok(a.start().ok);
    assert.equal(a.health().enabled, true);
    assert.ok(!a.start().ok, "second start refused");
    // Same process: with SRTO_REUSEADDR off libsrt will not share the bound port.
    const b = mk();
    const r = b.start();
    assert.ok(!r.ok);
    assert.match(r.reason, new RegExp(`^srt_bind_failed 127\\.0\\.0\\.1:${port}: .*not reusable`));
    await b.stop();
    // A port held by a plain UDP socket: bind() refuses.
    const other = freePort("udp");
    const udp = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: other });
    try {
      const d = new SrtListener({
        host: "127.0.0.1",
        port: other,
        latencyMs: 120,
        log: quiet,
        admit: () => ({ ok: true }),
        open: () => undefined,
      });
      const rd = d.start();
      assert.ok(!rd.ok);
      assert.match(rd.reason, new RegExp(`^srt_bind_failed 127\\.0\\.0\\.1:${other}: `));
      await d.stop();
    } finally {
      udp.close();
    }
    const stops = [a.stop(), a.stop()];
    await Promise.all(stops);
    assert.equal(a.health().enabled, false);
    // The port is free again: a new listener binds it.
    const c = mk();
    assert.ok(c.start().ok);
    await c.stop();
  },
});
