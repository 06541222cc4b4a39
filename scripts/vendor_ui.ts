/**
 * Copies the dashboard's one library, uPlot (npm `uplot`, MIT), from Deno's npm cache
 * into ui/vendor/uplot/ so the page and the executable need nothing at run time. The
 * version is the one deno.json's imports pin; the copy is committed.
 *
 *   deno task ui:vendor
 */
const root = new URL("../", import.meta.url);
const deno = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
const spec: string = deno.imports.uplot; // "npm:uplot@1.6.32"
const version = /@([\d.]+)$/.exec(spec)?.[1];
if (!version) throw new Error(`deno.json imports.uplot must pin an exact version, got ${spec}`);

const run = (args: string[]) =>
  new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "inherit" }).output();
if (!(await run(["cache", spec])).success) throw new Error(`deno cache ${spec} failed`);
const info = JSON.parse(new TextDecoder().decode((await run(["info", "--json"])).stdout));
const pkg = `${info.npmCache}/registry.npmjs.org/uplot/${version}`;
const out = new URL("ui/vendor/uplot/", root);
await Deno.mkdir(out, { recursive: true });
for (
  const [from, to] of [["dist/uPlot.esm.js", "uPlot.esm.js"], [
    "dist/uPlot.min.css",
    "uPlot.min.css",
  ], ["LICENSE", "LICENSE.txt"]]
) {
  await Deno.copyFile(`${pkg}/${from}`, new URL(to, out));
}
await Deno.writeTextFile(new URL("VERSION.txt", out), `uplot ${version} (npm), MIT\n`);
console.error(`ui:vendor: uPlot ${version} -> ui/vendor/uplot/`);
