/** PSI: CRC-32/MPEG-2, section reassembly and PAT/PMT parsing on muxers' real sections. */
import assert from "node:assert/strict";
import {
  checkSection,
  crc32Mpeg,
  parsePat,
  parsePmt,
  registration,
  SectionAssembler,
} from "@lib/container/mpegts/psi.ts";
import { readFixture } from "@tests/_helpers.ts";
import { packets, payloadAt, pidOf, psiPacket, section, sectionAt } from "@tests/support/ts.ts";

Deno.test("psi: CRC-32/MPEG-2 check value and real sections", () => {
  // Catalogue check value of CRC-32/MPEG-2 over "123456789".
  assert.equal(crc32Mpeg(new TextEncoder().encode("123456789")), 0x0376e6e7);
  for (const f of ["h264_aac.ts", "srt_h264_aac_gst.ts", "realworld_VID_20191220_170832.ts"]) {
    const pk = packets(readFixture(`ts/${f}`));
    const p = pk.find((p) => pidOf(p) === 0)!;
    const [s, e] = sectionAt(p);
    assert.equal(crc32Mpeg(p.subarray(s, e)), 0, f);
  }
});

// Oracle: ffprobe -show_entries program=pmt_pid:stream=id,codec_tag on each file.
const EXPECT: Record<string, { pmtPid: number; pcrPid: number; streams: [number, number][] }> = {
  "h264_aac.ts": { pmtPid: 0x1000, pcrPid: 0x100, streams: [[0x1b, 0x100], [0x0f, 0x101]] },
  "hevc_aac.ts": { pmtPid: 0x1000, pcrPid: 0x100, streams: [[0x24, 0x100], [0x0f, 0x101]] },
  "realworld_VID_20191220_170832.ts": {
    pmtPid: 0x1000,
    pcrPid: 0x100,
    streams: [[0x1b, 0x100], [0x0f, 0x101]],
  },
  "srt_h264_aac_gst.ts": { pmtPid: 32, pcrPid: 0x41, streams: [[0x1b, 0x41], [0x0f, 0x42]] },
};

for (const [f, want] of Object.entries(EXPECT)) {
  Deno.test(`psi: PAT and PMT of ${f}`, () => {
    const pk = packets(readFixture(`ts/${f}`));
    const sections: Uint8Array[] = [];
    const counts: string[] = [];
    const asm = new SectionAssembler((s) => sections.push(s.slice()), (r) => counts.push(r));
    for (const p of pk.filter((p) => pidOf(p) === 0)) {
      asm.push(p.subarray(payloadAt(p)), (p[1] & 0x40) !== 0);
    }
    const patRes = parsePat(sections[0]);
    assert.ok(checkSection(sections[0]).ok && patRes.ok);
    assert.equal(patRes.value[0].pmtPid, want.pmtPid);
    const pmtPacket = pk.find((p) => pidOf(p) === want.pmtPid)!;
    const [s, e] = sectionAt(pmtPacket);
    const res = parsePmt(pmtPacket.subarray(s, e));
    assert.ok(res.ok);
    assert.equal(res.value.pcrPid, want.pcrPid);
    assert.deepEqual(res.value.streams.map((x) => [x.streamType, x.pid]), want.streams);
    assert.deepEqual(counts, []);
  });
}

Deno.test("psi: sections split across packets, two per packet, stuffing, oversize", () => {
  const body = Array.from({ length: 300 }, (_, i) => i & 0xff);
  const big = section(0x02, 1, 3, body);
  const small = section(0x00, 7, 1, [0, 1, 0xe1, 0]);
  const got: Uint8Array[] = [];
  const counts: string[] = [];
  const asm = new SectionAssembler((s) => got.push(s.slice()), (r) => counts.push(r));
  // Packet 1: pointer 0, first 183 bytes of `big`; packet 2: the rest, then `small`, then 0xFF.
  asm.push(Uint8Array.from([0, ...big.subarray(0, 183)]), true);
  const rest = big.subarray(183);
  asm.push(Uint8Array.from([rest.length, ...rest, ...small, 0xff, 0xff]), true);
  assert.deepEqual(got, [big, small]);
  assert.ok(checkSection(got[0]).ok && checkSection(got[1]).ok);
  // section_length above the cap is counted, not buffered.
  asm.push(Uint8Array.from([0, 0x02, 0xbf, 0xff, 1, 2, 3]), true);
  assert.deepEqual(counts, ["psi_invalid"]);
  assert.equal(asm.bufferedBytes, 0);
  const p = psiPacket(0x100, small);
  assert.equal(pidOf(p), 0x100);
});

Deno.test("psi: registration descriptor lookup", () => {
  const loop = Uint8Array.from([0x0a, 4, 0x65, 0x6e, 0x67, 0, 0x05, 4, 0x41, 0x56, 0x30, 0x31]);
  assert.equal(registration(loop), "AV01");
  assert.equal(registration(loop.subarray(0, 6)), undefined);
  assert.equal(registration(Uint8Array.from([0x05, 9, 1])), undefined, "truncated loop");
});
