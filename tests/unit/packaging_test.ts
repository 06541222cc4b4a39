/**
 * packaging/sluice.service: `systemd-analyze verify` (systemd's own parser) reports
 * nothing, the settings the operator relies on are there, and its command line is one
 * sluice accepts: ExecStart's arguments, pointed at sluice.example.yaml, plus
 * --check-config, run through `deno task start`, pass.
 */
import assert from "node:assert/strict";
import { SCHEMA } from "../../lib/config/schema.ts";
import type { Spec } from "../../lib/config/schema/spec.ts";
import { missing } from "../_helpers.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const UNIT = Deno.readTextFileSync(`${ROOT}packaging/sluice.service`);
const BIN = "/usr/local/bin/sluice";
const CONF = "/etc/sluice/sluice.yaml";
const dec = new TextDecoder();

/** The [Service] settings, key -> values in order (comments dropped). */
function serviceSettings(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = "";
  for (const raw of UNIT.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const sec = /^\[(\w+)\]$/.exec(line);
    if (sec) section = sec[1];
    else if (section === "Service") {
      const i = line.indexOf("=");
      const k = line.slice(0, i);
      out.set(k, [...(out.get(k) ?? []), line.slice(i + 1)]);
    }
  }
  return out;
}

Deno.test({
  name: "packaging: systemd-analyze verify finds nothing to say about the unit",
  ignore: missing("systemd-analyze"),
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      // verify checks that ExecStart's program exists: a launcher of this checkout
      // stands in for the installed executable (the only line changed).
      const launcher = `${dir}/sluice`;
      await Deno.writeTextFile(
        launcher,
        `#!/bin/sh\nexec "${Deno.execPath()}" task -q --cwd "${ROOT}" start "$@"\n`,
      );
      await Deno.chmod(launcher, 0o755);
      await Deno.writeTextFile(`${dir}/sluice.service`, UNIT.replaceAll(BIN, launcher));
      const r = await new Deno.Command("systemd-analyze", {
        args: ["verify", "--man=no", `${dir}/sluice.service`],
        env: { SYSTEMD_LOG_COLOR: "0", NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const said = (dec.decode(r.stdout) + dec.decode(r.stderr)).trim();
      assert.equal(r.code, 0, said);
      assert.equal(said, "", "systemd-analyze verify printed warnings");

      // and it does notice a broken unit (a misspelt key), so the check above means something
      await Deno.writeTextFile(
        `${dir}/broken.service`,
        UNIT.replaceAll(BIN, launcher).replace("Restart=on-failure", "Restart=sometimes"),
      );
      const b = await new Deno.Command("systemd-analyze", {
        args: ["verify", "--man=no", `${dir}/broken.service`],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.match(dec.decode(b.stderr), /restart specifier/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("packaging: the unit has what the issue and an operator expect", () => {
  const s = serviceSettings();
  const one = (k: string) => {
    const v = s.get(k);
    assert.ok(v, `${k} missing`);
    return v.at(-1)!;
  };
  assert.equal(one("DynamicUser"), "yes");
  assert.equal(one("ProtectSystem"), "strict");
  assert.equal(one("Restart"), "on-failure");
  assert.equal(one("ExecReload"), "/bin/kill -HUP $MAINPID");
  assert.equal(one("ExecStart"), `${BIN} --config ${CONF}`);
  assert.equal(s.get("ReadWritePaths"), undefined, "sluice writes nothing");
  assert.equal(one("AmbientCapabilities"), "", "default ports need no capability");
  assert.equal(s.get("MemoryDenyWriteExecute"), undefined, "V8 needs W+X memory");
  const ingestion = (SCHEMA as Spec & { t: "obj" }).fields.ingestion as Spec & { t: "obj" };
  const maxConn = ingestion.fields.max_connections as Spec & { t: "int" };
  assert.ok(
    Number(one("LimitNOFILE")) >= 4 * maxConn.max + 1024,
    `LimitNOFILE ${one("LimitNOFILE")} < 4 x max_connections (${maxConn.max}) + 1024`,
  );
});

Deno.test("packaging: the unit's command line, checking sluice.example.yaml, passes", async () => {
  const start = serviceSettings().get("ExecStart")![0].split(" ");
  assert.equal(start[0], BIN);
  const args = start.slice(1).map((a) => a === CONF ? `${ROOT}sluice.example.yaml` : a);
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "start", ...args, "--check-config"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(r.code, 0, dec.decode(r.stderr));
  assert.match(dec.decode(r.stderr), /sluice\.example\.yaml is valid/);
  assert.equal(JSON.parse(dec.decode(r.stdout)).ingestion.srtPort, 30000);
});
