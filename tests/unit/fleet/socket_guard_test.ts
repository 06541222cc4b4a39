import assert from "node:assert/strict";
import net from "node:net";
import { guardSocketErrors, isNodeSocketError } from "@lib/fleet/socket_guard.ts";
import { freePort } from "@tests/_helpers.ts";

/** A real node:net error: a connection to a closed loopback port. */
function refused(): Promise<Error> {
  return new Promise((resolve) => {
    const s = net.createConnection(freePort(), "127.0.0.1");
    s.on("error", (e) => resolve(e));
  });
}

Deno.test("socket guard: an uncaught node:net socket error is counted, the process goes on", async () => {
  const err = await refused();
  assert.ok(isNodeSocketError(err), `${(err as { code?: string }).code} from node:net`);
  const caught: Error[] = [];
  const stop = guardSocketErrors((e) => caught.push(e));
  try {
    // Thrown with no listener, as node:net does when an `error` event has none.
    setTimeout(() => {
      throw err;
    });
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(caught, [err]);
  } finally {
    stop();
  }
});

Deno.test("socket guard: other errors are not its business", () => {
  const plain = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
  assert.equal(isNodeSocketError(plain), false, "not raised inside node:net");
  assert.equal(isNodeSocketError(new TypeError("x")), false);
  assert.equal(isNodeSocketError(undefined), false);
});
