/**
 * api.tls: the API served over HTTPS with a self-signed certificate made by openssl for
 * this test; a client that trusts it gets JSON, plain HTTP on the port gets nothing;
 * a cert without a key is a config error, an unreadable file stops the start naming it.
 */
import assert from "node:assert/strict";
import { parseConfig } from "@lib/config/load.ts";
import { createLogger } from "@lib/core/log.ts";
import { startServer } from "@lib/app/server.ts";
import { missing } from "../_helpers.ts";
import { startTestServer } from "./_server.ts";
import { finish, spawn } from "./srt_harness.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

/** A self-signed EC certificate for 127.0.0.1 and localhost in `dir`. */
async function selfSigned(dir: string): Promise<{ cert: string; key: string }> {
  const cert = `${dir}/cert.pem`, key = `${dir}/key.pem`;
  const r = await finish(
    spawn("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=sluice-test",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-addext",
      "basicConstraints=critical,CA:FALSE",
      "-keyout",
      key,
      "-out",
      cert,
    ]),
    15_000,
  );
  assert.equal(r.code, 0, "openssl made a certificate");
  return { cert, key };
}

Deno.test({
  name: "tls: the API answers over HTTPS with the configured certificate",
  ignore: missing("openssl"),
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "sluice_tls_" });
    const { cert, key } = await selfSigned(dir);
    const ts = await startTestServer(`api:\n  tls:\n    cert: ${cert}\n    key: ${key}\n`);
    const client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(cert)] });
    const init = { client } as RequestInit; // Deno's fetch option (the dom lib does not know it)
    try {
      const r = await fetch(`https://${ts.server.apiAddress}/api/v1/health`, init);
      assert.equal(r.status, 200);
      const h = await r.json();
      assert.equal(h.listeners.api.tls, true);
      const page = await fetch(`https://localhost:${ts.server.apiAddress.split(":")[1]}/`, init);
      assert.equal(page.status, 200);
      await page.body?.cancel();
      await assert.rejects(fetch(`http://${ts.server.apiAddress}/api/v1/health`));
      await assert.rejects(fetch(`https://${ts.server.apiAddress}/api/v1/health`), "untrusted");
    } finally {
      client.close();
      await ts.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("tls: cert without key is a config error; an unreadable file names its key", async () => {
  assert.throws(
    () => parseConfig("api:\n  tls:\n    cert: /x.pem\n"),
    /api\.tls needs both cert and key/,
  );
  const cfg = parseConfig(
    "api:\n  listen: 127.0.0.1:0\n  tls:\n    cert: /nonexistent/c.pem\n    key: /nonexistent/k.pem\n",
  );
  await assert.rejects(
    startServer(cfg, createLogger("error", "text", () => {})),
    /api\.tls\.cert: cannot read \/nonexistent\/c\.pem/,
  );
});
