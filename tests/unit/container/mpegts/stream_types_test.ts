import assert from "node:assert/strict";
import {
  classifyStream,
  classifyStreamType,
  StreamType,
} from "@lib/container/mpegts/stream_types.ts";

const none = new Uint8Array(0);
/** registration_descriptor (ISO/IEC 13818-1 2.6.8): tag 5, length 4, format_identifier. */
const reg = (id: string) => Uint8Array.of(5, 4, ...new TextEncoder().encode(id));

Deno.test("mpegts stream_types: framing per stream_type (Table 2-34)", () => {
  const f = (st: number) => classifyStream(st, none, none);
  assert.deepEqual(
    [f(StreamType.AAC_ADTS).framing, f(StreamType.AAC_LATM).framing, f(StreamType.H264).framing],
    ["adts", "loas", "pes"],
  );
  assert.deepEqual(f(0x02), {
    codec: "unknown",
    kind: "data",
    supported: false,
    codecSource: "ts_stream_type",
    framing: "pes",
  });
});

Deno.test("mpegts stream_types: private PES by registration (ES or program loop) or DVB AC-3", () => {
  const p = (es: Uint8Array, prog = none) => classifyStream(StreamType.PRIVATE_PES, es, prog);
  assert.deepEqual([p(reg("AV01")).codec, p(reg("AV01")).codecSource], ["av1", "ts_descriptor"]);
  assert.deepEqual([p(reg("Opus")).codec, p(reg("Opus")).framing], ["opus", "opus"]);
  assert.equal(p(none, reg("Opus")).codec, "opus", "program_info registration applies");
  assert.equal(p(reg("AV01"), reg("Opus")).codec, "av1", "ES_info registration first");
  assert.equal(p(Uint8Array.of(0x6a, 1, 0)).codec, "ac3", "DVB AC-3 descriptor");
  assert.equal(p(Uint8Array.of(...reg("AV01"), 0x6a, 1, 0)).codec, "av1");
  assert.equal(p(Uint8Array.of(...reg("HEVC"), 0x6a, 1, 0)).codec, "ac3");
  assert.deepEqual([p(reg("HEVC")).codec, p(reg("HEVC")).supported], ["unknown", false]);
});

Deno.test("mpegts stream_types: descriptor loops agree with the format_identifier for every type", () => {
  for (let st = 0; st < 256; st++) {
    for (const id of [undefined, "AV01", "Opus", "AC-3", "HEVC"]) {
      const c = classifyStream(st, id ? reg(id) : none, none);
      assert.deepEqual(c, classifyStreamType(st, id), `${st} ${id}`);
    }
  }
});
