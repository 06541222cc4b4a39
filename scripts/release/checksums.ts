/**
 * SHA256SUMS for a release, in the format `sha256sum -c SHA256SUMS` checks:
 * `<64 hex digits><two spaces><file name>` per line.
 */
import { createHash } from "node:crypto";
import { basename } from "node:path";

/** SHA-256 of a file, hex, read in 1 MiB chunks (executables are ~100 MB). */
export async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  const f = await Deno.open(path);
  try {
    const buf = new Uint8Array(1 << 20);
    for (;;) {
      const n = await f.read(buf);
      if (n === null) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    f.close();
  }
  return h.digest("hex");
}

/** The SHA256SUMS text for `files` (named by their base name, sorted). */
export async function sha256Sums(
  files: string[],
): Promise<{ text: string; sums: Map<string, string> }> {
  const sums = new Map<string, string>();
  for (const f of [...files].sort()) sums.set(basename(f), await sha256File(f));
  const text = [...sums].map(([name, hex]) => `${hex}  ${name}\n`).join("");
  return { text, sums };
}
