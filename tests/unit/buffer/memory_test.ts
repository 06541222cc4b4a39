import assert from "node:assert/strict";
import { enforceGlobalLimit, type Shedder } from "@lib/buffer/memory.ts";

function holder(id: string, gops: number[]): Shedder & { gops: number[] } {
  return {
    id,
    gops,
    get bufferedBytes() {
      return this.gops.reduce((a, b) => a + b, 0);
    },
    shed() {
      return this.gops.shift() ?? 0;
    },
  };
}

Deno.test("memory: sheds whole GOPs from the largest holder until under the limit", () => {
  const a = holder("a", [100, 100, 100, 100]);
  const b = holder("b", [50, 50]);
  const freed = enforceGlobalLimit([a, b], 300);
  assert.equal(freed, 200);
  assert.deepEqual(a.gops, [100, 100]);
  assert.deepEqual(b.gops, [50, 50], "the small stream keeps its GOPs");
});

Deno.test("memory: under the limit nothing is shed; a holder that cannot shed is skipped", () => {
  const a = holder("a", [10]);
  assert.equal(enforceGlobalLimit([a], 100), 0);
  const stuck: Shedder = { id: "s", bufferedBytes: 1000, shed: () => 0 };
  const b = holder("b", [60, 60]);
  assert.equal(enforceGlobalLimit([stuck, b], 1050), 120, "whole GOPs until under the limit");
  assert.deepEqual(b.gops, []);
});
