import assert from "node:assert/strict";
// deno-lint-ignore no-import-prefix -- test-only dependency, kept out of the runtime import map
import fc from "npm:fast-check@^3";
import {
  parseStreamId,
  STREAM_NAME_MAX_BYTES,
  STREAMID_MAX_BYTES,
  STREAMID_REJECT_STATUS,
} from "@lib/transport/srt/streamid.ts";

// Stream ids as real callers send them: ffmpeg/OBS plain ids, the SRT access-control
// examples (Haivision srt docs/features/access-control.md), and malformed ones.
const ACCEPT: [string, { name: string; user?: string; session?: string; host?: string }][] = [
  ["cam1", { name: "cam1" }],
  ["studio-A_2.main~x", { name: "studio-A_2.main~x" }],
  ["#!::r=cam2,m=publish", { name: "cam2" }],
  ["#!::m=publish,r=cam2", { name: "cam2" }],
  ["#!::u=alice,r=cam2", { name: "cam2", user: "alice" }],
  [
    "#!::r=live,m=publish,u=bob,s=5e8f,h=ingest.example.com,t=stream",
    { name: "live", user: "bob", session: "5e8f", host: "ingest.example.com" },
  ],
  ["#!::t=stream,h=x.org,s=1,u=u1,m=publish,r=z", {
    name: "z",
    user: "u1",
    session: "1",
    host: "x.org",
  }],
  ["#!::r=cam3,m=bidirectional", { name: "cam3" }],
  ["#!::r=cam4,xcustom=7", { name: "cam4" }],
];

const REFUSE: [string, string][] = [
  ["", "streamid_missing"],
  ["#!::r=cam1,m=request", "streamid_mode_request"],
  ["#!::m=request,r=cam1", "streamid_mode_request"],
  ["#!::r=cam1,m=play", "streamid_bad_mode"],
  ["#!::r=cam1,t=file", "streamid_bad_type"],
  ["#!::m=publish", "streamid_no_resource"],
  ["#!::", "streamid_no_resource"],
  ["#!::r=", "streamid_no_resource"],
  ["#!::r=a,r=b", "streamid_duplicate_key"],
  ["#!::r=cam1,garbage", "streamid_syntax"],
  ["#!::=x,r=cam1", "streamid_syntax"],
  ["#!::r=cam1,,m=publish", "streamid_syntax"],
  ["#!::r=../etc", "streamid_bad_name"],
  ["live/cam1", "streamid_bad_name"],
  ["cam 1", "streamid_bad_name"],
  ["..", "streamid_bad_name"],
  ["x".repeat(STREAM_NAME_MAX_BYTES + 1), "streamid_bad_name"],
  ["x".repeat(STREAMID_MAX_BYTES + 1), "streamid_too_long"],
  ["cam\u0000", "streamid_bad_chars"],
  ["cam\u00e9", "streamid_bad_chars"],
  ["cam\n1", "streamid_bad_chars"],
  [`#!::${Array.from({ length: 17 }, (_, i) => `k${i}=v`).join(",")}`, "streamid_too_many_keys"],
];

Deno.test("streamid: accepted forms, keys in any order", async (t) => {
  for (const [raw, want] of ACCEPT) {
    await t.step(JSON.stringify(raw), () => {
      const r = parseStreamId(raw);
      assert.ok(r.ok, `refused: ${!r.ok && r.reason}`);
      assert.equal(r.value.name, want.name);
      assert.equal(r.value.user, want.user);
      assert.equal(r.value.session, want.session);
      assert.equal(r.value.host, want.host);
      assert.equal(r.value.raw, raw);
      assert.equal(r.value.keyed, raw.startsWith("#!::"));
    });
  }
  const x = parseStreamId("#!::r=cam4,xcustom=7");
  assert.ok(x.ok);
  assert.deepEqual(x.value.extra, { xcustom: "7" });
});

Deno.test("streamid: refused with a reason that maps to an SRT reject code", async (t) => {
  for (const [raw, reason] of REFUSE) {
    await t.step(`${JSON.stringify(raw.slice(0, 40))} -> ${reason}`, () => {
      const r = parseStreamId(raw);
      assert.ok(!r.ok, `accepted ${raw}`);
      assert.equal(r.reason, reason);
      const code = STREAMID_REJECT_STATUS[r.reason] ?? 0;
      assert.ok(code >= 1400 && code < 1500, `no reject code for ${reason}`);
    });
  }
  assert.equal(STREAMID_REJECT_STATUS.streamid_mode_request, 1405); // SRT_REJX_BAD_MODE
});

Deno.test("streamid: the 512-byte limit is inclusive", () => {
  const raw = `#!::r=cam1,u=${"u".repeat(STREAMID_MAX_BYTES - 13)}`;
  assert.equal(raw.length, STREAMID_MAX_BYTES);
  assert.ok(parseStreamId(raw).ok);
  assert.ok(!parseStreamId(raw + "u").ok);
});

Deno.test("streamid: arbitrary input never throws and accepted names are path-safe", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ maxLength: 600 }),
        fc.fullUnicodeString({ maxLength: 80 }),
        fc.string().map((s) => `#!::${s}`),
      ),
      (s) => {
        const r = parseStreamId(s);
        if (r.ok) {
          assert.match(r.value.name, /^[A-Za-z0-9._~-]{1,128}$/);
          assert.ok(s.length <= STREAMID_MAX_BYTES);
        } else {
          assert.ok(r.reason in STREAMID_REJECT_STATUS);
        }
      },
    ),
    { seed: 0x5a17, numRuns: 2000 },
  );
});
