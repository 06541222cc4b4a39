/**
 * lib/core/build_info.ts: the commit under `deno run` is git's own answer (`git rev-parse
 * HEAD`, also in a temp repository with packed refs and in a worktree), a compiled
 * executable reads its stamp, and --version says which.
 */
import assert from "node:assert/strict";
import { buildInfo, gitCommit, parseStamp, STAMP_FILE, versionLine } from "@lib/core/build_info.ts";
import { VERSION } from "@lib/core/version.ts";
import { missing } from "../_helpers.ts";
import { git } from "../_git.ts";

const ROOT = new URL("../../", import.meta.url);
const denoJson = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT)));

Deno.test("build info: the version is deno.json's", () => {
  assert.equal(VERSION, denoJson.version);
  assert.match(VERSION, /^\d+\.\d+\.\d+/);
});

Deno.test({
  name: "build info: under deno run the commit is the checkout's HEAD",
  ignore: missing("git"),
  fn() {
    const b = buildInfo(ROOT, false);
    assert.equal(b.commit, git(ROOT.pathname, "rev-parse", "HEAD"));
    assert.equal(b.source, "git");
    assert.equal(
      versionLine(b),
      `sluice ${VERSION} (commit ${b.commit.slice(0, 12)}, run from source)`,
    );
  },
});

Deno.test({
  name: "build info: loose refs, packed refs, detached HEAD and worktrees",
  ignore: missing("git"),
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      git(dir, "init", "-q");
      await Deno.writeTextFile(`${dir}/a`, "1");
      git(dir, "add", "a");
      git(dir, "commit", "-qm", "one");
      const root = new URL(`file://${dir}/`);
      assert.equal(gitCommit(root), git(dir, "rev-parse", "HEAD"), "loose ref");
      git(dir, "pack-refs", "--all");
      assert.equal(gitCommit(root), git(dir, "rev-parse", "HEAD"), "packed-refs");
      await Deno.writeTextFile(`${dir}/a`, "2");
      git(dir, "commit", "-qam", "two");
      git(dir, "checkout", "-q", "--detach", "HEAD~1");
      assert.equal(gitCommit(root), git(dir, "rev-parse", "HEAD"), "detached");
      git(dir, "worktree", "add", "-q", "-b", "side", `${dir}/wt`, "main");
      assert.equal(
        gitCommit(new URL(`file://${dir}/wt/`)),
        git(`${dir}/wt`, "rev-parse", "HEAD"),
        "worktree",
      );
      assert.equal(gitCommit(new URL(`file://${dir}/nowhere/`)), undefined);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("build info: a compiled executable reads its stamp, never git", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const root = new URL(`file://${dir}/`);
    const stamp = {
      commit: "0123456789abcdef0123456789abcdef01234567",
      dirty: true,
      builtAt: "2026-12-06T01:02:03Z",
      target: "aarch64-unknown-linux-gnu",
    };
    assert.deepEqual(buildInfo(root, true), {
      version: VERSION,
      commit: "unknown",
      dirty: false,
      source: "unknown",
    });
    await Deno.mkdir(`${dir}/embed`);
    await Deno.writeTextFile(`${dir}/embed/${STAMP_FILE}`, JSON.stringify(stamp));
    const b = buildInfo(root, true);
    assert.deepEqual(b, { version: VERSION, ...stamp, source: "stamp" });
    assert.equal(
      versionLine(b),
      `sluice ${VERSION} (commit 0123456789ab with uncommitted changes, built 2026-12-06T01:02:03Z for aarch64-unknown-linux-gnu)`,
    );
    assert.equal(buildInfo(root, false).source, "unknown", "deno run ignores a stale stamp");
    assert.equal(parseStamp('{"commit":"xyz","dirty":false,"builtAt":"","target":""}'), undefined);
    assert.equal(parseStamp("not json"), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
