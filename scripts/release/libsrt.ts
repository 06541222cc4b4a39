/**
 * The libsrt a release carries inside its Linux executables (scripts/compile.ts
 * --libsrt): which file, and which target it fits (read from its ELF header, so an
 * aarch64 library never lands in an x86_64 binary). At run time ffi/srt.ts loads it
 * only when the box has no libsrt of its own. The library still needs the C
 * libraries it links (libcrypto of OpenSSL 3 for Debian's libsrt1.5-openssl).
 */
import { SYSTEM_NAMES } from "../../ffi/srt.ts";

/** ELF e_machine values (elf.h) of the two Linux targets. */
const ELF_MACHINES: Record<number, string> = {
  0x3e: "x86_64-unknown-linux-gnu",
  0xb7: "aarch64-unknown-linux-gnu",
};

/** The Linux target a shared library is built for, or undefined (not a 64-bit little-endian ELF of x86_64/aarch64). */
export function elfTarget(head: Uint8Array): string | undefined {
  if (head.length < 20) return undefined;
  if (head[0] !== 0x7f || head[1] !== 0x45 || head[2] !== 0x4c || head[3] !== 0x46) {
    return undefined;
  }
  if (head[4] !== 2 || head[5] !== 1) return undefined; // ELFCLASS64, ELFDATA2LSB
  const machine = head[18] | (head[19] << 8);
  return ELF_MACHINES[machine];
}

/** Reads the first bytes of `path` and returns its Linux target (see elfTarget). */
export function fileTarget(path: string): string | undefined {
  let f: Deno.FsFile | undefined;
  try {
    f = Deno.openSync(path);
    const head = new Uint8Array(64);
    const n = f.readSync(head) ?? 0;
    return elfTarget(head.subarray(0, n));
  } catch {
    return undefined;
  } finally {
    f?.close();
  }
}

/** The Linux sonames of ffi/srt.ts, in its order. */
const SONAMES = SYSTEM_NAMES.filter((n) => /\.so(\.|$)/.test(n));

/**
 * This machine's libsrt as the dynamic loader finds it (`ldconfig -p`, then the usual
 * library folders), symlinks resolved; undefined when there is none.
 */
export function hostLibsrt(): string | undefined {
  const found = new Map<string, string>();
  try {
    const out = new Deno.Command("ldconfig", { args: ["-p"], stdout: "piped", stderr: "null" })
      .outputSync();
    for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
      const m = /^\s*(\S+) \(([^)]*)\) => (\S+)$/.exec(line);
      if (m && !found.has(m[1])) found.set(m[1], m[3]);
    }
  } catch { /* no ldconfig: look in the folders */ }
  const dirs = [
    `/usr/lib/${Deno.build.arch}-linux-gnu`,
    `/lib/${Deno.build.arch}-linux-gnu`,
    "/usr/local/lib",
    "/usr/lib64",
    "/usr/lib",
  ];
  for (const name of SONAMES) {
    for (const path of [found.get(name), ...dirs.map((d) => `${d}/${name}`)]) {
      if (!path) continue;
      try {
        return Deno.realPathSync(path);
      } catch { /* not there */ }
    }
  }
  return undefined;
}
