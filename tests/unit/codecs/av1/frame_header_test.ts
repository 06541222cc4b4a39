import assert from "node:assert/strict";
import { Av1FrameType, parseAv1FrameHeaderStart } from "@lib/codecs/av1/frame_header.ts";
import { ObuType, splitObus } from "@lib/codecs/av1/obu.ts";
import { fixture, missing, readFixture } from "@tests/_helpers.ts";
import { readIvf } from "@tests/unit/codecs/_stream_info.ts";

/** Key temporal units of es/av1_aom.ivf (0-based): ffprobe -show_entries packet=flags marks 1 and 31 (1-based). */
const KEY_TUS = [0, 30];

function keyTus(): number[] {
  const out: number[] = [];
  readIvf(readFixture("es/av1_aom.ivf")).frames.forEach((tu, i) => {
    const obus = splitObus(tu);
    assert.ok(obus.ok);
    for (const o of obus.value) {
      if (o.type !== ObuType.FRAME && o.type !== ObuType.FRAME_HEADER) continue;
      const f = parseAv1FrameHeaderStart(o.payload);
      assert.ok(f.ok);
      if (f.value.key) out.push(i);
    }
  });
  return out;
}

Deno.test("av1 frame header: key frames of es/av1_aom.ivf match ffprobe's K packets", () => {
  assert.deepEqual(keyTus(), KEY_TUS);
});

Deno.test({
  name: "av1 frame header: key frames match ffprobe run now",
  ignore: missing("ffprobe"),
  fn: async () => {
    const out = await new Deno.Command("ffprobe", {
      args: [
        "-v",
        "error",
        "-show_entries",
        "packet=flags",
        "-of",
        "csv=p=0",
        fixture("es/av1_aom.ivf"),
      ],
      stdout: "piped",
    }).output();
    const flags = new TextDecoder().decode(out.stdout).trim().split("\n");
    const want = flags.flatMap((f, i) => (f.includes("K") ? [i] : []));
    assert.deepEqual(keyTus(), want);
  },
});

Deno.test("av1 frame header: show_existing_frame, frame types, reduced still picture", () => {
  assert.deepEqual(parseAv1FrameHeaderStart(Uint8Array.of(0xb0)), {
    ok: true,
    value: { showExistingFrame: true, frameToShowMapIdx: 3, key: false },
  });
  const inter = parseAv1FrameHeaderStart(Uint8Array.of(0x30)); // INTER_FRAME, shown
  assert.ok(inter.ok);
  assert.deepEqual([inter.value.frameType, inter.value.showFrame, inter.value.key], [
    Av1FrameType.INTER_FRAME,
    true,
    false,
  ]);
  const hidden = parseAv1FrameHeaderStart(Uint8Array.of(0x00)); // KEY_FRAME, not shown
  assert.ok(hidden.ok);
  assert.equal(hidden.value.key, false);
  assert.equal(parseAv1FrameHeaderStart(new Uint8Array(), true).ok, true);
  assert.deepEqual(parseAv1FrameHeaderStart(new Uint8Array()), {
    ok: false,
    reason: "frame_header_short",
  });
});
