/**
 * MemoryTrimmer (lib/app/memory_trim.ts) against glibc itself: 128 MB of heap blocks
 * (below the mmap threshold, touched so they are resident) freed between live ones stay
 * in RSS; one check() gives them back (RSS from Deno.memoryUsage, i.e. the kernel's).
 */
import assert from "node:assert/strict";
import { MemoryTrimmer, TRIM_SLACK_BYTES } from "@lib/app/memory_trim.ts";

const linux = Deno.build.os === "linux";

Deno.test({
  name: "memory trim: freed heap blocks leave RSS after one check, not before",
  ignore: !linux,
  fn: () => {
    const lib = Deno.dlopen("libc.so.6", {
      malloc: { parameters: ["usize"], result: "pointer" },
      free: { parameters: ["pointer"], result: "void" },
      memset: { parameters: ["pointer", "i32", "usize"], result: "pointer" },
    });
    const t = new MemoryTrimmer();
    try {
      t.start();
      assert.equal(t.check(), 0, "nothing to give back yet");
      const blocks: Deno.PointerValue[] = [];
      const pins: Deno.PointerValue[] = [];
      for (let i = 0; i < 2048; i++) {
        const p = lib.symbols.malloc(64n * 1024n);
        lib.symbols.memset(p, 1, 64n * 1024n); // resident, and not an ArrayBuffer V8 counts
        blocks.push(p);
        // A live block after each one: the freed ones are holes, not the heap's top.
        pins.push(lib.symbols.malloc(64n * 1024n + 16n));
      }
      for (const p of blocks) lib.symbols.free(p);
      const held = Deno.memoryUsage().rss;
      const freed = t.check();
      assert.equal(t.trimmed, 1);
      assert.ok(freed > TRIM_SLACK_BYTES, `freed ${freed} bytes`);
      assert.ok(Deno.memoryUsage().rss < held - TRIM_SLACK_BYTES);
      assert.equal(t.check(), 0, "nothing more to give back (and a pause after a useless trim)");
      for (const p of pins) lib.symbols.free(p);
    } finally {
      t.stop();
      lib.close();
    }
  },
});
