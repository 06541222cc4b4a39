/**
 * Builds the single executable: `deno compile` with exactly the permissions that
 * `deno task start` uses and the dashboard's files (ui/) embedded, one binary per
 * target under dist/.
 *
 *   deno task compile [--target x86_64-unknown-linux-gnu ...]
 *
 * `deno compile` needs the `denort` runtime for each target. It downloads it, which
 * fails on machines without internet; set DENORT_BIN to a local denort to build
 * offline. The script says so plainly instead of failing with a network trace.
 */

const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

/** The permission flags of `deno task start` (read from deno.json so they never drift). */
export function startFlags(denoJson: { tasks: Record<string, string> }): string[] {
  const start = denoJson.tasks.start;
  return start.split(/\s+/).filter((a) => a.startsWith("--"));
}

/** `deno compile` arguments for one target. */
export function compileArgs(flags: string[], target: string, version: string): string[] {
  const ext = target.includes("windows") ? ".exe" : "";
  return [
    "compile",
    ...flags,
    "--target",
    target,
    "--output",
    `dist/sluice-${version}-${target}${ext}`,
    // the dashboard's static files (routes/ui.ts reads them next to the code)
    "--include",
    "ui",
    "main.ts",
  ];
}

if (import.meta.main) {
  const root = new URL("../", import.meta.url).pathname;
  const deno = JSON.parse(Deno.readTextFileSync(`${root}deno.json`));
  const want = Deno.args.includes("--target")
    ? Deno.args.filter((_, i) => Deno.args[i - 1] === "--target")
    : [TARGETS[0]];
  for (const t of want) {
    if (!TARGETS.includes(t)) {
      console.error(`compile: unknown target ${t}; known: ${TARGETS.join(", ")}`);
      Deno.exit(2);
    }
  }
  let failed = 0;
  for (const target of want) {
    const args = compileArgs(startFlags(deno), target, deno.version);
    console.error(`compile: deno ${args.join(" ")}`);
    const out = await new Deno.Command(Deno.execPath(), { args, cwd: root, stderr: "piped" })
      .output();
    if (out.code === 0) {
      console.error(`compile: built ${args[args.indexOf("--output") + 1]}`);
      continue;
    }
    failed++;
    const err = new TextDecoder().decode(out.stderr);
    if (/denort|download|dl\.deno\.land|network|dns/i.test(err) && !Deno.env.get("DENORT_BIN")) {
      console.error(
        `compile: ${target}: deno compile could not get the denort runtime (no internet here?).\n` +
          `  Set DENORT_BIN=/path/to/denort for this target and run again.\n` +
          `  Meanwhile 'deno task start' runs sluice with the same permissions.`,
      );
    } else console.error(`compile: ${target} failed:\n${err}`);
  }
  Deno.exit(failed ? 1 : 0);
}
