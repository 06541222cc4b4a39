/**
 * Which build this is: the version (lib/core/version.ts) and the commit it was built from.
 *
 * A compiled executable carries a stamp, `embed/build.json`, written by
 * scripts/compile.ts and included with `deno compile --include embed/` (the same
 * folder may carry an `embed/libsrt.so`, see ffi/srt.ts). Under `deno run` there is
 * no stamp (a stale one from an earlier build is ignored): the commit is read from the
 * checkout's .git (HEAD, loose ref or packed-refs; worktrees too) without running git,
 * since `deno task start` has no --allow-run. When neither is there it says "unknown".
 */
import { VERSION } from "./version.ts";

/** The folder of files the release build embeds, next to main.ts. */
export const EMBED_DIR = "embed";
/** The build stamp's file name inside EMBED_DIR. */
export const STAMP_FILE = "build.json";
/** The embedded libsrt's file name inside EMBED_DIR (Linux targets; see ffi/srt.ts). */
export const LIBSRT_FILE = "libsrt.so";

/** What scripts/compile.ts records about a build. */
export interface BuildStamp {
  /** Full commit hash of HEAD. */
  commit: string;
  /** True when the work tree had uncommitted changes. */
  dirty: boolean;
  /** ISO 8601 UTC time of the build. */
  builtAt: string;
  /** The `deno compile --target` triple. */
  target: string;
}

/** The running build: version, commit, and where the commit came from. */
export interface BuildInfo {
  version: string;
  /** Full commit hash, or "unknown". */
  commit: string;
  dirty: boolean;
  /** "stamp" (compiled executable), "git" (source checkout) or "unknown". */
  source: "stamp" | "git" | "unknown";
  builtAt?: string;
  target?: string;
}

/** Parses a stamp; undefined when it is not one (wrong shape, bad hash). */
export function parseStamp(text: string): BuildStamp | undefined {
  try {
    const s = JSON.parse(text);
    if (
      typeof s?.commit === "string" && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(s.commit) &&
      typeof s.dirty === "boolean" && typeof s.builtAt === "string" &&
      typeof s.target === "string"
    ) return { commit: s.commit, dirty: s.dirty, builtAt: s.builtAt, target: s.target };
  } catch { /* not JSON */ }
  return undefined;
}

function readText(url: URL): string | undefined {
  try {
    return Deno.readTextFileSync(url);
  } catch {
    return undefined;
  }
}

/**
 * HEAD's commit of the git checkout at `root` (a folder URL ending in "/"), read from
 * the files git keeps: `.git` may be a folder or, in a worktree, a file naming the
 * real one, whose `commondir` holds the shared refs.
 */
export function gitCommit(root: URL): string | undefined {
  let gitDir = new URL(".git/", root);
  const pointer = readText(new URL(".git", root));
  if (pointer?.startsWith("gitdir:")) {
    const dir = pointer.slice(7).trim();
    gitDir = new URL(dir.endsWith("/") ? dir : `${dir}/`, root);
  }
  const head = readText(new URL("HEAD", gitDir))?.trim();
  if (!head) return undefined;
  if (!head.startsWith("ref:")) return /^[0-9a-f]{40}$/.test(head) ? head : undefined;
  const ref = head.slice(4).trim();
  const common = readText(new URL("commondir", gitDir))?.trim();
  const dirs = [gitDir];
  if (common) dirs.push(new URL(common.endsWith("/") ? common : `${common}/`, gitDir));
  for (const dir of dirs) {
    const loose = readText(new URL(ref, dir))?.trim();
    if (loose && /^[0-9a-f]{40}$/.test(loose)) return loose;
  }
  for (const dir of dirs) {
    for (const line of (readText(new URL("packed-refs", dir)) ?? "").split("\n")) {
      const [sha, name] = line.trim().split(" ");
      if (name === ref && /^[0-9a-f]{40}$/.test(sha)) return sha;
    }
  }
  return undefined;
}

/**
 * The path of file `name` embedded in this executable (`deno compile --include`), or
 * undefined under `deno run` or when the build did not embed it. Deno serves it from
 * the executable's virtual file system; `Deno.dlopen` of such a path loads a temp copy.
 */
export function embeddedFile(
  name: string,
  root: URL = new URL("./", Deno.mainModule),
  standalone: boolean = Deno.build.standalone ?? false,
): string | undefined {
  if (!standalone) return undefined;
  const url = new URL(`${EMBED_DIR}/${name}`, root);
  try {
    return Deno.statSync(url).isFile ? decodeURIComponent(url.pathname) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The running build. `root` is the folder of main.ts (default: the main module's);
 * `standalone` is true in a `deno compile` executable.
 */
export function buildInfo(
  root: URL = new URL("./", Deno.mainModule),
  standalone: boolean = Deno.build.standalone ?? false,
): BuildInfo {
  if (standalone) {
    const stamp = parseStamp(readText(new URL(`${EMBED_DIR}/${STAMP_FILE}`, root)) ?? "");
    if (stamp) return { version: VERSION, ...stamp, source: "stamp" };
  } else {
    const commit = gitCommit(root);
    if (commit) return { version: VERSION, commit, dirty: false, source: "git" };
  }
  return { version: VERSION, commit: "unknown", dirty: false, source: "unknown" };
}

/** The `sluice --version` line, e.g. "sluice 0.1.0 (commit 225fa73c1d2e, built 2026-12-06T00:00:00Z)". */
export function versionLine(b: BuildInfo = buildInfo()): string {
  const commit = b.commit === "unknown" ? "commit unknown" : `commit ${b.commit.slice(0, 12)}`;
  const dirty = b.dirty ? " with uncommitted changes" : "";
  const how = b.source === "stamp" ? `built ${b.builtAt} for ${b.target}` : "run from source";
  return `sluice ${b.version} (${commit}${dirty}, ${how})`;
}
