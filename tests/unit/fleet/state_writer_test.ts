/**
 * The events/registry queue: bounded, coalesced per key, written in order while a session
 * exists, retried after failures with the breaker opening on repeated failures.
 */
import assert from "node:assert/strict";
import type { Session } from "@lib/fleet/jetstream_setup.ts";
import { StateWriter, WRITE_BREAKER } from "@lib/fleet/state_writer.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A session whose KV and JetStream record writes and fail while `failing`. */
function fakeSession() {
  const log: string[] = [];
  const state = { failing: false, calls: 0 };
  const attempt = (what: string) => {
    state.calls++;
    if (state.failing) return Promise.reject(new Error("503 no responders"));
    log.push(what);
    return Promise.resolve({ seq: log.length });
  };
  const session = {
    nc: {},
    js: { publish: (s: string, d: Uint8Array) => attempt(`pub ${s} ${dec.decode(d)}`) },
    kv: {
      put: (k: string, v: Uint8Array) => attempt(`put ${k} ${dec.decode(v)}`),
      delete: (k: string) => attempt(`del ${k}`),
    },
  } as unknown as Session;
  return { session, log, state };
}

async function until(f: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!f() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  assert.ok(f(), "condition within time");
}

Deno.test("state writer: nothing is written without a session; queued items go out in order after", async () => {
  const f = fakeSession();
  const link: { session?: Session } = {};
  const w = new StateWriter(() => link.session, 3);
  w.start();
  for (let i = 1; i <= 5; i++) w.event("sluice.b.events", enc.encode(`e${i}`), `id${i}`);
  w.put("b.cam1", enc.encode("v1"));
  w.put("b.cam1", enc.encode("v2")); // replaces v1
  w.put("b.cam2", enc.encode("x"));
  w.put("b.cam2", null); // becomes a delete
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(f.log.length, 0);
  assert.equal(w.stats.eventsDropped, 2, "bounded: the two oldest events dropped");
  assert.equal(w.pendingEvents, 3);
  assert.equal(w.pendingRegistry, 2);
  link.session = f.session;
  w.kick();
  await until(() => f.log.length === 5);
  assert.deepEqual(f.log, [
    "put b.cam1 v2",
    "del b.cam2",
    "pub sluice.b.events e3",
    "pub sluice.b.events e4",
    "pub sluice.b.events e5",
  ]);
  assert.equal(w.pendingBytes, 0);
  await w.stop(100);
});

Deno.test("state writer: failures keep items queued, count errors and open the breaker", async () => {
  const f = fakeSession();
  let now = 0;
  const w = new StateWriter(() => f.session, 100, () => now);
  f.state.failing = true;
  w.start();
  w.event("sluice.b.events", enc.encode("e1"), "id1");
  await until(() => w.breaker.state === "open", 10_000);
  assert.equal(w.stats.eventErrors, WRITE_BREAKER.failures);
  assert.equal(w.pendingEvents, 1, "still queued");
  assert.match(w.lastError ?? "", /no responders/);
  const calls = f.state.calls;
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(f.state.calls, calls, "no attempts while the circuit is open");
  f.state.failing = false;
  now += WRITE_BREAKER.cooldownMs; // cooldown over: one half-open attempt, which succeeds
  w.kick();
  await until(() => f.log.length === 1);
  assert.equal(w.breaker.state, "closed");
  assert.equal(w.pendingEvents, 0);
  assert.equal(w.stats.events, 1);
  await w.stop(100);
});
