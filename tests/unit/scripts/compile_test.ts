/**
 * The release build (scripts/compile.ts) against outside oracles: `sha256sum -c` for
 * SHA256SUMS, `git` for commits, tags and the change list, `readelf` for which target
 * a libsrt fits. `deno compile` itself cannot get its runtime on these machines, so
 * the task is run twice for real where that fails (DENORT_BIN pointing nowhere; the
 * runtime URL unreachable through a proxy on a closed loopback port) and checked for
 * its one-line message, and once with --stand-in, which runs every other step.
 */
import assert from "node:assert/strict";
import {
  binaryName,
  build,
  compileArgs,
  libsrtByTarget,
  parseOptions,
  RELEASE_EXTRAS,
  runtimeFailure,
  startFlags,
  TARGETS,
} from "../../../scripts/compile.ts";
import { elfTarget, fileTarget, hostLibsrt } from "../../../scripts/release/libsrt.ts";
import { changesSince, previousTag } from "../../../scripts/release/git.ts";
import { MAX_CHANGES, oneLine, releaseNotes } from "../../../scripts/release/notes.ts";
import { sha256File } from "../../../scripts/release/checksums.ts";
import { buildInfo, embeddedFile, LIBSRT_FILE, versionLine } from "@lib/core/build_info.ts";
import { freePort, missing } from "../../_helpers.ts";
import { git } from "../../_git.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
const denoJson = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
const VERSION: string = denoJson.version;
const HOST_LIBSRT = hostLibsrt();
const dec = new TextDecoder();

function run(cmd: string, args: string[], cwd = ROOT, env?: Record<string, string>) {
  const out = new Deno.Command(cmd, {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
    ...(env ? { env, clearEnv: true } : {}),
  }).outputSync();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** This process's environment without DENORT_BIN, plus `extra`. */
function envWith(extra: Record<string, string>): Record<string, string> {
  const env = Deno.env.toObject();
  delete env.DENORT_BIN;
  return { ...env, NO_COLOR: "1", ...extra };
}

/** Runs `deno task compile ARGS` in the repository. */
function compileTask(args: string[], env: Record<string, string>) {
  return run(Deno.execPath(), ["task", "-q", "compile", ...args], ROOT, env);
}

function assertEmbedCleaned(): void {
  assert.throws(() => Deno.statSync(`${ROOT}embed`), Deno.errors.NotFound, "embed/ left behind");
}

Deno.test("compile: the binary gets exactly the start task's permissions", () => {
  const flags = startFlags(denoJson);
  assert.ok(flags.includes("--allow-ffi"));
  assert.ok(flags.includes("--unstable-net"));
  assert.ok(flags.some((f) => f.startsWith("--allow-env=") && f.includes("SLUICE_CONFIG")));
  assert.ok(!flags.includes("--allow-all") && !flags.includes("-A"), "no blanket permissions");
  assert.deepEqual(
    flags,
    denoJson.tasks.start.split(" ").filter((a: string) => a.startsWith("--")),
  );
  const args = compileArgs(flags, "x86_64-pc-windows-msvc", "1.2.3");
  assert.deepEqual(args.slice(0, 1 + flags.length), ["compile", ...flags]);
  assert.equal(args[args.indexOf("--output") + 1], "dist/sluice-1.2.3-x86_64-pc-windows-msvc.exe");
  assert.equal(args[args.indexOf("--include") + 1], "embed");
  assert.equal(args.at(-1), "main.ts");
  assert.ok(
    args.some((a, i) => a === "ui" && args[i - 1] === "--include"),
    "the dashboard's files are embedded",
  );
});

Deno.test("compile: options", () => {
  const all = parseOptions(["--all"]);
  assert.ok(typeof all !== "string");
  assert.deepEqual(all.targets, TARGETS);
  assert.equal(TARGETS.length, 5);
  assert.deepEqual(all.libsrt, ["system"], "the machine's libsrt by default");
  const one = parseOptions([]);
  assert.ok(typeof one !== "string");
  assert.deepEqual(one.targets, [Deno.build.target]);
  assert.match(String(parseOptions(["--target", "riscv64-linux"])), /unknown target riscv64-linux/);
  assert.match(String(parseOptions(["--fast"])), /unknown argument --fast/);
  assert.deepEqual(
    TARGETS.map((t) => binaryName("0.1.0", t)).filter((n) => n.endsWith(".exe")),
    ["sluice-0.1.0-x86_64-pc-windows-msvc.exe"],
  );
});

Deno.test({
  name: "compile: a libsrt goes into the Linux target its ELF header names (readelf agrees)",
  ignore: missing("readelf"),
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const machine = (p: string) => /Machine:\s+(.+)/.exec(run("readelf", ["-h", p]).stdout)?.[1];
      const lib = HOST_LIBSRT ?? Deno.execPath(); // any x86_64/aarch64 ELF will do
      const bytes = await Deno.readFile(lib);
      const arm = bytes.slice();
      arm[18] = 0xb7;
      arm[19] = 0;
      await Deno.writeFile(`${dir}/arm.so`, arm);
      await Deno.writeTextFile(`${dir}/text.so`, "not a library");
      const expect: Record<string, string> = {
        "Advanced Micro Devices X86-64": "x86_64-unknown-linux-gnu",
        "AArch64": "aarch64-unknown-linux-gnu",
      };
      assert.equal(fileTarget(lib), expect[machine(lib)!]);
      assert.equal(machine(`${dir}/arm.so`), "AArch64");
      assert.equal(fileTarget(`${dir}/arm.so`), "aarch64-unknown-linux-gnu");
      assert.equal(fileTarget(`${dir}/text.so`), undefined);
      assert.equal(elfTarget(new Uint8Array(10)), undefined);

      const map = libsrtByTarget(["system", `${dir}/arm.so`], () => lib);
      assert.ok(typeof map !== "string");
      assert.equal(map.get("aarch64-unknown-linux-gnu"), `${dir}/arm.so`);
      assert.equal(map.get(fileTarget(lib)!), lib);
      assert.equal(libsrtByTarget(["none"]) instanceof Map, true);
      assert.equal((libsrtByTarget(["none"]) as Map<string, string>).size, 0);
      assert.match(String(libsrtByTarget([`${dir}/text.so`])), /not an x86_64 or aarch64 Linux/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("compile: DENORT_BIN pointing nowhere fails in one line, writes nothing", async () => {
  const out = await Deno.makeTempDir();
  try {
    const r = compileTask(
      ["--no-check", "--target", "x86_64-unknown-linux-gnu", "--out", out],
      envWith({ DENORT_BIN: `${out}/no-such-denort` }),
    );
    assert.equal(r.code, 1, r.stderr);
    const last = r.stderr.trim().split("\n").at(-1)!;
    assert.match(
      last,
      new RegExp(
        `^compile: x86_64-unknown-linux-gnu: DENORT_BIN=${out}/no-such-denort is not a denort runtime`,
      ),
    );
    assert.doesNotMatch(r.stderr, /Stack backtrace|Caused by/);
    assert.deepEqual([...Deno.readDirSync(out)], [], "no SHA256SUMS, notes or executable");
    assertEmbedCleaned();
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("compile: an unreachable runtime download fails in one line", async () => {
  const out = await Deno.makeTempDir();
  const denoDir = await Deno.makeTempDir();
  try {
    // A fresh DENO_DIR has no cached runtime; the npm packages come from the usual cache.
    const info = JSON.parse(run(Deno.execPath(), ["info", "--json"]).stdout);
    await Deno.symlink(info.npmCache, `${denoDir}/npm`);
    const proxy = `http://127.0.0.1:${freePort("tcp")}`; // nothing listens there
    const r = compileTask(
      ["--no-check", "--target", "aarch64-unknown-linux-gnu", "--out", out],
      envWith({ DENO_DIR: denoDir, HTTPS_PROXY: proxy, HTTP_PROXY: proxy, NO_PROXY: "" }),
    );
    assert.equal(r.code, 1, r.stderr);
    const last = r.stderr.trim().split("\n").at(-1)!;
    assert.match(
      last,
      /^compile: aarch64-unknown-linux-gnu: cannot download the Deno runtime https:\/\/\S+denort-aarch64-unknown-linux-gnu\.zip \(.+\); build where it is reachable, or set DENORT_BIN=/,
    );
    assert.doesNotMatch(r.stderr, /Stack backtrace|Caused by/);
    assert.deepEqual([...Deno.readDirSync(out)], []);
    assertEmbedCleaned();
  } finally {
    await Deno.remove(out, { recursive: true });
    await Deno.remove(denoDir, { recursive: true });
  }
});

Deno.test("compile: runtimeFailure leaves other compile errors alone", () => {
  assert.equal(runtimeFailure("error: Module not found main2.ts", "x"), undefined);
});

Deno.test({
  name: "compile: --all with a stand-in: names, stamps, embedded libsrt, SHA256SUMS, notes",
  ignore: missing("sha256sum", "git"),
  async fn() {
    const out = await Deno.makeTempDir();
    try {
      const standIn = `${out}/stand-in.bin`;
      await Deno.writeFile(standIn, crypto.getRandomValues(new Uint8Array(60_000)));
      const r = compileTask(["--all", "--stand-in", standIn, "--out", out], envWith({}));
      assert.equal(r.code, 0, r.stderr);
      assertEmbedCleaned();
      const names = TARGETS.map((t) => binaryName(VERSION, t));
      const files = [...Deno.readDirSync(out)].map((e) => e.name).sort();
      assert.deepEqual(
        files,
        [
          ".stand-in",
          "RELEASE_NOTES.md",
          "SHA256SUMS",
          "stand-in.bin",
          "sluice.example.yaml",
          "sluice.service",
          ...names,
        ].sort(),
      );

      // sha256sum is the oracle, and it notices a changed byte
      const sums = run("sha256sum", ["-c", "SHA256SUMS"], out);
      assert.equal(sums.code, 0, sums.stdout + sums.stderr);
      assert.equal(sums.stdout.trim().split("\n").length, 7, "5 executables, config, unit");
      assert.equal(
        Deno.readTextFileSync(`${out}/sluice.example.yaml`),
        Deno.readTextFileSync(`${ROOT}sluice.example.yaml`),
      );
      const f = await Deno.open(`${out}/${names[2]}`, { write: true });
      await f.write(new Uint8Array([1, 2, 3]));
      f.close();
      assert.notEqual(run("sha256sum", ["-c", "SHA256SUMS"], out).code, 0);

      // each target's stamp is read back the way the executable reads it
      const head = git(ROOT, "rev-parse", "HEAD");
      for (const t of TARGETS) {
        const root = new URL(`file://${out}/.stand-in/${t}/`);
        const b = buildInfo(root, true);
        assert.equal(b.source, "stamp");
        assert.equal(b.commit, head);
        assert.equal(b.target, t);
        assert.equal(b.dirty, git(ROOT, "status", "--porcelain") !== "");
        assert.match(
          versionLine(b),
          new RegExp(`^sluice ${VERSION} \\(commit ${head.slice(0, 12)}`),
        );
        const lib = embeddedFile(LIBSRT_FILE, root, true);
        if (t === "x86_64-unknown-linux-gnu" && HOST_LIBSRT && Deno.build.arch === "x86_64") {
          assert.ok(lib, "the host's libsrt is embedded in its Linux target");
          assert.equal(await sha256File(lib), await sha256File(HOST_LIBSRT));
        } else if (!t.includes("linux")) assert.equal(lib, undefined, t);
      }

      const notes = Deno.readTextFileSync(`${out}/RELEASE_NOTES.md`);
      assert.match(notes, new RegExp(`^# sluice ${VERSION}\n`));
      assert.match(notes, /Stand-in files/);
      assert.ok(notes.includes(`from commit ${head}`));
      const subject = git(ROOT, "log", "-1", "--no-merges", "--format=%s");
      assert.ok(notes.includes(oneLine(subject)), "the newest change is listed");
      for (const n of names) {
        assert.match(notes, new RegExp(`\\| \`${n.replace(".", "\\.")}\` \\| \`[0-9a-f]{64}\``));
      }
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test({
  name: "compile: notes list the commits since the previous tag; a tag must match deno.json",
  ignore: missing("git"),
  async fn() {
    const repo = await Deno.makeTempDir();
    try {
      git(repo, "init", "-q");
      await Deno.writeTextFile(
        `${repo}/deno.json`,
        JSON.stringify({
          version: "1.1.0",
          tasks: { start: "deno run --allow-net main.ts" },
        }),
      );
      const commit = async (msg: string) => {
        await Deno.writeTextFile(`${repo}/f`, msg);
        git(repo, "add", "-A");
        git(repo, "commit", "-qm", msg);
      };
      await commit("first");
      git(repo, "tag", "v1.0.0");
      await commit("second: after the 1.0.0 tag");
      await commit("third " + "word ".repeat(40));
      assert.equal(previousTag(repo), "v1.0.0");
      assert.deepEqual(changesSince(repo, "v1.0.0").map((c) => c.subject.slice(0, 6)), [
        "third ",
        "second",
      ]);
      git(repo, "tag", "v1.1.0");
      assert.equal(previousTag(repo), "v1.0.0", "HEAD's own tag is not the previous one");

      const standIn = `${repo}/bin`;
      await Deno.writeTextFile(standIn, "x");
      await Deno.mkdir(`${repo}/packaging`);
      for (const f of RELEASE_EXTRAS) await Deno.writeTextFile(`${repo}/${f}`, f);
      const o = {
        targets: ["aarch64-apple-darwin"],
        libsrt: ["none"],
        out: "out",
        noCheck: true,
        standIn,
      };
      assert.equal(await build(repo, o), 0);
      const notes = Deno.readTextFileSync(`${repo}/out/RELEASE_NOTES.md`);
      assert.match(
        notes,
        /## Changes since v1\.0\.0\n\n- third word word .* \.\.\. \([0-9a-f]+\)\n- second: after the 1\.0\.0 tag \([0-9a-f]+\)\n\n/,
      );
      assert.doesNotMatch(notes, /- first/);
      assert.ok(Deno.statSync(`${repo}/out/sluice-1.1.0-aarch64-apple-darwin`).isFile);

      git(repo, "tag", "-d", "v1.1.0");
      git(repo, "tag", "v1.2.0");
      assert.equal(await build(repo, o), 2, "tag v1.2.0 with deno.json 1.1.0 is refused");
    } finally {
      await Deno.remove(repo, { recursive: true });
    }
  },
});

Deno.test("compile: a long change list is cut with the git log command for the rest", () => {
  const changes = Array.from(
    { length: MAX_CHANGES + 5 },
    (_, i) => ({ hash: `h${i}`, subject: `s${i}` }),
  );
  const notes = releaseNotes({
    version: "1.0.0",
    commit: "a".repeat(40),
    dirty: false,
    builtAt: "2026-01-01T00:00:00Z",
    denoVersion: "2.9.6",
    since: "v0.9.0",
    changes,
    sums: new Map([["sluice-1.0.0-x", "b".repeat(64)]]),
    libsrt: new Map(),
  });
  assert.equal(notes.split("\n").filter((l) => /^- s\d+ \(h\d+\)$/.test(l)).length, MAX_CHANGES);
  assert.match(notes, /- \.\.\. and 5 more: `git log v0\.9\.0\.\.aaaaaaaaaaaa`/);
});
