import assert from "node:assert/strict";

const RECEIVER = new URL("../../../../lib/transport/udp/receiver.ts", import.meta.url).href;

/** Runs in a child with --expose-gc: full GCs between bursts must not free buffers C uses. */
const CHILD = `
import { openUdpReceiver } from "${RECEIVER}";
const rx = await openUdpReceiver({ hostname: "127.0.0.1", port: 0, kind: "recvmmsg" });
let good = 0;
rx.start((d) => { if (d.length === 100 && d[99] === 7) good++; });
const s = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
const msg = new Uint8Array(100).fill(7);
for (let b = 0; b < 40; b++) {
  await Promise.all(Array.from({ length: 100 }, () =>
    s.send(msg, { transport: "udp", hostname: "127.0.0.1", port: rx.port })));
  globalThis.gc();
  await new Promise((r) => setTimeout(r, 5));
}
for (let i = 0; i < 200 && good < 4000; i++) await new Promise((r) => setTimeout(r, 5));
s.close();
const st = rx.stats();
await rx.close();
console.log(JSON.stringify({ good, errors: st.errors, batches: st.batches }));
`;

Deno.test("udp recvmmsg: buffers given to C survive forced full GCs (docs/ARCHITECTURE.md, rule 5)", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--unstable-net", "--v8-flags=--expose-gc", CHILD],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const r = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.equal(r.good, 4000);
  assert.equal(r.errors, 0);
  assert.ok(r.batches > 40);
});
