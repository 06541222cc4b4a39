/**
 * sluice's version: deno.json "version" is the one place it is written (the release
 * script scripts/compile.ts names the executables after it). The commit a binary was
 * built from is in lib/core/build_info.ts.
 */
import denoJson from "../../deno.json" with { type: "json" };

/** The release version, e.g. "0.1.0". */
export const VERSION: string = denoJson.version;
