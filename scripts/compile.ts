/**
 * Builds a release: one executable per target under dist/, named
 * `sluice-<version>-<target>` (version: deno.json "version"), each with exactly the
 * permissions of `deno task start`, the dashboard (ui/), a build stamp (commit, time, target) and, on Linux,
 * optionally a libsrt inside; next to them sluice.example.yaml and sluice.service (the
 * systemd unit), dist/SHA256SUMS over all of these and dist/RELEASE_NOTES.md (the
 * commits since the previous tag).
 *
 *   deno task compile [--all | --target T ...] [--libsrt system|none|PATH ...]
 *                     [--out DIR] [--no-check] [--stand-in FILE]
 *
 * --all              the five targets (default: this machine's)
 * --libsrt system    embed this machine's libsrt in the Linux target of its architecture
 *                    (the default); PATH embeds that file (repeatable: one per
 *                    architecture, told apart by its ELF header); none embeds nothing
 * --out DIR          where the release goes (default dist/)
 * --no-check         skip deno compile's type check
 * --stand-in FILE    copy FILE instead of running deno compile: tests the other steps
 *                    (stamp, embedded files, names, SHA256SUMS, notes) where the runtime
 *                    cannot be had; keeps each target's embed/ under DIR/.stand-in/
 *
 * `deno compile` needs the `denort` runtime of each target, which it downloads. Where
 * that fails (no internet), this script says so in one line and exits 1; DENORT_BIN
 * (a local denort of the same Deno version) builds that one target offline.
 */
import { basename, join, resolve } from "node:path";
import { EMBED_DIR, LIBSRT_FILE, STAMP_FILE } from "../lib/core/build_info.ts";
import type { BuildStamp } from "../lib/core/build_info.ts";
import { sha256Sums } from "./release/checksums.ts";
import { changesSince, headCommit, isDirty, previousTag, tagsAtHead } from "./release/git.ts";
import { fileTarget, hostLibsrt } from "./release/libsrt.ts";
import { releaseNotes } from "./release/notes.ts";

/** The five `deno compile` targets. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

/** Files of the repository shipped next to the executables (and in SHA256SUMS). */
export const RELEASE_EXTRAS = ["sluice.example.yaml", "packaging/sluice.service"];

/** The permission flags of `deno task start` (read from deno.json so they never drift). */
export function startFlags(denoJson: { tasks: Record<string, string> }): string[] {
  const start = denoJson.tasks.start;
  return start.split(/\s+/).filter((a) => a.startsWith("--"));
}

/** The executable's file name for a target. */
export function binaryName(version: string, target: string): string {
  return `sluice-${version}-${target}${target.includes("windows") ? ".exe" : ""}`;
}

/** `deno compile` arguments for one target, run in the repository root. */
export function compileArgs(
  flags: string[],
  target: string,
  version: string,
  out = "dist",
  extra: string[] = [],
): string[] {
  return [
    "compile",
    ...flags,
    ...extra,
    "--include",
    EMBED_DIR,
    // the dashboard's static files (routes/ui.ts reads them next to the code)
    "--include",
    "ui",
    // the watchdog's worker module (lib/app/watchdog/watchdog.ts starts it by URL)
    "--include",
    "lib/app/watchdog/stall_worker.ts",
    "--target",
    target,
    "--output",
    join(out, binaryName(version, target)),
    "main.ts",
  ];
}

/**
 * One line saying why `deno compile` could not get its runtime, from its stderr; or
 * undefined when it failed for another reason.
 */
export function runtimeFailure(
  stderr: string,
  target: string,
  denortBin?: string,
): string | undefined {
  // deno-lint-ignore no-control-regex -- ANSI colour codes
  const text = stderr.replace(/\x1b\[[0-9;]*m/g, "").split(/\n\s*Stack backtrace:/)[0];
  const lines = text.split("\n").map((l) => l.trim());
  const notFound = lines.find((l) => /Could not find denort/i.test(l));
  if (notFound) {
    return `compile: ${target}: DENORT_BIN=${denortBin ?? ""} is not a denort runtime (${
      notFound.replace(/^\d+:\s*/, "")
    }); point it at denort ${Deno.version.deno} for ${target}, or unset it to download`;
  }
  if (!/Setting up base binary|error sending request for url[^\n]*denort/i.test(text)) {
    return undefined;
  }
  const url = /https?:\/\/\S+?denort\S*?\.zip/.exec(text)?.[0] ?? "(denort)";
  const cause = lines.filter((l) => /^\d+:/.test(l)).at(-1)?.replace(/^\d+:\s*/, "") ??
    "download failed";
  return `compile: ${target}: cannot download the Deno runtime ${url} (${cause}); ` +
    `build where it is reachable, or set DENORT_BIN=/path/to/denort (Deno ${Deno.version.deno})`;
}

/** Parsed command line. */
export interface Options {
  targets: string[];
  libsrt: string[];
  out: string;
  noCheck: boolean;
  standIn?: string;
}

/** Parses the command line; a string is the error to print. */
export function parseOptions(args: string[]): Options | string {
  const o: Options = { targets: [], libsrt: [], out: "dist", noCheck: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => args[++i] ?? "";
    if (a === "--all") o.targets.push(...TARGETS);
    else if (a === "--target") o.targets.push(value());
    else if (a === "--libsrt") o.libsrt.push(value());
    else if (a === "--out") o.out = value();
    else if (a === "--no-check") o.noCheck = true;
    else if (a === "--stand-in") o.standIn = value();
    else return `compile: unknown argument ${a}`;
  }
  if (!o.targets.length) o.targets.push(Deno.build.target);
  o.targets = [...new Set(o.targets)];
  const bad = o.targets.find((t) => !TARGETS.includes(t));
  if (bad !== undefined) return `compile: unknown target ${bad}; known: ${TARGETS.join(", ")}`;
  if (!o.libsrt.length) o.libsrt.push("system");
  return o;
}

/**
 * Which libsrt goes into which Linux target: `system` is this machine's (skipped with a
 * note when there is none), `none` nothing, a path that file. A file whose ELF header
 * fits no Linux target is an error.
 */
export function libsrtByTarget(specs: string[], host = hostLibsrt): Map<string, string> | string {
  const map = new Map<string, string>();
  if (specs.includes("none")) return map;
  for (const spec of specs) {
    const path = spec === "system" ? host() : spec;
    if (!path) {
      console.error("compile: no libsrt on this machine: the Linux executables carry none");
      continue;
    }
    const target = fileTarget(path);
    if (!target) {
      return `compile: --libsrt ${path} is not an x86_64 or aarch64 Linux shared library`;
    }
    map.set(target, path);
  }
  return map;
}

function removeIfThere(path: string): void {
  try {
    Deno.removeSync(path, { recursive: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/** Fills `dir` (emptied first) with the stamp and, when given, the libsrt to embed. */
export function prepareEmbed(dir: string, stamp: BuildStamp, libsrt?: string): void {
  removeIfThere(dir);
  Deno.mkdirSync(dir, { recursive: true });
  Deno.writeTextFileSync(join(dir, STAMP_FILE), JSON.stringify(stamp, null, 2) + "\n");
  if (libsrt) Deno.copyFileSync(libsrt, join(dir, LIBSRT_FILE));
}

/** Runs the release build; returns the exit code. */
export async function build(root: string, o: Options): Promise<number> {
  const denoJson = JSON.parse(Deno.readTextFileSync(join(root, "deno.json")));
  const version: string = denoJson.version;
  const tagged = tagsAtHead(root).filter((t) => /^v?\d/.test(t));
  const mismatch = tagged.find((t) => t.replace(/^v/, "") !== version);
  if (mismatch) {
    console.error(`compile: HEAD is tagged ${mismatch} but deno.json says ${version}`);
    return 2;
  }
  const denort = Deno.env.get("DENORT_BIN");
  if (denort && o.targets.length > 1 && !o.standIn) {
    console.error(
      "compile: DENORT_BIN is one target's runtime: build that target alone with --target",
    );
    return 2;
  }
  const libsrt = libsrtByTarget(o.libsrt);
  if (typeof libsrt === "string") {
    console.error(libsrt);
    return 2;
  }
  const out = resolve(root, o.out);
  Deno.mkdirSync(out, { recursive: true });
  for (const f of ["SHA256SUMS", "RELEASE_NOTES.md", ".stand-in", ...RELEASE_EXTRAS]) {
    removeIfThere(join(out, basename(f)));
  }
  for (const t of TARGETS) removeIfThere(join(out, binaryName(version, t)));

  const commit = headCommit(root);
  const dirty = isDirty(root);
  const epoch = Number(Deno.env.get("SOURCE_DATE_EPOCH"));
  const builtAt = (Number.isFinite(epoch) && epoch > 0 ? new Date(epoch * 1000) : new Date())
    .toISOString().replace(/\.\d{3}Z$/, "Z");
  const embed = join(root, EMBED_DIR);
  const built: string[] = [];
  const carried = new Map<string, string>();
  try {
    for (const target of o.targets) {
      const name = binaryName(version, target);
      const lib = target.includes("linux") ? libsrt.get(target) : undefined;
      prepareEmbed(embed, { commit, dirty, builtAt, target }, lib);
      const path = join(out, name);
      if (o.standIn) {
        Deno.copyFileSync(o.standIn, path);
        const keep = join(out, ".stand-in", target);
        Deno.mkdirSync(keep, { recursive: true });
        Deno.renameSync(embed, join(keep, EMBED_DIR));
      } else {
        const args = compileArgs(
          startFlags(denoJson),
          target,
          version,
          o.out,
          o.noCheck ? ["--no-check"] : [],
        );
        console.error(`compile: ${name}${lib ? ` (libsrt ${lib})` : ""}`);
        const res = await new Deno.Command(Deno.execPath(), {
          args,
          cwd: root,
          env: { NO_COLOR: "1" },
          stdout: "piped",
          stderr: "piped",
        }).output();
        if (!res.success) {
          const err = new TextDecoder().decode(res.stderr);
          const line = runtimeFailure(err, target, denort);
          console.error(line ?? `compile: ${target} failed:\n${err.trim()}`);
          return 1;
        }
      }
      built.push(path);
      if (lib) carried.set(name, `${basename(lib)} (${lib})`);
    }
  } finally {
    removeIfThere(embed);
  }
  // What the install needs besides the executable (README.md, Install).
  for (const f of RELEASE_EXTRAS) {
    const dst = join(out, basename(f));
    Deno.copyFileSync(join(root, f), dst);
    built.push(dst);
  }
  const { text, sums } = await sha256Sums(built);
  Deno.writeTextFileSync(join(out, "SHA256SUMS"), text);
  const since = previousTag(root);
  const notes = releaseNotes({
    version,
    commit,
    dirty,
    builtAt,
    denoVersion: Deno.version.deno,
    since,
    changes: changesSince(root, since),
    sums,
    libsrt: carried,
    standIn: !!o.standIn,
  });
  Deno.writeTextFileSync(join(out, "RELEASE_NOTES.md"), notes);
  console.error(
    `compile: ${built.length} files, SHA256SUMS and RELEASE_NOTES.md in ${o.out}/` +
      (o.standIn ? " (stand-ins, not executables)" : ""),
  );
  return 0;
}

if (import.meta.main) {
  const o = parseOptions(Deno.args);
  if (typeof o === "string") {
    console.error(o);
    Deno.exit(2);
  }
  Deno.exit(await build(new URL("../", import.meta.url).pathname, o));
}
