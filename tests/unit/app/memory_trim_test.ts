/**
 * MemoryTrimmer (lib/app/memory_trim.ts) against glibc itself: 128 MB of heap blocks
 * (below the mmap threshold, touched so they are resident) freed between live ones stay
 * in RSS; one check() gives them back (RSS from Deno.memoryUsage, i.e. the kernel's).
 */
import assert from "node:assert/strict";
import { MemoryTrimmer, TRIM_SLACK_BYTES } from "@lib/app/memory_trim.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const linux = Deno.build.os === "linux";

type Libc = Deno.DynamicLibrary<{
  malloc: { parameters: ["usize"]; result: "pointer" };
  free: { parameters: ["pointer"]; result: "void" };
  memset: { parameters: ["pointer", "i32", "usize"]; result: "pointer" };
}>;

function libc(): Libc {
  return Deno.dlopen("libc.so.6", {
    malloc: { parameters: ["usize"], result: "pointer" },
    free: { parameters: ["pointer"], result: "void" },
    memset: { parameters: ["pointer", "i32", "usize"], result: "pointer" },
  });
}

/**
 * 128 MB of resident heap blocks, each followed by a live one (so the freed ones are
 * holes, not the heap's top), then the blocks freed (unless `keep`, which returns them
 * with the pins); returns what is still allocated.
 */
function holes(lib: Libc, keep = false): Deno.PointerValue[] {
  const blocks: Deno.PointerValue[] = [];
  const pins: Deno.PointerValue[] = [];
  for (let i = 0; i < 2048; i++) {
    const p = lib.symbols.malloc(64n * 1024n);
    lib.symbols.memset(p, 1, 64n * 1024n); // resident, and not an ArrayBuffer V8 counts
    blocks.push(p);
    pins.push(lib.symbols.malloc(64n * 1024n + 16n));
  }
  if (keep) return [...blocks, ...pins];
  for (const p of blocks) lib.symbols.free(p);
  return pins;
}

Deno.test({
  name: "memory trim: freed heap blocks leave RSS after one check, not before",
  ignore: !linux,
  fn: () => {
    const lib = libc();
    const t = new MemoryTrimmer();
    try {
      t.start();
      assert.equal(t.check(), 0, "nothing to give back yet");
      const pins = holes(lib);
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

Deno.test({
  name: "memory trim: a stream removed lifts the pause after a useless trim and checks soon",
  ignore: !linux,
  fn: async () => {
    const lib = libc();
    const t = new MemoryTrimmer(undefined, [50]);
    const pins: Deno.PointerValue[] = [];
    try {
      t.start();
      // 128 MB in use that RSS has and V8 does not account: a trim runs, gives nothing back
      const live = holes(lib, true);
      assert.ok(t.check() < TRIM_SLACK_BYTES);
      assert.equal(t.trimmed, 1);
      for (const p of live.slice(0, 2048)) lib.symbols.free(p);
      pins.push(...live.slice(2048));
      const held = Deno.memoryUsage().rss;
      assert.equal(t.check(), 0, "paused after the useless trim: 128 MB free stay");
      assert.equal(t.trimmed, 1);
      t.afterRelease();
      for (let i = 0; i < 100 && t.trimmed === 1; i++) await sleep(20);
      assert.equal(t.trimmed, 2, "the check after the release trimmed");
      assert.ok(Deno.memoryUsage().rss < held - TRIM_SLACK_BYTES);
    } finally {
      for (const p of pins) lib.symbols.free(p);
      t.stop();
      lib.close();
    }
  },
});

Deno.test({
  name: "memory trim: after a release, unreachable ArrayBuffers are collected (a full GC)",
  fn: async () => {
    const t = new MemoryTrimmer(undefined, [10]);
    try {
      t.start();
      let held: Uint8Array[] | undefined = Array.from(
        { length: 200 },
        () => new Uint8Array(1 << 20).fill(1),
      );
      const before = Deno.memoryUsage().external;
      assert.equal(held.length, 200);
      held = undefined;
      t.afterRelease();
      for (let i = 0; i < 100 && t.collected === 0; i++) await sleep(20);
      assert.equal(t.collected, 1, "one full GC ran");
      const after = Deno.memoryUsage().external;
      assert.ok(after < before - 150 * 2 ** 20, `external ${before} -> ${after} bytes`);
    } finally {
      t.stop();
    }
  },
});
