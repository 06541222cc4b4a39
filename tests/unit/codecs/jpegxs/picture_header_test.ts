import assert from "node:assert/strict";
import { jxsProfileName, parseJxsPictureHeader } from "@lib/codecs/jpegxs/picture_header.ts";
import { readFixture } from "@tests/_helpers.ts";

// Oracle: tests/fixtures/README.md (svt_320x240_422_10f.jxs: 10 codestreams of 28,800 bytes,
// 320x240 4:2:2, 15 slices per frame); ffprobe 5.1 cannot read JPEG XS.
const FRAME_BYTES = 28800;

function frames(): Uint8Array[] {
  const d = readFixture("jpegxs/svt_320x240_422_10f.jxs");
  const out: Uint8Array[] = [];
  for (let o = 0; o < d.length; o += FRAME_BYTES) out.push(d.subarray(o, o + FRAME_BYTES));
  return out;
}

Deno.test("jpegxs picture header: every codestream of the SVT fixture (README oracle)", () => {
  const all = frames();
  assert.equal(all.length, 10);
  for (const cs of all) {
    const r = parseJxsPictureHeader(cs);
    assert.ok(r.ok);
    const h = r.value;
    assert.deepEqual([h.width, h.height, h.chromaFormat, h.components], [320, 240, "4:2:2", 3]);
    assert.equal(h.codestreamBytes, FRAME_BYTES); // Lcod = the codestream's own length
    assert.deepEqual(h.componentTable.map((c) => [c.sx, c.sy]), [[1, 1], [2, 1], [2, 1]]);
    assert.equal(h.bitDepth, 8);
    assert.equal(h.profile, "Unrestricted");
    assert.equal(h.level, "Unrestricted");
    // 15 slices: slice height Hsl precinct lines of 2^NLy luma lines each.
    assert.equal(Math.ceil(h.height / (h.sliceHeight * 2 ** h.decompositionsY)), 15);
    assert.equal(cs[cs.length - 2] * 256 + cs[cs.length - 1], 0xff11); // EOC closes it
  }
});

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const u32 = (v: number) => [v >>> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255];

Deno.test("jpegxs picture header: 21122-3 boxes in front (jpvs/jpvi/jxpl, colr) are skipped", () => {
  const jpvi = [...u32(8 + 8), ...ascii("jpvi"), ...u32(150_000_000), 0, 0x1e, 0, 0];
  const jxpl = [...u32(12), ...ascii("jxpl"), 0x35, 0x40, 0x20, 0x00];
  const jpvs = [...u32(8 + jpvi.length + jxpl.length), ...ascii("jpvs"), ...jpvi, ...jxpl];
  const colr = [...u32(15), ...ascii("colr"), 5, 0, 0, 1, 1, 1, 0];
  const cs = frames()[0];
  const buf = new Uint8Array([...jpvs, ...colr, ...cs.subarray(0, 200)]);
  const r = parseJxsPictureHeader(buf);
  assert.ok(r.ok, !r.ok ? r.reason : "");
  assert.equal(r.value.socOffset, jpvs.length + colr.length);
  assert.equal(r.value.profile, "Main 422.10"); // from jxpl: the PIH says unrestricted
  assert.equal(r.value.plev, 0x2000);
  assert.equal(r.value.width, 320);
});

Deno.test("jpegxs picture header: truncated and damaged headers fail without throwing", () => {
  const cs = frames()[0];
  // SOC(2) CAP(6) PIH(28) CDT(10): a cut at a marker boundary after CDT is a valid header
  // segment (RFC 9134 slice mode); every shorter or mid-segment cut fails.
  let okCuts = 0;
  for (let n = 0; n < 60; n++) {
    const r = parseJxsPictureHeader(cs.subarray(0, n));
    if (r.ok) {
      okCuts++;
      assert.ok(n >= 46, `length ${n}`);
      assert.equal(r.value.width, 320);
    }
  }
  assert.equal(okCuts, 1);
  assert.deepEqual(parseJxsPictureHeader(cs.subarray(2)), { ok: false, reason: "jxs_no_soc" });
  const badPih = cs.slice(0, 200);
  badPih[11] = 25; // Lpih must be 26
  assert.deepEqual(parseJxsPictureHeader(badPih), { ok: false, reason: "jxs_bad_pih" });
  const badCdt = cs.slice(0, 200);
  badCdt[0x29] = 0x01; // first component sx = 0 (CDT body starts at 0x28)
  assert.deepEqual(parseJxsPictureHeader(badCdt), { ok: false, reason: "jxs_bad_cdt" });
  assert.equal(jxsProfileName(0x1234), "0x1234");
});
