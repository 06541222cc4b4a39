/** The few git questions the release build asks (scripts/compile.ts), run in `repo`. */

/** Runs git in `repo`; stdout trimmed, or throws with git's message. */
export function git(repo: string, ...args: string[]): string {
  const out = new Deno.Command("git", { args, cwd: repo, stdout: "piped", stderr: "piped" })
    .outputSync();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n")[0];
    throw new Error(`git ${args.join(" ")}: ${err}`);
  }
  return new TextDecoder().decode(out.stdout).trim();
}

/** Full hash of HEAD. */
export function headCommit(repo: string): string {
  return git(repo, "rev-parse", "HEAD");
}

/** True when tracked files differ from HEAD or untracked, not ignored files exist. */
export function isDirty(repo: string): boolean {
  return git(repo, "status", "--porcelain").length > 0;
}

/** Tags on HEAD itself (a release commit carries its `vX.Y.Z`). */
export function tagsAtHead(repo: string): string[] {
  return git(repo, "tag", "--points-at", "HEAD").split("\n").filter(Boolean);
}

/** The newest tag reachable from HEAD that is not on HEAD: the previous release. */
export function previousTag(repo: string): string | undefined {
  const here = new Set(tagsAtHead(repo));
  const tags = git(repo, "tag", "--merged", "HEAD", "--sort=-creatordate").split("\n");
  return tags.find((t) => t && !here.has(t));
}

/** One commit of the change list. */
export interface Change {
  hash: string;
  subject: string;
}

/** Commits after `since` (a tag; all history when undefined) up to HEAD, newest first, no merges. */
export function changesSince(repo: string, since?: string): Change[] {
  const range = since ? [`${since}..HEAD`] : ["HEAD"];
  const out = git(repo, "log", "--no-merges", "--format=%h%x09%s", ...range);
  return out.split("\n").filter(Boolean).map((l) => {
    const i = l.indexOf("\t");
    return { hash: l.slice(0, i), subject: l.slice(i + 1) };
  });
}
