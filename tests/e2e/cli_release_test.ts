/**
 * The command line an operator uses around a release, through `deno task start`:
 * --version names git's HEAD, --print-config prints YAML that loads back into exactly
 * what --check-config reports (SLUICE_LOG_LEVEL included), and --check-config passes
 * on sluice.example.yaml.
 */
import assert from "node:assert/strict";
import { parseConfig } from "@lib/config/load.ts";
import { missing } from "@tests/_helpers.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const dec = new TextDecoder();

async function sluice(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "start", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test({
  name: "cli: --version prints deno.json's version and git's HEAD",
  ignore: missing("git"),
  async fn() {
    const version = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`)).version;
    const head = new Deno.Command("git", {
      args: ["rev-parse", "HEAD"],
      cwd: ROOT,
      stdout: "piped",
    })
      .outputSync();
    const commit = dec.decode(head.stdout).trim();
    const r = await sluice(["--version"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `sluice ${version} (commit ${commit.slice(0, 12)}, run from source)\n`);
  },
});

Deno.test("cli: --print-config loads back into what --check-config reports", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cfg = `${dir}/s.yaml`;
    await Deno.writeTextFile(
      cfg,
      "ingestion:\n  max_connections: 40\n  frame_timeout: 2s\nsrt:\n  streams: { cam1: {} }\n" +
        "rtp:\n  streams: [ { name: cam2, ssrc: 7 } ]\n",
    );
    const env = { SLUICE_LOG_LEVEL: "debug" };
    const printed = await sluice(["--config", cfg, "--print-config"], env);
    assert.equal(printed.code, 0, printed.stderr);
    assert.match(printed.stdout, /^# sluice \S+: effective configuration from .*s\.yaml\n/);
    assert.match(
      printed.stdout,
      /\n {2}# concurrent streams, 1-10000; default 25\n {2}max_connections: 40\n/,
    );
    const checked = await sluice(["--config", cfg, "--check-config"], env);
    assert.equal(checked.code, 0, checked.stderr);
    const effective = JSON.parse(checked.stdout);
    assert.equal(effective.log.level, "debug");
    assert.deepEqual(parseConfig(printed.stdout, "printed"), effective);

    const bad = await sluice(["--config", `${dir}/missing.yaml`, "--print-config"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Cannot load config .*missing\.yaml/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: --check-config passes on sluice.example.yaml", async () => {
  const r = await sluice(["--check-config", "--config", "sluice.example.yaml"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /config sluice\.example\.yaml is valid/);
});
