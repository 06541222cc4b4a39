import assert from "node:assert/strict";
import { boxName, BoxNames, streamGlob, streamToken, tokenToStream } from "@lib/fleet/names.ts";

Deno.test("names: stream ids become one subject token and back", () => {
  const cases: [string, string][] = [
    ["cam1", "cam1"],
    ["ssrc-51000000", "ssrc-51000000"],
    ["lobby.north", "lobby=2Enorth"],
    ["a b*c>d", "a=20b=2Ac=3Ed"],
    ["x=1", "x=3D1"],
    ["caméra", "cam=C3=A9ra"],
    ["", "="],
  ];
  for (const [id, token] of cases) {
    assert.equal(streamToken(id), token, id);
    assert.equal(tokenToStream(token), id, token);
    assert.match(token, /^[A-Za-z0-9_=-]+$/, "valid subject token and KV key part");
  }
});

Deno.test("names: subjects, keys and the frames stream of a box", () => {
  const n = new BoxNames("site4-rack2");
  assert.equal(n.events, "sluice.site4-rack2.events");
  assert.equal(n.frames("lobby.north", 256), "sluice.site4-rack2.frames.lobby=2Enorth.256");
  assert.equal(n.allFrames, "sluice.site4-rack2.frames.>");
  assert.equal(n.api("streams.pause"), "sluice.site4-rack2.api.streams.pause");
  assert.equal(n.key("cam1"), "site4-rack2.cam1");
  assert.equal(n.framesStream, "sluice_frames_site4-rack2");
});

Deno.test("names: box defaults to the hostname, made a valid token", () => {
  assert.equal(boxName("given"), "given");
  assert.equal(boxName("", () => "edge-7.example.com"), "edge-7-example-com");
  assert.equal(boxName("", () => ""), "sluice");
  assert.equal(
    boxName("", () => {
      throw new Deno.errors.PermissionDenied("no sys");
    }),
    "sluice",
  );
});

Deno.test("names: frames.streams globs", () => {
  const m = streamGlob("cam*, studio?");
  assert.ok(m("cam1") && m("cam") && m("studioA"));
  assert.ok(!m("studio") && !m("xcam1") && !m("studioAB"));
  assert.ok(!streamGlob("")("cam1"), "empty = none");
  assert.ok(streamGlob("*")("any.thing"));
  assert.ok(streamGlob("a.b")("a.b") && !streamGlob("a.b")("aXb"), "dots are literal");
});
