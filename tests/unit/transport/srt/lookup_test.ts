/**
 * Where sluice finds libsrt (ffi/srt.ts): `srt.library` alone when set, else
 * SLUICE_LIBSRT, the system's names, and last the copy a release embeds
 * (scripts/compile.ts --libsrt). The real load goes through a copy of this machine's
 * libsrt in a temp folder, found the way the release build finds it
 * (scripts/release/libsrt.ts), and /proc/self/maps (the kernel) says which file is mapped.
 */
import assert from "node:assert/strict";
import { libraryCandidates, openSrt, SYSTEM_NAMES } from "../../../../ffi/srt.ts";
import { embeddedFile, LIBSRT_FILE } from "@lib/core/build_info.ts";
import { hostLibsrt } from "../../../../scripts/release/libsrt.ts";

const HOST = hostLibsrt();
const noLibsrt = (() => {
  if (HOST) return false;
  if (Deno.env.get("CI") === "true") return false; // CI installs libsrt1.5-openssl: fail there
  console.warn("skipping: no libsrt on this machine (apt-get install libsrt1.5-openssl)");
  return true;
})();

Deno.test("libsrt lookup: srt.library alone, else env, system names, embedded last", () => {
  assert.deepEqual(libraryCandidates("/cfg/libsrt.so", "/env/libsrt.so", "/embed/libsrt.so"), [
    "/cfg/libsrt.so",
  ]);
  assert.deepEqual(libraryCandidates(undefined, "/env/libsrt.so", "/embed/libsrt.so"), [
    "/env/libsrt.so",
    ...SYSTEM_NAMES,
    "/embed/libsrt.so",
  ]);
  assert.deepEqual(libraryCandidates(undefined, undefined, "/embed/libsrt.so"), [
    ...SYSTEM_NAMES,
    "/embed/libsrt.so",
  ]);
  assert.deepEqual(libraryCandidates(), [...SYSTEM_NAMES]);
  assert.equal(SYSTEM_NAMES[0], "libsrt.so.1.5", "Debian's OpenSSL flavour first");
});

Deno.test("libsrt lookup: only a compiled executable has an embedded library", async () => {
  const root = await Deno.makeTempDir();
  try {
    const rootUrl = new URL(`file://${root}/`);
    assert.equal(embeddedFile(LIBSRT_FILE, rootUrl, true), undefined, "nothing embedded");
    await Deno.mkdir(`${root}/embed`);
    await Deno.writeFile(`${root}/embed/${LIBSRT_FILE}`, new Uint8Array([0x7f]));
    assert.equal(embeddedFile(LIBSRT_FILE, rootUrl, true), `${root}/embed/${LIBSRT_FILE}`);
    assert.equal(embeddedFile(LIBSRT_FILE, rootUrl, false), undefined, "deno run ignores it");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

/** The paths of the shared objects mapped into this process. */
function mapped(): string[] {
  return Deno.readTextFileSync("/proc/self/maps").split("\n").map((l) => l.split(/\s+/)[5] ?? "");
}

Deno.test({
  name: "libsrt lookup: a copied libsrt loads as the embedded fallback and works",
  ignore: noLibsrt,
  async fn() {
    assert.ok(HOST, "no libsrt found by scripts/release/libsrt.ts hostLibsrt()");
    const dir = await Deno.makeTempDir();
    const copy = `${dir}/${LIBSRT_FILE}`;
    await Deno.copyFile(HOST, copy);
    try {
      const r = openSrt(undefined, {
        env: `${dir}/absent-libsrt.so`,
        system: ["libsrt-not-on-this-box.so.9"],
        embedded: copy,
      });
      assert.ok(r.ok, r.ok ? "" : r.reason);
      assert.equal(r.value.path, copy);
      assert.ok(mapped().includes(copy), "the copy is mapped, not the system file");
      const sym = r.value.sym;
      assert.ok(sym.srt_startup() >= 0);
      const s = sym.srt_create_socket();
      assert.ok(s > 0, `srt_create_socket gave ${s}`);
      assert.equal(sym.srt_close(s), 0);
      sym.srt_cleanup();
      r.value.lib.close();

      const none = openSrt(undefined, { system: ["libsrt-not-on-this-box.so.9"] });
      assert.ok(!none.ok);
      assert.match(none.reason, /^libsrt_not_found \(tried libsrt-not-on-this-box\.so\.9: /);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "libsrt lookup: SLUICE_LIBSRT wins over the embedded copy",
  ignore: noLibsrt,
  async fn() {
    const dir = await Deno.makeTempDir();
    const viaEnv = `${dir}/env-libsrt.so`;
    await Deno.copyFile(HOST!, viaEnv);
    try {
      const r = openSrt(undefined, { env: viaEnv, system: [], embedded: `${dir}/embedded.so` });
      assert.ok(r.ok, r.ok ? "" : r.reason);
      assert.equal(r.value.path, viaEnv);
      r.value.lib.close();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
